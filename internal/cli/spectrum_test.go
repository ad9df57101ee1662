package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// spectrumToeplitzCSV writes the n×n tridiagonal Toeplitz matrix (2, -1),
// with eigenvalues 2 − 2cos(kπ/(n+1)), and returns its path.
func spectrumToeplitzCSV(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# tridiagonal Toeplitz (2, -1)\n")
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v := 0.0
			switch {
			case i == j:
				v = 2
			case i == j+1 || j == i+1:
				v = -1
			}
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%g", v)
		}
		b.WriteString("\n")
	}
	p := filepath.Join(t.TempDir(), "a.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSpectrumJSON(t *testing.T) {
	n := 30
	path := spectrumToeplitzCSV(t, n)
	dir := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	code := runSpectrum(&Env{Prog: "noisegeom", Stdout: &stdout, Stderr: &stderr}, []string{"--matrix", path, "--k", "4", "--which", "both", "--trace", "--density", "--json", "--out", dir})
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	var o struct {
		Eigenvalues []float64 `json:"eigenvalues"`
		Residuals   []float64 `json:"residuals"`
		Trace       *float64  `json:"trace"`
		TraceExact  float64   `json:"trace_exact"`
		Density     struct {
			X       []float64 `json:"x"`
			Density []float64 `json:"density"`
		} `json:"density"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &o); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, stdout.String())
	}
	lam := func(k int) float64 { return 2 - 2*math.Cos(float64(k)*math.Pi/float64(n+1)) }
	// both, k=4: two largest descending, then two smallest ascending.
	want := []float64{lam(n), lam(n - 1), lam(1), lam(2)}
	if len(o.Eigenvalues) != 4 || len(o.Residuals) != 4 {
		t.Fatalf("got %d eigenvalues, %d residuals", len(o.Eigenvalues), len(o.Residuals))
	}
	for i, w := range want {
		if math.Abs(o.Eigenvalues[i]-w) > 1e-9*4 {
			t.Errorf("eigenvalue %d = %.15g, want %.15g", i, o.Eigenvalues[i], w)
		}
		if o.Residuals[i] > 1e-10*4 {
			t.Errorf("residual %d = %g", i, o.Residuals[i])
		}
	}
	if o.Trace == nil || o.TraceExact != 2*float64(n) {
		t.Errorf("trace %v, exact %v", o.Trace, o.TraceExact)
	}
	if len(o.Density.X) != 200 || len(o.Density.Density) != 200 {
		t.Errorf("density has %d/%d points", len(o.Density.X), len(o.Density.Density))
	}
	for _, f := range []string{"eigenvalues.csv", "density.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if f == "eigenvalues.csv" && (len(lines) != 5 || lines[0] != "index,eigenvalue,residual,converged") {
			t.Errorf("%s:\n%s", f, b)
		}
		if f == "density.csv" && len(lines) != 201 {
			t.Errorf("%s has %d lines", f, len(lines))
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("out dir holds %d entries (temporary files left?)", len(ents))
	}
}

func TestSpectrumText(t *testing.T) {
	path := spectrumToeplitzCSV(t, 12)
	var stdout, stderr bytes.Buffer
	if code := runSpectrum(&Env{Prog: "noisegeom", Stdout: &stdout, Stderr: &stderr}, []string{"--matrix", path, "--k", "2", "--which", "smallest", "--density", "--log"}); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "eigenvalue") || !strings.Contains(stdout.String(), "density:") {
		t.Errorf("text output:\n%s", stdout.String())
	}
}

func TestSpectrumErrors(t *testing.T) {
	good := spectrumToeplitzCSV(t, 5)
	dir := t.TempDir()
	nonsym := filepath.Join(dir, "n.csv")
	os.WriteFile(nonsym, []byte("1,2\n3,4\n"), 0o644)
	ragged := filepath.Join(dir, "r.csv")
	os.WriteFile(ragged, []byte("1,2\n3\n"), 0o644)
	bad := filepath.Join(dir, "b.csv")
	os.WriteFile(bad, []byte("1,x\nx,1\n"), 0o644)
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"--help"}, 0},
		{[]string{}, 2},
		{[]string{"--matrix", good, "--which", "middle"}, 2},
		{[]string{"--matrix", good, "--k", "0"}, 2},
		{[]string{"--matrix", good, "--k", "6"}, 2},
		{[]string{"--matrix", good, "--k", "3", "--basis", "3"}, 2},
		{[]string{"--matrix", good, "--bogus"}, 2},
		{[]string{"--matrix", good, "extra"}, 2},
		{[]string{"--matrix", filepath.Join(dir, "missing.csv")}, 1},
		{[]string{"--matrix", filepath.Join(dir, "a.npz")}, 2},
		{[]string{"--matrix", nonsym}, 1},
		{[]string{"--matrix", ragged}, 1},
		{[]string{"--matrix", bad}, 1},
		{[]string{"--matrix", good, "--k", "5", "--json"}, 0},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if got := runSpectrum(&Env{Prog: "noisegeom", Stdout: &stdout, Stderr: &stderr}, c.args); got != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, got, c.code, stderr.String())
		}
		if c.code == 0 && c.args[0] == "--help" && !strings.Contains(stdout.String(), "--matrix") {
			t.Errorf("--help output lacks flags: %q", stdout.String())
		}
	}
}

// TestSpectrumDensitySigma: a broadening whose grid overflows is refused
// (it used to print a NaN range and exit 0); NaN and Inf are usage errors.
func TestSpectrumDensitySigma(t *testing.T) {
	good := spectrumToeplitzCSV(t, 5)
	cases := []struct {
		sigma string
		code  int
		want  string
	}{
		{"1e308", 1, "--sigma 1e+308: the density grid"},
		{"NaN", 2, "--sigma NaN"},
		{"Inf", 2, "--sigma +Inf"},
		{"0.01", 0, ""},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := runSpectrum(&Env{Prog: "noisegeom", Stdout: &stdout, Stderr: &stderr},
			[]string{"--matrix", good, "--k", "2", "--density", "--sigma", c.sigma})
		if code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("--sigma %s: exit %d (want %d), stderr %q lacks %q", c.sigma, code, c.code, stderr.String(), c.want)
		}
		if strings.Contains(stdout.String(), "NaN") {
			t.Errorf("--sigma %s: NaN in the output:\n%s", c.sigma, stdout.String())
		}
	}
}

// TestSpectrumOutAllOrNothing: when density.csv cannot be written, the
// eigenvalues.csv of a previous run is left as it was.
func TestSpectrumOutAllOrNothing(t *testing.T) {
	good := spectrumToeplitzCSV(t, 5)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "eigenvalues.csv"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "density.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := runSpectrum(&Env{Prog: "noisegeom", Stdout: &stdout, Stderr: &stderr},
		[]string{"--matrix", good, "--k", "2", "--density", "--out", dir})
	if code != 1 || !strings.Contains(stderr.String(), "density.csv") {
		t.Errorf("exit %d, stderr %q: want 1 naming density.csv", code, stderr.String())
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "eigenvalues.csv")); string(b) != "old" {
		t.Errorf("eigenvalues.csv replaced by %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("the directory holds %v, want the old file and the directory", ents)
	}
}
