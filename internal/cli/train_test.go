package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/data"
)

func callCmd(cmd string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Main("noisegeom", append([]string{cmd}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestTrainExitCodes(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{[]string{"--help"}, 0, []string{"Usage: noisegeom train", "--model", "--data", "--batch", "--sampling", "--schedule",
			"--momentum", "--weight-decay", "--track", "--checkpoint", "--resume", "--csv", "--json", "--out", "Exit codes"}, nil},
		{[]string{"--optimizer", "adam"}, 2, nil, []string{`"adam"`}},
		{[]string{"--sampling", "bogus"}, 2, nil, []string{"bogus"}},
		{[]string{"--schedule", "linear:1"}, 2, nil, []string{"linear:1"}},
		{[]string{"--track", "weird"}, 2, nil, []string{"weird"}},
		{[]string{"--momentum", "1.5"}, 2, nil, []string{"momentum"}},
		{[]string{"--resume"}, 2, nil, []string{"--checkpoint"}},
		{[]string{"--batch", "0"}, 2, nil, []string{"--batch"}},
		{[]string{"--n", "10", "--batch", "20", "--sampling", "epochs"}, 2, nil, []string{"exceeds"}},
		{[]string{"--n", "40", "--d", "4", "--steps", "20", "--track-every", "10", "--track", "loss,grad,lambda_g,distance"}, 0,
			[]string{"train: SGD, 20 steps", "loss", "lambda_g"}, nil},
		{[]string{"--n", "40", "--d", "4", "--steps", "20", "--track-every", "0", "--track-at", "3,7"}, 0,
			[]string{"\n       3 ", "\n       7 ", "\n      20 "}, nil},
		{[]string{"--track-at", "x"}, 2, nil, []string{"--track-at"}},
		{[]string{"--n", "40", "--d", "4", "--steps", "2000", "--optimizer", "gd", "--lr", "50"}, 1, nil, []string{"finite"}},
	}
	for _, tt := range tests {
		code, out, errOut := callCmd("train", tt.args...)
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d (stderr %q)", tt.args, code, tt.code, errOut)
		}
		for _, s := range tt.stdout {
			if !strings.Contains(out, s) {
				t.Errorf("%q: stdout lacks %q:\n%s", tt.args, s, out)
			}
		}
		for _, s := range tt.stderr {
			if !strings.Contains(errOut, s) {
				t.Errorf("%q: stderr lacks %q:\n%s", tt.args, s, errOut)
			}
		}
	}
}

// TestTrainResume: a run stopped at 40 steps and resumed to 100 saves the
// same parameters, bit for bit, as an unbroken 100-step run; the JSON, CSV
// and .npy outputs are written.
func TestTrainResume(t *testing.T) {
	dir := t.TempDir()
	common := []string{"--model", "twolayer", "--width", "8", "--n", "64", "--d", "5", "--batch", "8",
		"--sampling", "epochs", "--momentum", "0.9", "--schedule", "twophase:0.05,0.01,7,13", "--seed", "3"}
	full, ck, part := filepath.Join(dir, "full.npy"), filepath.Join(dir, "ck"), filepath.Join(dir, "part.npy")
	code, out, errOut := callCmd("train", append(common, "--steps", "100", "--save", full, "--json",
		"--track", "loss,analysis", "--k", "2", "--track-every", "50", "--csv", filepath.Join(dir, "r.csv"),
		"--out", filepath.Join(dir, "r.json"))...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Method  string           `json:"method"`
		Steps   int              `json:"steps"`
		Records []map[string]any `json:"records"`
		Config  map[string]any   `json:"config"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Method != "SGD" || doc.Steps != 100 || len(doc.Records) != 3 || doc.Records[2]["tr_g"] == nil || doc.Records[1]["lambda_max_h"] != nil {
		t.Fatalf("JSON: %+v", doc)
	}
	if g, ok := doc.Records[2]["g"].([]any); !ok || len(g) != 2 {
		t.Errorf("g along top-2: %v", doc.Records[2]["g"])
	}
	csvText, _ := os.ReadFile(filepath.Join(dir, "r.csv"))
	if lines := strings.Split(strings.TrimSpace(string(csvText)), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[0], "step,lr,loss") {
		t.Errorf("CSV:\n%s", csvText)
	}
	if code, _, e := callCmd("train", append(common, "--steps", "40", "--checkpoint", ck, "--checkpoint-every", "20")...); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := callCmd("train", append(common, "--steps", "100", "--checkpoint", ck, "--resume", "--save", part)...); code != 0 {
		t.Fatal(e)
	}
	a, _ := data.ReadNPYFile(full)
	b, _ := data.ReadNPYFile(part)
	if a == nil || b == nil || len(a.Data) == 0 || !slicesEqualBits(a.Data, b.Data) {
		t.Fatal("resumed run differs from the unbroken run")
	}
	// Resuming with other flags is refused.
	if code, _, e := callCmd("train", append(common, "--steps", "100", "--checkpoint", ck, "--resume", "--seed", "4")...); code != 1 || !strings.Contains(e, "checkpoint") {
		t.Errorf("resume with another seed: exit %d, %s", code, e)
	}
}

func slicesEqualBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestTrainProgress: progress goes to stderr only on a terminal.
func TestTrainProgress(t *testing.T) {
	defer func(f func(io.Writer) bool) { isTerminal = f }(isTerminal)
	isTerminal = func(io.Writer) bool { return true }
	code, out, errOut := callCmd("train", "--n", "40", "--d", "4", "--steps", "50", "--json")
	if code != 0 || !strings.Contains(errOut, "step ") || strings.Contains(out, "batch loss") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
