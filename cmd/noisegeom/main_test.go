package main

import (
	"bytes"
	"encoding/json"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
)

// call runs the program with args and returns its exit code and output.
func call(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestExitCodesAndMessages(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		stdout   []string // substrings of stdout
		stderr   []string // substrings of stderr
		quietOut bool     // stdout must be empty
	}{
		{args: nil, code: 2, stderr: []string{"Usage: noisegeom", "bench", "version"}, quietOut: true},
		{args: []string{"--help"}, code: 0, stdout: []string{"Usage: noisegeom", "bench", "version", "Exit codes"}},
		{args: []string{"-h"}, code: 0, stdout: []string{"Commands:"}},
		{args: []string{"help"}, code: 0, stdout: []string{"Commands:"}},
		{args: []string{"help", "bench"}, code: 0, stdout: []string{"noisegeom bench", "--kernel"}},
		{args: []string{"help", "nope"}, code: 2, stderr: []string{`unknown command "nope"`}},
		{args: []string{"frobnicate"}, code: 2, stderr: []string{`unknown command "frobnicate"`, "align, bench, cyclical, data, escape, merge, reproduce, spectrum, train, verify, version"}, quietOut: true},
		{args: []string{"version", "--help"}, code: 0, stdout: []string{"--json", "--tables"}},
		{args: []string{"version", "--bogus"}, code: 2, stderr: []string{"-bogus", "noisegeom version --help"}, quietOut: true},
		{args: []string{"version", "extra"}, code: 2, stderr: []string{`unexpected argument "extra"`}},
		{args: []string{"bench", "--help"}, code: 0,
			stdout: []string{"--kernel", "--n", "--threads", "--impl", "--json", "--min-time", "--repeats", "--max-op-time"}},
		{args: []string{"bench", "-h"}, code: 0, stdout: []string{"--kernel"}},
		{args: []string{"bench", "--impl", "nope"}, code: 2,
			stderr: append([]string{`"nope"`, "available"}, linalg.Implementations()...), quietOut: true},
		{args: []string{"bench", "--impl", "generic,avx9"}, code: 2, stderr: []string{`"avx9"`}},
		{args: []string{"bench", "--n", "0"}, code: 2, stderr: []string{`"0"`, "-n"}, quietOut: true},
		{args: []string{"bench", "--threads", "-1"}, code: 2, stderr: []string{`"-1"`, "-threads"}},
		{args: []string{"bench", "--kernel", "nope"}, code: 2, stderr: []string{`"nope"`, "dot"}},
		{args: []string{"bench", "--min-time", "0s"}, code: 2, stderr: []string{`"0s"`}},
		{args: []string{"bench", "--kernel", "gemm", "--n", "200000"}, code: 2, stderr: []string{"n=200000", "limit"}},
		{args: []string{"bench", "now"}, code: 2, stderr: []string{`unexpected argument "now"`}},
	}
	for _, tt := range tests {
		code, stdout, stderr := call(tt.args...)
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d (stderr %q)", tt.args, code, tt.code, stderr)
		}
		for _, s := range tt.stdout {
			if !strings.Contains(stdout, s) {
				t.Errorf("%q: stdout lacks %q:\n%s", tt.args, s, stdout)
			}
		}
		for _, s := range tt.stderr {
			if !strings.Contains(stderr, s) {
				t.Errorf("%q: stderr lacks %q:\n%s", tt.args, s, stderr)
			}
		}
		if tt.quietOut && stdout != "" {
			t.Errorf("%q: stdout %q, want nothing", tt.args, stdout)
		}
		if tt.code == 0 && stderr != "" {
			t.Errorf("%q: stderr %q on success", tt.args, stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, errOut := call("version")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, s := range []string{"noisegeom ", runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH,
		"kernels       " + linalg.Implementation(), strings.Join(linalg.Implementations(), ", "), "L1D ", "defaulted:"} {
		if !strings.Contains(out, s) {
			t.Errorf("version output lacks %q:\n%s", s, out)
		}
	}
}

func TestVersionJSON(t *testing.T) {
	code, out, _ := call("version", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var m struct {
		Version   string   `json:"version"`
		GoVersion string   `json:"go_version"`
		GOARCH    string   `json:"goarch"`
		Impl      string   `json:"impl_default"`
		Impls     []string `json:"impls_available"`
		L1D       int      `json:"l1d_bytes"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if m.Version == "" || m.GoVersion != runtime.Version() || m.GOARCH != runtime.GOARCH ||
		m.Impl != linalg.Implementation() || !slices.Equal(m.Impls, linalg.Implementations()) || m.L1D <= 0 {
		t.Errorf("version --json = %+v", m)
	}
}

func TestVersionTables(t *testing.T) {
	code, out, _ := call("version", "--tables")
	if got := strings.Fields(out); code != 0 || !slices.Equal(got, linalg.Implementations()) {
		t.Errorf("version --tables: exit %d, %q; want %q", code, got, linalg.Implementations())
	}
}

var tinyBench = []string{"bench", "--kernel", "dot,gemm", "--n", "16", "--threads", "1", "--min-time", "1ms", "--repeats", "1"}

func TestBenchJSON(t *testing.T) {
	code, out, errOut := call(append(tinyBench, "--json", "--impl", "generic")...)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if errOut != "" {
		t.Errorf("stderr %q: no progress lines when stderr is not a terminal", errOut)
	}
	var results []map[string]any
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(results) != 2 {
		t.Fatalf("%d results, want 2 (dot, gemm)", len(results))
	}
	for i, r := range results {
		for _, k := range []string{"kernel", "impl", "n", "threads", "gflops", "ns_per_op", "gbps", "peak_fraction", "machine"} {
			if _, ok := r[k]; !ok {
				t.Errorf("result %d lacks %q: %v", i, k, r)
			}
		}
		if r["impl"] != "generic" || r["n"] != 16.0 || r["threads"] != 1.0 || !(r["gflops"].(float64) > 0) {
			t.Errorf("result %d = %v", i, r)
		}
	}
	if results[0]["kernel"] != "dot" || results[1]["kernel"] != "gemm" {
		t.Errorf("kernels %v, %v; want dot, gemm", results[0]["kernel"], results[1]["kernel"])
	}
}

func TestBenchTable(t *testing.T) {
	code, out, errOut := call(tinyBench...)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "dot ") || strings.HasPrefix(line, "gemm ") {
			rows++
		}
	}
	if want := 2 * len(linalg.Implementations()); rows != want || !strings.Contains(out, "GFLOP/s") {
		t.Errorf("%d rows, want %d:\n%s", rows, want, out)
	}
}
