package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEscapeExitCodes(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{[]string{"--help"}, 0, []string{"Usage: noisegeom escape", "--model", "--batch", "--repeats", "--lr-factor", "--lr",
			"--radius", "--perturbation", "--json", "--out", "Exit codes"}, nil},
		{[]string{"--model", "resnet"}, 2, nil, []string{`"resnet"`}},
		{[]string{"--model", "twolayer", "--n", "30", "--d", "3", "--width", "2", "--train-steps", "50"}, 1, nil, []string{"TrainToMinimum"}},
		{[]string{"--model", "twolayer", "--n", "12", "--d", "6", "--width", "32", "--steps", "20", "--repeats", "4"}, 0, []string{"twolayer", "SGD"}, nil},
		{[]string{"--repeats", "1"}, 2, nil, []string{"--repeats"}},
		{[]string{"--radius", "0"}, 2, nil, []string{"--radius"}},
		{[]string{"--perturbation", "gaussian"}, 2, nil, []string{"gaussian"}},
		{[]string{"--lr-factor", "0"}, 2, nil, []string{"--lr"}},
		{[]string{"--n", "10", "--batch", "20"}, 2, nil, []string{"exceeds"}},
		{[]string{"--data", "fashion-mnist", "--data-dir", "/nonexistent"}, 2, nil, []string{"--targets sign"}},
		{[]string{"--data", "fashion-mnist", "--data-dir", "/nonexistent", "--targets", "sign", "--classes", "0,6"}, 1, nil, []string{"fashion-mnist"}},
		{[]string{"--n", "30", "--d", "50", "--steps", "40", "--repeats", "0"}, 0, []string{"GD", "SGD", "beyond10"}, nil},
	}
	for _, tt := range tests {
		code, out, errOut := callCmd("escape", tt.args...)
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

// TestEscapeJSON checks the keys of the issue and the paper's contrast on a
// diagonal network at an unbalanced minimum and on a linear model.
func TestEscapeJSON(t *testing.T) {
	dir := t.TempDir()
	for _, model := range []string{"linear", "diagonal"} {
		path := filepath.Join(dir, model+".json")
		code, out, errOut := callCmd("escape", "--model", model, "--n", "40", "--d", "80", "--spectrum", "powerlaw:0.5",
			"--batch", "2", "--replacement", "--steps", "200", "--every", "50", "--repeats", "20", "--unbalance", "2",
			"--json", "--out", path)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", model, code, errOut)
		}
		if errOut != "" {
			t.Errorf("stderr %q (not a terminal)", errOut)
		}
		saved, _ := os.ReadFile(path)
		if string(saved) != out {
			t.Errorf("--out differs from stdout")
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		for _, arm := range []string{"gd", "sgd"} {
			obj, ok := doc[arm].(map[string]any)
			if !ok {
				t.Fatalf("no %s object", arm)
			}
			for _, k := range []string{"threshold", "lr", "share_top1", "share_top5", "share_beyond10", "alpha", "escape_step", "mc_profile"} {
				if _, ok := obj[k]; !ok {
					t.Errorf("%s.%s missing", arm, k)
				}
			}
		}
		gd, sgd := doc["gd"].(map[string]any), doc["sgd"].(map[string]any)
		if gd["share_top1"].(float64) < 0.99 || sgd["share_beyond10"].(float64) < 0.5 {
			t.Errorf("%s: GD top-1 %v, SGD beyond-10 %v", model, gd["share_top1"], sgd["share_beyond10"])
		}
		if r := doc["lr"]; r != nil {
			t.Errorf("unexpected key lr at top level")
		}
	}
}
