package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// resumeCommon is a small tracked SGD run shared by the resume tests.
var resumeCommon = []string{"--model", "twolayer", "--width", "6", "--n", "48", "--d", "4", "--batch", "8",
	"--sampling", "epochs", "--momentum", "0.9", "--schedule", "twophase:0.05,0.01,7,13", "--seed", "3",
	"--track", "loss,grad,analysis", "--k", "1", "--track-every", "25", "--track-at", "10"}

func args(extra ...string) []string { return append(append([]string(nil), resumeCommon...), extra...) }

// jsonRecords returns the "records" of a train JSON file.
func jsonRecords(t *testing.T, path string) []any {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	recs, _ := doc["records"].([]any)
	return recs
}

// TestTrainResumeHistory: a run stopped at step k and resumed to N writes
// the same CSV, byte for byte, and the same JSON records as an unbroken
// run to N (the records before k used to be lost).
func TestTrainResumeHistory(t *testing.T) {
	dir := t.TempDir()
	csvFull, jsonFull := filepath.Join(dir, "full.csv"), filepath.Join(dir, "full.json")
	code, _, e := callCmd("train", args("--steps", "100", "--csv", csvFull, "--out", jsonFull)...)
	require.Equal(t, 0, code, e)
	wantCSV, err := os.ReadFile(csvFull)
	require.NoError(t, err)
	wantJSON := jsonRecords(t, jsonFull)
	require.Len(t, wantJSON, 6) // 0, 10, 25, 50, 75, 100

	for _, k := range []string{"40", "50"} { // 50 is a tracking step, 40 is not
		t.Run("stopped at "+k, func(t *testing.T) {
			ck, c, j := filepath.Join(dir, "ck"+k), filepath.Join(dir, k+".csv"), filepath.Join(dir, k+".json")
			code, _, e := callCmd("train", args("--steps", k, "--checkpoint", ck, "--checkpoint-every", "20")...)
			require.Equal(t, 0, code, e)
			code, _, e = callCmd("train", args("--steps", "100", "--checkpoint", ck, "--resume", "--csv", c, "--out", j)...)
			require.Equal(t, 0, code, e)
			got, err := os.ReadFile(c)
			require.NoError(t, err)
			assert.Equal(t, string(wantCSV), string(got))
			assert.Equal(t, wantJSON, jsonRecords(t, j))
		})
	}
}

// TestTrainResumeMismatch: a checkpoint of another run is refused (exit
// 1, found on reading it) naming the differing flag and both values, and
// so is --steps below the checkpoint's step; the matching run resumes.
func TestTrainResumeMismatch(t *testing.T) {
	ck := filepath.Join(t.TempDir(), "ck")
	code, _, e := callCmd("train", args("--steps", "30", "--checkpoint", ck)...)
	require.Equal(t, 0, code, e)
	tests := []struct {
		name  string
		extra []string
		code  int
		want  []string
	}{
		{"same run", []string{"--steps", "40"}, 0, nil},
		{"model", []string{"--model", "mlp"}, 1, []string{`--model: "twolayer" in the checkpoint, "mlp" in this run`}},
		{"activation", []string{"--activation", "gelu"}, 1, []string{`--activation: "tanh" in the checkpoint, "gelu" in this run`}},
		{"schedule", []string{"--schedule", "constant:0.05"}, 1, []string{`schedule: "twophase:0.05,0.01,7,13" in the checkpoint, "constant:0.05" in this run`}},
		{"seed", []string{"--seed", "4"}, 1, []string{`seed: "3" in the checkpoint, "4" in this run`}},
		{"batch", []string{"--batch", "6"}, 1, []string{`batch: "8" in the checkpoint, "6" in this run`}},
		{"sampling", []string{"--sampling", "replacement"}, 1, []string{`sampling: "epochs" in the checkpoint, "replacement" in this run`}},
		{"weight decay", []string{"--weight-decay", "0.01"}, 1, []string{`weight decay: "0" in the checkpoint, "0.01" in this run`}},
		{"data noise", []string{"--noise", "0.2"}, 1, []string{`--noise: "0.1" in the checkpoint, "0.2" in this run`, "data hash"}},
		{"n", []string{"--n", "40"}, 1, []string{`n: "48" in the checkpoint, "40" in this run`}},
		{"trackers", []string{"--track", "loss"}, 1, []string{`--track: "loss,grad,analysis" in the checkpoint, "loss" in this run`}},
		{"steps below", []string{"--steps", "20"}, 1, []string{"--steps 20 is below the step 30 of the checkpoint", "give --steps ≥ 30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each case resumes from its own copy, so a success does not move the others on.
			raw, err := os.ReadFile(ck)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(ck+"."+tt.name, raw, 0o644))
			code, _, e := callCmd("train", append(args("--steps", "40", "--checkpoint", ck+"."+tt.name, "--resume"), tt.extra...)...)
			assert.Equal(t, tt.code, code, e)
			for _, w := range tt.want {
				assert.Contains(t, e, w)
			}
		})
	}
}

// TestTrainFloatFlags: meaningless float values are usage errors (exit 2)
// naming the flag, found before the data is read (the data directory does
// not exist).
func TestTrainFloatFlags(t *testing.T) {
	missing := []string{"--data", "fashion-mnist", "--data-dir", filepath.Join(t.TempDir(), "none")}
	tests := []struct {
		flag, value string
	}{
		{"--lr", "0"},
		{"--lr", "-0.1"},
		{"--momentum", "-0.5"},
		{"--momentum", "1"},
		{"--weight-decay", "-0.001"},
	}
	for _, tt := range tests {
		code, _, e := callCmd("train", append(missing, tt.flag, tt.value)...)
		assert.Equal(t, 2, code, "%s %s: %s", tt.flag, tt.value, e)
		assert.Contains(t, e, tt.flag+" "+tt.value, tt.flag)
	}
}
