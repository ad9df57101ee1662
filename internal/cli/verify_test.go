package cli

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/noisegeom/noisegeom/internal/verify"
)

// perturbedReference returns a copy of the reference data with one stored
// value of one case changed in its 8th significant digit.
func perturbedReference(t *testing.T) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	for _, g := range verify.Groups {
		name := "reference/" + g + ".json"
		b, err := fs.ReadFile(verify.Reference, name)
		require.NoError(t, err)
		m[name] = &fstest.MapFile{Data: b}
	}
	var f struct {
		Generator string           `json:"generator"`
		Cases     []map[string]any `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(m["reference/escape.json"].Data, &f))
	hit := false
	for _, c := range f.Cases {
		if c["name"] == "escape/critical-n6-p3-b2-repl" {
			d := c["data"].(map[string]any)
			d["eta_sgd"] = d["eta_sgd"].(float64) * (1 + 1e-8)
			hit = true
		}
	}
	require.True(t, hit)
	b, err := json.Marshal(f)
	require.NoError(t, err)
	m["reference/escape.json"] = &fstest.MapFile{Data: b}
	return m
}

func withVerifyFS(t *testing.T, fsys fs.FS) {
	old := verifyFS
	verifyFS = fsys
	t.Cleanup(func() { verifyFS = old })
}

func TestVerifyCommand(t *testing.T) {
	names := verify.Names(verify.Load(verify.Reference))
	tests := []struct {
		desc     string
		args     []string
		perturb  bool
		code     int
		stdout   []string // substrings
		stderr   string
		lines    int // lines of stdout, 0: don't check
		checkOut func(t *testing.T, out string)
	}{
		{desc: "all pass", args: nil, code: ExitOK,
			stdout: []string{"case", "source", "max error", "tolerance", "status", "linalg/gemm-nn-37x41x23", " ok\n",
				" cases, 0 mismatches (kernel table "},
			lines: len(names) + 2},
		{desc: "only", args: []string{"--only", "escape/critical-*"}, code: ExitOK,
			stdout: []string{"escape/critical-n6-p3-b1-repl", "5 cases, 0 mismatches"}, lines: 5 + 2},
		{desc: "verbose", args: []string{"-v", "--only", "linalg/nrm2-tiny-1e-170"}, code: ExitOK,
			stdout: []string{"(n+4)ε/2", "1 case, 0 mismatches"}},
		{desc: "list", args: []string{"--list"}, code: ExitOK, lines: len(names),
			checkOut: func(t *testing.T, out string) {
				assert.Equal(t, strings.Join(names, "\n")+"\n", out)
			}},
		{desc: "list only", args: []string{"--list", "--only", "models/mlp-ce"}, code: ExitOK, lines: 5,
			stdout: []string{"models/mlp-ce-6-7-5-3/hv\n"}},
		{desc: "json", args: []string{"--json", "--only", "population/"}, code: ExitOK,
			checkOut: func(t *testing.T, out string) {
				var r struct {
					Cases   []struct{ Name, Status string }
					Summary verify.Summary
				}
				require.NoError(t, json.Unmarshal([]byte(out), &r))
				assert.Len(t, r.Cases, 3)
				assert.Equal(t, 3, r.Summary.Cases)
				assert.Equal(t, 0, r.Summary.Mismatches)
				for _, c := range r.Cases {
					assert.Equal(t, "ok", c.Status)
				}
			}},
		{desc: "perturbed reference", perturb: true, code: ExitFailure,
			stdout: []string{"MISMATCH", ", 1 mismatch (kernel table "},
			stderr: "1 of ",
			checkOut: func(t *testing.T, out string) {
				for _, l := range strings.Split(out, "\n") {
					if strings.Contains(l, "MISMATCH") {
						assert.True(t, strings.HasPrefix(l, "escape/critical-n6-p3-b2-repl "), l)
					}
				}
			}},
		{desc: "perturbed json", perturb: true, args: []string{"--json", "--only", "escape/"}, code: ExitFailure,
			stdout: []string{`"status": "MISMATCH"`, `"mismatches": 1`}},
		{desc: "perturbed but not selected", perturb: true, args: []string{"--only", "linalg/"}, code: ExitOK},
		{desc: "unknown pattern", args: []string{"--only", "no-such-case"}, code: ExitUsage, stderr: "matches no case"},
		{desc: "bad glob", args: []string{"--only", "["}, code: ExitUsage, stderr: "--only"},
		{desc: "unknown flag", args: []string{"--bogus"}, code: ExitUsage, stderr: "bogus"},
		{desc: "positional", args: []string{"linalg"}, code: ExitUsage, stderr: "unexpected argument"},
		{desc: "help", args: []string{"--help"}, code: ExitOK, stdout: []string{"--only", "--list", "--json", "-v", "make_reference.py"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			if tc.perturb {
				withVerifyFS(t, perturbedReference(t))
			}
			var out, errOut bytes.Buffer
			code := Main("noisegeom", append([]string{"verify"}, tc.args...), &out, &errOut)
			require.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
			for _, s := range tc.stdout {
				assert.Contains(t, out.String(), s)
			}
			if tc.stderr != "" {
				assert.Contains(t, errOut.String(), tc.stderr)
			}
			if tc.lines > 0 {
				assert.Len(t, strings.Split(strings.TrimRight(out.String(), "\n"), "\n"), tc.lines)
			}
			if tc.checkOut != nil {
				tc.checkOut(t, out.String())
			}
		})
	}
}

// TestVerifyFromAnyDirectory: the reference data is embedded, so verify
// does not depend on the working directory.
func TestVerifyFromAnyDirectory(t *testing.T) {
	t.Chdir(t.TempDir())
	var out, errOut bytes.Buffer
	code := Main("noisegeom", []string{"verify", "--only", "linalg/gemm-,escape/critical-"}, &out, &errOut)
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	assert.Contains(t, out.String(), "11 cases, 0 mismatches")
}
