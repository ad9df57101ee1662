package cli

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/data"
)

func callAlign(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Main("noisegeom", append([]string{"align"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestAlignExitCodes(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{[]string{"--help"}, 0, []string{"Usage: noisegeom align", "--model", "--data", "--spectrum", "--width",
			"--activation", "--batch", "--k", "--at", "--seed", "--json", "--out", "--path", "--bootstrap", "--angles", "Exit codes"}, nil},
		{[]string{"--bootstrap", "-1"}, 2, nil, []string{"--bootstrap"}},
		{[]string{"--n", "0"}, 2, nil, []string{"--n"}},
		{[]string{"--model", "resnet"}, 2, nil, []string{`"resnet"`}},
		{[]string{"--data", "imagenet"}, 2, nil, []string{`"imagenet"`}},
		{[]string{"--at", "teacher+x"}, 2, nil, []string{"teacher+x"}},
		{[]string{"--at", "nowhere"}, 2, nil, []string{"nowhere"}},
		{[]string{"--path", "fast"}, 2, nil, []string{"fast"}},
		{[]string{"--activation", "swish"}, 2, nil, []string{"swish"}},
		{[]string{"--spectrum", "weird:1"}, 2, nil, []string{"weird"}},
		{[]string{"--batch", "100", "--n", "50"}, 2, nil, []string{"batch"}},
		{[]string{"--bogus"}, 2, nil, []string{"-bogus"}},
		{[]string{"extra"}, 2, nil, []string{`unexpected argument "extra"`}},
		{[]string{"--data", "fashion-mnist", "--data-dir", "/nonexistent", "--at", "teacher"}, 2, nil, []string{"synthetic"}},
		{[]string{"--data", "fashion-mnist", "--data-dir", "/nonexistent"}, 1, nil, []string{"fashion-mnist"}},
		{[]string{"--n", "40", "--d", "4", "--k", "2"}, 0, []string{"mu ", "mu_c", "mu_iso", "top", "random", "theory"}, nil},
	}
	for _, tt := range tests {
		code, out, errOut := callAlign(tt.args...)
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

// TestAlignJSON checks the keys of the JSON document, the file written by
// --out, and that the measured μ_c at the teacher approaches the theory
// value 1 (a loose check: n = 4000, d = 5).
// TestAlignParamFile evaluates at θ read from a .npy file: a wrong length
// is a usage error, a missing file a failure, and θ = 0 from a file gives
// the same result as the linear model's initialisation (θ = 0).
func TestAlignParamFile(t *testing.T) {
	dir := t.TempDir()
	base := []string{"--n", "100", "--d", "4", "--k", "2", "--json", "--random", "0"}
	bad := filepath.Join(dir, "bad.npy")
	if err := data.WriteNPYFile(bad, []int{3}, "<f8", []float64{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := callAlign(append(base, "--at", bad)...); code != 2 || !strings.Contains(errOut, "p = 4") {
		t.Errorf("wrong length: exit %d, %q", code, errOut)
	}
	if code, _, _ := callAlign(append(base, "--at", filepath.Join(dir, "missing.npy"))...); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
	zero := filepath.Join(dir, "zero.npy")
	if err := data.WriteNPYFile(zero, []int{4}, "<f8", make([]float64, 4)); err != nil {
		t.Fatal(err)
	}
	// θ = 0 is also the linear model's initialisation.
	c1, s1, _ := callAlign(append(base, "--at", zero)...)
	c2, s2, _ := callAlign(append(base, "--at", "init")...)
	var r1, r2 map[string]any
	json.Unmarshal([]byte(s1), &r1)
	json.Unmarshal([]byte(s2), &r2)
	if c1 != 0 || c2 != 0 || r1["mu"] != r2["mu"] || r1["loss"] != r2["loss"] {
		t.Errorf("θ = 0 from a file: mu %v loss %v; at init: mu %v loss %v", r1["mu"], r1["loss"], r2["mu"], r2["loss"])
	}
}

func TestAlignJSON(t *testing.T) {
	out := filepath.Join(t.TempDir(), "a.json")
	for _, model := range []string{"linear", "twolayer", "randomfeatures", "diagonal", "mlp"} {
		args := []string{"--model", model, "--n", "300", "--d", "5", "--width", "6", "--k", "3", "--json", "--bootstrap", "5", "--angles", "2",
			"--at", "teacher+0.3", "--out", out, "--spectrum", "powerlaw:1"}
		code, stdout, errOut := callAlign(args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", model, code, errOut)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatalf("%s: %v\n%s", model, err, stdout)
		}
		for _, k := range []string{"mu", "mu_c", "mu_iso", "loss", "directional", "path", "config", "thresholds", "eigenvalues", "angles"} {
			if _, ok := doc[k]; !ok {
				t.Errorf("%s: JSON lacks %q", model, k)
			}
		}
		if mu, ok := doc["mu"].(float64); !ok || !(mu > 0) {
			t.Errorf("%s: mu = %v, want a positive number", model, doc["mu"])
		}
		dirs, _ := doc["directional"].([]any)
		if len(dirs) == 0 {
			t.Fatalf("%s: no directional entries", model)
		}
		for _, d := range dirs {
			m := d.(map[string]any)
			for _, k := range []string{"k", "lambda", "g", "kind"} {
				if _, ok := m[k]; !ok {
					t.Errorf("%s: directional entry lacks %q", model, k)
				}
			}
		}
		_, hasTheory := doc["theory"]
		_, hasCritical := doc["sgd_critical"]
		// Every model here is small enough (p ≤ 200) for the exact
		// critical rate (of the linearisation at θ when nonlinear).
		if hasTheory != (model == "linear") || !hasCritical {
			t.Errorf("%s: theory present = %v, sgd_critical present = %v", model, hasTheory, hasCritical)
		}
		file, err := os.ReadFile(out)
		if err != nil || !bytes.Equal(file, []byte(stdout)) {
			t.Errorf("%s: --out file differs from stdout (%v)", model, err)
		}
	}
	code, stdout, _ := callAlign("--n", "4000", "--d", "5", "--at", "teacher", "--noise", "0.5", "--json", "--k", "2")
	if code != 0 {
		t.Fatal("exit", code)
	}
	var doc struct {
		MuC    float64 `json:"mu_c"`
		Theory struct {
			MuC float64 `json:"mu_c"`
		} `json:"theory"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	// At θ* the population μ_c is 1; the sample value has relative
	// fluctuations of order √(d/n) ≈ 0.035.
	if doc.Theory.MuC != 1 || math.Abs(doc.MuC-1) > 0.15 {
		t.Errorf("at the teacher: mu_c = %v, theory %v", doc.MuC, doc.Theory.MuC)
	}
}
