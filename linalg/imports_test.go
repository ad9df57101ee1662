package linalg_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// vtModule is this module's path.
const vtModule = "github.com/noisegeom/noisegeom"

// vtNumerical are the numerical packages, relative to the module root;
// those that do not exist (yet) are skipped.
var vtNumerical = []string{"linalg", "models", "data", "analysis", "optim", "escape", "internal/experiments", "internal/report", "internal/verify"}

// vtCore are the packages below experiments and report (README.md#layout:
// cmd → experiments/report → analysis/optim/escape → models/data → linalg);
// none of them may import the layers above.
var vtCore = []string{"linalg", "models", "data", "analysis", "optim", "escape"}

// vtUpper are the layers the core must not import.
var vtUpper = []string{"internal/experiments", "internal/report", "internal/verify", "bench", "internal/cli", "cmd/noisegeom"}

// vtAllowedImport reports whether a numerical package may depend on path
// (which is not in the standard library).
func vtAllowedImport(path string) bool {
	switch {
	case path == "github.com/klauspost/cpuid/v2" || strings.HasPrefix(path, "github.com/klauspost/cpuid/v2/"):
		return true
	case path == "golang.org/x/sys" || strings.HasPrefix(path, "golang.org/x/sys/"):
		return true
	case path == vtModule+"/internal/openblas" || path == vtModule+"/internal/floattest":
		return false // the cgo benchmark peer and the test helpers
	case strings.HasPrefix(path, vtModule+"/"):
		return true // our own packages, whose dependencies are listed too
	}
	return false
}

// TestNumericalImports checks, with go list -deps, that the numerical
// packages (and everything they import, transitively, outside tests)
// import nothing beyond the standard library, github.com/klauspost/cpuid/v2
// and golang.org/x/sys, with and without the purego tag.
func TestNumericalImports(t *testing.T) {
	goCmd, root := vtGoAndRoot(t)
	var pkgs []string
	for _, p := range vtNumerical {
		if m, _ := filepath.Glob(filepath.Join(root, p, "*.go")); len(m) > 0 {
			pkgs = append(pkgs, "./"+p)
		}
	}
	if len(pkgs) == 0 || pkgs[0] != "./linalg" {
		t.Fatalf("numerical packages not found under %s: %v", root, pkgs)
	}
	t.Logf("checking %v", pkgs)
	for _, tags := range []string{"", "purego"} {
		args := []string{"list", "-deps", "-tags=" + tags, "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}
		cmd := exec.Command(goCmd, append(args, pkgs...)...)
		cmd.Dir = root
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list (tags %q): %v\n%s", tags, err, stderr.String())
		}
		deps := strings.Fields(string(out))
		if len(deps) == 0 {
			t.Fatalf("go list (tags %q) listed nothing", tags)
		}
		for _, dep := range deps {
			if !vtAllowedImport(dep) {
				t.Errorf("tags %q: a numerical package depends on %s (allowed: standard library, github.com/klauspost/cpuid/v2, golang.org/x/sys)", tags, dep)
			}
		}
	}
}

func TestAllowedImportRule(t *testing.T) {
	for path, want := range map[string]bool{
		"github.com/klauspost/cpuid/v2":           true,
		"golang.org/x/sys/cpu":                    true,
		"golang.org/x/sys/unix":                   true,
		vtModule + "/linalg":                      true,
		vtModule + "/internal/openblas":           false,
		vtModule + "/internal/floattest":          false,
		"gonum.org/v1/gonum/mat":                  false,
		"github.com/stretchr/testify/assert":      false,
		"github.com/klauspost/cpuid":              false,
		"golang.org/x/sysfoo":                     false,
		"github.com/noisegeom/noisegeom-fork/pkg": false,
	} {
		if got := vtAllowedImport(path); got != want {
			t.Errorf("vtAllowedImport(%q) = %v, want %v", path, got, want)
		}
	}
}

// TestLayering checks that the arrows point one way: no core package
// depends, even transitively, on experiments, report, verify, bench or the
// command line.
func TestLayering(t *testing.T) {
	goCmd, root := vtGoAndRoot(t)
	for _, p := range vtCore {
		cmd := exec.Command(goCmd, "list", "-deps", "-f", "{{.ImportPath}}", "./"+p)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list ./%s: %v", p, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, up := range vtUpper {
				if dep == vtModule+"/"+up {
					t.Errorf("%s depends on %s, a layer above it", p, up)
				}
			}
		}
	}
}

// vtGoAndRoot returns the go command and the module's root directory, or
// skips the test when either cannot be found.
func vtGoAndRoot(t *testing.T) (goCmd, root string) {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go command not found: %v", err)
	}
	out, err := exec.Command(goCmd, "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Skipf("cannot locate the module with go list: %v", err)
	}
	return goCmd, strings.TrimSpace(string(out))
}
