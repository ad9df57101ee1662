package verify

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"math"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/noisegeom/noisegeom/linalg"
)

// copyFS copies the embedded reference files of the given groups (all if
// none) into a MapFS that tests may modify. The files left out load as
// failing "<group>/*" cases, which the tests' patterns do not select.
func copyFS(t *testing.T, groups ...string) fstest.MapFS {
	t.Helper()
	if len(groups) == 0 {
		groups = Groups
	}
	m := fstest.MapFS{}
	for _, g := range groups {
		name := "reference/" + g + ".json"
		b, err := fs.ReadFile(Reference, name)
		require.NoError(t, err)
		m[name] = &fstest.MapFile{Data: b}
	}
	return m
}

// mutate applies fn to the data of the named case in a copy of the
// reference files (numbers kept exactly as written, via json.Number; the
// other cases are copied as raw JSON).
func mutate(t *testing.T, m fstest.MapFS, group, caseName string, fn func(data map[string]any)) {
	t.Helper()
	name := "reference/" + group + ".json"
	var f map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(m[name].Data, &f))
	var cases []json.RawMessage
	require.NoError(t, json.Unmarshal(f["cases"], &cases))
	found := false
	for i, raw := range cases {
		var head struct{ Name string }
		require.NoError(t, json.Unmarshal(raw, &head))
		if head.Name != caseName {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var c map[string]any
		require.NoError(t, dec.Decode(&c))
		fn(c["data"].(map[string]any))
		b, err := json.Marshal(c)
		require.NoError(t, err)
		cases[i] = b
		found = true
	}
	require.True(t, found, "case %s not in %s", caseName, name)
	b, err := json.Marshal(cases)
	require.NoError(t, err)
	f["cases"] = b
	b, err = json.Marshal(f)
	require.NoError(t, err)
	m[name] = &fstest.MapFile{Data: b}
}

// scaleEntry multiplies entry i of an array field (i < 0: a scalar field)
// by (1 + rel) and adds abs.
func scaleEntry(field string, i int, rel, abs float64) func(map[string]any) {
	return func(d map[string]any) {
		f := func(v any) any {
			x, err := v.(json.Number).Float64()
			if err != nil {
				panic(err)
			}
			return x*(1+rel) + abs
		}
		if i < 0 {
			d[field] = f(d[field])
			return
		}
		d[field].([]any)[i] = f(d[field].([]any)[i])
	}
}

func resultsByName(rs []Result) map[string]Result {
	m := map[string]Result{}
	for _, r := range rs {
		m[r.Name] = r
	}
	return m
}

// TestEveryCasePasses runs every reference case on the kernel table in
// use (CI runs the command on every table, with purego and under qemu).
func TestEveryCasePasses(t *testing.T) {
	cases := Load(Reference)
	require.GreaterOrEqual(t, len(cases), 50)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			r := c.Run()
			require.Empty(t, r.Error)
			assert.True(t, r.OK, "%s: %s error %.3g > tolerance %.3g", r.Name, r.Worst, r.MaxErr, r.Tol)
			assert.Equal(t, StatusOK, r.Status)
			assert.NotEmpty(t, r.Source)
			for _, ch := range r.Checks {
				assert.False(t, math.IsInf(ch.Tol, 0) || math.IsNaN(ch.Tol) || ch.Tol < 0, "%s: tolerance %g", ch.What, ch.Tol)
				assert.LessOrEqual(t, ch.Err, ch.Tol, ch.What)
			}
		})
	}
}

// TestNamesUniqueAndGrouped: names are unique and start with their area.
func TestNamesUniqueAndGrouped(t *testing.T) {
	seen := map[string]bool{}
	prefixes := []string{"linalg/", "models/", "analysis/", "population/", "escape/"}
	for _, n := range Names(Load(Reference)) {
		assert.False(t, seen[n], "duplicate %s", n)
		seen[n] = true
		ok := false
		for _, p := range prefixes {
			ok = ok || strings.HasPrefix(n, p)
		}
		assert.True(t, ok, n)
	}
}

// TestPerturbedReferenceIsMismatch: a small change to one stored value,
// far below anything visible in a plot but far above rounding, must be
// reported as MISMATCH for that case and only that case.
func TestPerturbedReferenceIsMismatch(t *testing.T) {
	tests := []struct {
		group, name string
		mut         func(map[string]any)
	}{
		{"linalg", "linalg/gemm-nt-37x41x23", scaleEntry("c", 100, 1e-10, 0)},
		{"linalg", "linalg/gemv-t-31x53", scaleEntry("y", 3, 1e-10, 0)},
		{"linalg", "linalg/nrm2-huge-1e170", scaleEntry("norm", -1, 1e-12, 0)},
		{"linalg", "linalg/eigensym-50", scaleEntry("values", 7, 0, 1e-9)},
		{"linalg", "linalg/eigensym-repeated-48", scaleEntry("vectors", 50, 0, 1e-6)},
		{"linalg", "linalg/tridiag-wilkinson-21", scaleEntry("values", 20, 1e-9, 0)},
		{"linalg", "linalg/lanczos-top5-400", scaleEntry("values", 4, 1e-8, 0)},
		{"models", "models/two-layer-tanh-d5-m8/hv", scaleEntry("out", 0, 1e-9, 0)},
		{"models", "models/mlp-ce-6-7-5-3/grad", scaleEntry("value", -1, 1e-9, 0)},
		{"models", "models/diagonal-product-d6/gv", scaleEntry("out", 11, 1e-9, 0)},
		{"analysis", "analysis/two-layer-tanh-n10-d4-m6/gram", scaleEntry("mu_c", -1, 1e-9, 0)},
		{"analysis", "analysis/tanh-k2-n9-d3-m4/matrixfree", scaleEntry("top_g", 1, 1e-7, 0)},
		{"analysis", "population/d4-at-optimum", scaleEntry("mu_c", -1, 1e-9, 0)},
		{"escape", "escape/critical-n6-p3-b2-norepl", scaleEntry("eta_sgd", -1, 1e-9, 0)},
		{"escape", "escape/exact-sgd-repl-b2-n6-p3-escaping", scaleEntry("d", 10, 1e-8, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := copyFS(t, tc.group)
			mutate(t, m, tc.group, tc.name, tc.mut)
			// The perturbed case and a neighbour in the file, which must
			// still pass (all of them pass in TestEveryCasePasses; running
			// them all again per perturbation is slow under qemu and -race).
			all := Load(m)
			var cases []Case
			for i, c := range all {
				if c.Name == tc.name {
					j := i + 1
					if j == len(all) || strings.HasSuffix(all[j].Name, "/*") {
						j = i - 1
					}
					cases = append(cases, c, all[j])
				}
			}
			require.Len(t, cases, 2)
			rs := RunAll(cases)
			byName := resultsByName(rs)
			require.Contains(t, byName, tc.name)
			r := byName[tc.name]
			assert.False(t, r.OK)
			assert.Equal(t, StatusMismatch, r.Status)
			assert.Empty(t, r.Error, "a perturbed value is a mismatch, not a read error")
			assert.Greater(t, r.MaxErr, r.Tol)
			assert.Equal(t, 1, Mismatches(rs), "only the perturbed case fails")
			var out bytes.Buffer
			require.NoError(t, WriteTable(&out, rs, false))
			assert.Regexp(t, `(?m)^`+strings.ReplaceAll(tc.name, ".", `\.`)+` .*MISMATCH$`, out.String())
			assert.Contains(t, out.String(), ", 1 mismatch (kernel table ")
		})
	}
}

// TestBadDataFailsWithoutPanic: unreadable files, missing fields, wrong
// lengths, non-numbers and unknown kinds are failures with a message.
func TestBadDataFailsWithoutPanic(t *testing.T) {
	tests := []struct {
		desc    string
		group   string
		edit    func(t *testing.T, m fstest.MapFS)
		failing string // case name that must fail
		errLike string
	}{
		{"missing file", "escape", func(t *testing.T, m fstest.MapFS) { delete(m, "reference/escape.json") }, "escape/*", "reading reference/escape.json"},
		{"truncated file", "models", func(t *testing.T, m fstest.MapFS) {
			m["reference/models.json"].Data = m["reference/models.json"].Data[:1000]
		}, "models/*", "parsing reference/models.json"},
		{"no cases", "analysis", func(t *testing.T, m fstest.MapFS) {
			m["reference/analysis.json"].Data = []byte(`{"cases": []}`)
		}, "analysis/*", "no cases"},
		{"missing field", "linalg", func(t *testing.T, m fstest.MapFS) {
			mutate(t, m, "linalg", "linalg/gemm-nn-37x41x23", func(d map[string]any) { delete(d, "c") })
		}, "linalg/gemm-nn-37x41x23", `field "c" missing`},
		{"short array", "linalg", func(t *testing.T, m fstest.MapFS) {
			mutate(t, m, "linalg", "linalg/eigensym-50", func(d map[string]any) { d["values"] = d["values"].([]any)[:10] })
		}, "linalg/eigensym-50", `field "values" has 10 values, want 50`},
		{"huge dimension", "linalg", func(t *testing.T, m fstest.MapFS) {
			mutate(t, m, "linalg", "linalg/tridiag-random-200", func(d map[string]any) { d["n"] = 1 << 40 })
		}, "linalg/tridiag-random-200", "out of range"},
		{"negative dimension", "escape", func(t *testing.T, m fstest.MapFS) {
			mutate(t, m, "escape", "escape/exact-gd-n6-p3", func(d map[string]any) { d["p"] = -3 })
		}, "escape/exact-gd-n6-p3", "out of range"},
		{"string for number", "escape", func(t *testing.T, m fstest.MapFS) {
			mutate(t, m, "escape", "escape/critical-n6-p3-b1-repl", func(d map[string]any) { d["eta_sgd"] = "fast" })
		}, "escape/critical-n6-p3-b1-repl", `field "eta_sgd"`},
		{"bad layers", "models", func(t *testing.T, m fstest.MapFS) {
			mutate(t, m, "models", "models/mlp-ce-6-7-5-3/jv", func(d map[string]any) { d["layers"] = `[{"In": 2, "Out": 3}]` })
		}, "models/mlp-ce-6-7-5-3/jv", "layer 0"},
		{"unknown kind", "linalg", func(t *testing.T, m fstest.MapFS) {
			name := "reference/linalg.json"
			m[name].Data = bytes.Replace(m[name].Data, []byte(`"kind":"nrm2"`), []byte(`"kind":"nrm3"`), 1)
		}, "linalg/nrm2-tiny-1e-170", `unknown kind "nrm3"`},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			m := copyFS(t, tc.group)
			tc.edit(t, m)
			var rs []Result
			require.NotPanics(t, func() {
				cases, err := Select(Load(m), tc.failing)
				require.NoError(t, err)
				rs = RunAll(cases)
			})
			byName := resultsByName(rs)
			require.Contains(t, byName, tc.failing)
			r := byName[tc.failing]
			assert.False(t, r.OK)
			assert.Equal(t, StatusMismatch, r.Status)
			assert.Contains(t, r.Error, tc.errLike)
			assert.True(t, math.IsNaN(r.MaxErr))
			var out bytes.Buffer
			require.NoError(t, WriteTable(&out, rs, false))
			assert.Contains(t, out.String(), "error: ")
			out.Reset()
			require.NoError(t, WriteJSON(&out, rs))
			var parsed struct {
				Cases []struct {
					Name   string   `json:"name"`
					MaxErr *float64 `json:"max_error"`
					Error  string   `json:"error"`
				} `json:"cases"`
			}
			require.NoError(t, json.Unmarshal(out.Bytes(), &parsed), "JSON stays valid with NaN errors")
		})
	}
}

func TestPanicInCaseIsFailure(t *testing.T) {
	c := Case{Name: "x/boom", Source: "test", run: func() ([]Check, error) { panic("boom") }}
	r := c.Run()
	assert.False(t, r.OK)
	assert.Equal(t, StatusMismatch, r.Status)
	assert.Contains(t, r.Error, "boom")
}

func TestCheckOK(t *testing.T) {
	tests := []struct {
		err, tol float64
		ok       bool
	}{
		{1, 2, true}, {2, 2, true}, {3, 2, false}, {0, 0, true}, {1e-300, 0, false},
		{math.NaN(), 1, false}, {1, math.NaN(), false}, {1, math.Inf(1), false}, {math.Inf(1), 1, false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.ok, Check{Err: tc.err, Tol: tc.tol}.OK(), "err %g tol %g", tc.err, tc.tol)
	}
}

func TestSelect(t *testing.T) {
	all := Load(Reference)
	tests := []struct {
		pattern string
		want    int // -1: an error
		each    string
	}{
		{"", len(all), ""},
		{"linalg/*", 21, "linalg/"},
		{"*/gemm-*", 6, "/gemm-"},
		{"gemm", 6, "gemm"},
		{"analysis/*/dense", 2, "/dense"},
		{"escape/critical-*", 5, "escape/critical-"},
		{"gemv, nrm2", 8, ""},
		{"linalg/eigensym-50", 1, "eigensym-50"},
		{"no-such-case", -1, ""},
		{"gemm,no-such-case", -1, ""},
		{"[", -1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			got, err := Select(all, tc.pattern)
			if tc.want < 0 {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Len(t, got, tc.want)
			for _, c := range got {
				assert.Contains(t, c.Name, tc.each)
			}
		})
	}
}

func TestReferenceSmall(t *testing.T) {
	total := 0
	for _, g := range Groups {
		b, err := fs.ReadFile(Reference, "reference/"+g+".json")
		require.NoError(t, err)
		total += len(b)
	}
	assert.Less(t, total, 1<<20, "embedded reference data must stay below 1 MB")
}

func TestWriteTableAndJSON(t *testing.T) {
	rs := RunAll(Load(Reference))
	var out bytes.Buffer
	require.NoError(t, WriteTable(&out, rs, false))
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	require.Len(t, lines, len(rs)+2, "header, one line per case, summary")
	assert.Regexp(t, `^case +source +max error +tolerance +status$`, lines[0])
	assert.Equal(t, Summarize(rs).String(), lines[len(lines)-1])
	assert.Regexp(t, `^\d+ cases, 0 mismatches \(kernel table `+linalg.Implementation()+`, \w+\)$`, lines[len(lines)-1])

	out.Reset()
	require.NoError(t, WriteTable(&out, rs[:2], true))
	assert.Contains(t, out.String(), "tolerance")
	assert.Contains(t, out.String(), "2(k+2)ε")

	out.Reset()
	require.NoError(t, WriteJSON(&out, rs))
	var parsed struct {
		Cases []struct {
			Name   string  `json:"name"`
			MaxErr float64 `json:"max_error"`
			Tol    float64 `json:"tolerance"`
			Status string  `json:"status"`
			Checks []struct {
				What string `json:"what"`
			} `json:"checks"`
		} `json:"cases"`
		Summary Summary `json:"summary"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &parsed))
	require.Len(t, parsed.Cases, len(rs))
	assert.Equal(t, len(rs), parsed.Summary.Cases)
	assert.Equal(t, 0, parsed.Summary.Mismatches)
	for i, c := range parsed.Cases {
		assert.Equal(t, rs[i].Name, c.Name)
		assert.Equal(t, StatusOK, c.Status)
		assert.NotEmpty(t, c.Checks)
	}
}

func TestSummaryString(t *testing.T) {
	assert.Equal(t, "3 cases, 1 mismatch (kernel table generic, arm64)",
		Summary{Cases: 3, Mismatches: 1, Kernels: "generic", GOARCH: "arm64"}.String())
	assert.Equal(t, "3 cases, 0 mismatches (kernel table avx512, amd64)",
		Summary{Cases: 3, Kernels: "avx512", GOARCH: "amd64"}.String())
}
