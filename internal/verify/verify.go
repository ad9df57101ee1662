// Package verify recomputes a fixed set of reference cases with noisegeom's
// own code and compares them with reference outputs made by independent
// implementations: numpy/OpenBLAS and LAPACK (through numpy and scipy),
// exact rational arithmetic, PyTorch autograd in float64, explicit p×p
// numpy formulas, exact Gauss–Hermite quadrature, and enumeration of every
// minibatch. It backs `noisegeom verify`.
//
// The reference files (reference/*.json) are embedded into the binary, so
// verification works from any directory. Each holds the inputs and the
// outputs of its cases; reference/make_reference.py, committed beside
// them, regenerates them with /usr/bin/python3 (numpy, scipy, torch) from a
// fixed seed. The Go side reads its inputs from the files, so no
// cross-language random generator is involved.
//
// Every case yields one or more Checks, each an error measure with a
// tolerance derived from an error bound (stated in the Check and in the
// case's code): e.g. for a matrix product the componentwise bound
// |fl(AB) − AB| ≤ γ_k|A||B| on both sides. A case passes when every check
// has error ≤ tolerance (NaN fails). Malformed or missing reference data
// makes the affected case fail with an error; nothing here panics on bad
// data (a panic inside a case is recovered and reported as a failure).
package verify

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"strings"
)

// Reference holds the embedded reference files (reference/*.json).
//
//go:embed reference/*.json
var Reference embed.FS

// Groups are the reference files, in report order: reference/<group>.json.
var Groups = []string{"linalg", "models", "analysis", "escape"}

// eps is the machine epsilon of float64, 2^-52 (the unit roundoff u is eps/2).
const eps = 0x1p-52

// Check is one error measure of a case against its tolerance.
type Check struct {
	// What names the quantity and the measure, e.g. "values: max|Δλ|/‖A‖₂".
	What string `json:"what"`
	// Err is the measured error, Tol the tolerance in the same units.
	Err float64 `json:"error"`
	Tol float64 `json:"tolerance"`
}

// OK reports Err ≤ Tol with a finite tolerance (false for NaN; an
// infinite tolerance would test nothing).
func (c Check) OK() bool { return c.Err <= c.Tol && !math.IsInf(c.Tol, 0) }

// ratio is Err/Tol, +Inf for a failing check with zero tolerance or NaN.
func (c Check) ratio() float64 {
	switch {
	case math.IsNaN(c.Err) || math.IsNaN(c.Tol):
		return math.Inf(1)
	case c.Tol > 0:
		return c.Err / c.Tol
	case c.Err == 0:
		return 0
	}
	return math.Inf(1)
}

// Case is one reference case.
type Case struct {
	Name   string
	Source string // the independent implementation the reference comes from
	run    func() ([]Check, error)
}

// Result is the outcome of one case.
type Result struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	// Worst is the check with the largest error/tolerance ratio; MaxErr
	// and Tol are its error and tolerance.
	Worst  string  `json:"worst"`
	MaxErr float64 `json:"max_error"`
	Tol    float64 `json:"tolerance"`
	OK     bool    `json:"ok"`
	Status string  `json:"status"` // "ok" or "MISMATCH"
	// Error says why the case could not be evaluated (then OK is false).
	Error  string  `json:"error,omitempty"`
	Checks []Check `json:"checks"`
}

// Status strings.
const (
	StatusOK       = "ok"
	StatusMismatch = "MISMATCH"
)

// file is the layout of a reference file.
type file struct {
	Generator string            `json:"generator"`
	Versions  map[string]any    `json:"versions"`
	Cases     []json.RawMessage `json:"cases"`
}

// refCase is one case as stored.
type refCase struct {
	Name   string                     `json:"name"`
	Kind   string                     `json:"kind"`
	Source string                     `json:"source"`
	Data   map[string]json.RawMessage `json:"data"`
}

// builders maps a case kind to the function that makes its check.
var builders = map[string]func(f *fields) func() ([]Check, error){
	"gemm":        gemmCase,
	"gemv":        gemvCase,
	"nrm2":        nrm2Case,
	"eigensym":    eigenSymCase,
	"tridiag":     tridiagCase,
	"lanczos":     lanczosCase,
	"models-grad": modelsCase("grad"),
	"models-jv":   modelsCase("jv"),
	"models-jtu":  modelsCase("jtu"),
	"models-hv":   modelsCase("hv"),
	"models-gv":   modelsCase("gv"),
	"metrics":     metricsCase,
	"population":  populationCase,
	"critical":    criticalCase,
	"recursion":   recursionCase,
}

// Load reads the reference cases from fsys (Reference, or a copy in
// tests), laid out as reference/<group>.json. It never fails: a file that
// cannot be read or parsed becomes one failing case "<group>/*", a case
// with an unknown kind or malformed data a failing case of its name.
func Load(fsys fs.FS) []Case {
	var cases []Case
	for _, g := range Groups {
		name := "reference/" + g + ".json"
		fail := func(err error) {
			cases = append(cases, Case{Name: g + "/*", Source: name,
				run: func() ([]Check, error) { return nil, err }})
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			fail(fmt.Errorf("reading %s: %w", name, err))
			continue
		}
		var f file
		if err := json.Unmarshal(b, &f); err != nil {
			fail(fmt.Errorf("parsing %s: %w", name, err))
			continue
		}
		if len(f.Cases) == 0 {
			fail(fmt.Errorf("%s holds no cases", name))
			continue
		}
		for i, raw := range f.Cases {
			var rc refCase
			if err := json.Unmarshal(raw, &rc); err != nil {
				fail(fmt.Errorf("%s: case %d: %w", name, i, err))
				continue
			}
			if rc.Name == "" {
				rc.Name = fmt.Sprintf("%s/#%d", g, i)
			}
			c := Case{Name: rc.Name, Source: rc.Source}
			build, ok := builders[rc.Kind]
			switch {
			case !ok:
				err := fmt.Errorf("%s: case %s: unknown kind %q", name, rc.Name, rc.Kind)
				c.run = func() ([]Check, error) { return nil, err }
			default:
				f := &fields{data: rc.Data}
				c.run = build(f)
				if f.err != nil {
					err := fmt.Errorf("%s: case %s: %w", name, rc.Name, f.err)
					c.run = func() ([]Check, error) { return nil, err }
				}
			}
			cases = append(cases, c)
		}
	}
	return cases
}

// Select returns the cases matching any of the comma-separated patterns:
// a pattern matches a name if path.Match accepts the name or one of its
// '/'-prefixes (so "linalg/*", "*/gemm-*" or "analysis/*/dense"), or if
// it is a substring of the name. An empty pattern
// selects every case. A pattern that is malformed or matches no case is an
// error.
func Select(cases []Case, patterns string) ([]Case, error) {
	if strings.TrimSpace(patterns) == "" {
		return cases, nil
	}
	var pats []string
	for _, p := range strings.Split(patterns, ",") {
		if p = strings.TrimSpace(p); p != "" {
			pats = append(pats, p)
		}
	}
	keep := make([]bool, len(cases))
	for _, p := range pats {
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("pattern %q: %w", p, err)
		}
		hit := false
		for i, c := range cases {
			if matches(p, c.Name) {
				keep[i], hit = true, true
			}
		}
		if !hit {
			return nil, fmt.Errorf("pattern %q matches no case (see --list)", p)
		}
	}
	var out []Case
	for i, c := range cases {
		if keep[i] {
			out = append(out, c)
		}
	}
	return out, nil
}

// matches reports whether the glob p matches name or one of its
// '/'-prefixes (so "analysis/*" selects "analysis/x/gram"), or p is a
// substring of name.
func matches(p, name string) bool {
	if strings.Contains(name, p) {
		return true
	}
	parts := strings.Split(name, "/")
	for i := 1; i <= len(parts); i++ {
		if m, _ := path.Match(p, strings.Join(parts[:i], "/")); m {
			return true
		}
	}
	return false
}

// Run evaluates one case. A panic inside the case is recovered and
// reported as a failure.
func (c Case) Run() (res Result) {
	res = Result{Name: c.Name, Source: c.Source, Status: StatusMismatch}
	defer func() {
		if r := recover(); r != nil {
			res.OK, res.Status, res.Error = false, StatusMismatch, fmt.Sprintf("internal error: %v", r)
		}
	}()
	checks, err := c.run()
	res.Checks = checks
	if err == nil && len(checks) == 0 {
		err = errors.New("no checks")
	}
	if err != nil {
		res.Error = err.Error()
		res.MaxErr, res.Tol = math.NaN(), math.NaN()
		return res
	}
	worst := 0
	ok := true
	for i, ch := range checks {
		if !ch.OK() {
			ok = false
		}
		if ch.ratio() > checks[worst].ratio() {
			worst = i
		}
	}
	w := checks[worst]
	res.Worst, res.MaxErr, res.Tol, res.OK = w.What, w.Err, w.Tol, ok
	if ok {
		res.Status = StatusOK
	}
	return res
}

// RunAll evaluates the cases in order.
func RunAll(cases []Case) []Result {
	out := make([]Result, len(cases))
	for i, c := range cases {
		out[i] = c.Run()
	}
	return out
}

// Mismatches counts the results that did not pass.
func Mismatches(rs []Result) int {
	n := 0
	for _, r := range rs {
		if !r.OK {
			n++
		}
	}
	return n
}

// Names returns the case names, in order.
func Names(cases []Case) []string {
	out := make([]string, len(cases))
	for i, c := range cases {
		out[i] = c.Name
	}
	return out
}
