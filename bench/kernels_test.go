package bench

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func names(ks []*Kernel) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.Name
	}
	return out
}

func TestSelectKernels(t *testing.T) {
	tests := []struct {
		in      []string
		want    []string
		wantErr string
	}{
		{in: nil, want: []string{"dot", "axpy", "gemv_n", "gemv_t", "gemm", "syrk"}},
		{in: []string{"default"}, want: []string{"dot", "axpy", "gemv_n", "gemv_t", "gemm", "syrk"}},
		{in: []string{"gemv"}, want: []string{"gemv_n", "gemv_t"}},
		{in: []string{"syrk", " GEMM ", "dot", "dot"}, want: []string{"dot", "gemm", "syrk"}},
		{in: []string{"level3"}, want: []string{"gemm", "gemm_tn", "gemm_nt", "syrk"}},
		{in: []string{"level1", "scal"}, want: []string{"dot", "axpy", "axpby", "scal", "asum", "nrm2"}},
		{in: []string{"all"}, want: KernelNames()},
		{in: []string{"dot", "nope"}, wantErr: `unknown kernel "nope"`},
		{in: []string{""}, wantErr: `unknown kernel ""`},
	}
	for _, tt := range tests {
		got, err := SelectKernels(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("SelectKernels(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(names(got), tt.want) {
			t.Errorf("SelectKernels(%q) = %v, %v; want %v", tt.in, names(got), err, tt.want)
		}
	}
}

// TestUnknownKernelListsChoices: the message must let the user fix the call.
func TestUnknownKernelListsChoices(t *testing.T) {
	_, err := SelectKernels([]string{"nope"})
	for _, name := range append(KernelNames(), GroupNames()...) {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list %q", err, name)
		}
	}
}

func TestKernelsRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kernels() {
		if seen[k.Name] {
			t.Errorf("duplicate kernel %q", k.Name)
		}
		seen[k.Name] = true
		if _, isGroup := groups[k.Name]; isGroup {
			t.Errorf("kernel %q shadows a group", k.Name)
		}
		if k.Level < 1 || k.Level > 3 || k.Summary == "" || k.setup == nil {
			t.Errorf("kernel %q incompletely defined", k.Name)
		}
		for _, n := range []int{1, 7, 100} {
			if !(k.Flops(n) > 0 && k.Bytes(n) > 0 && k.Footprint(n) > 0) {
				t.Errorf("%s(n=%d): flops %v, bytes %v, footprint %v; want all positive",
					k.Name, n, k.Flops(n), k.Bytes(n), k.Footprint(n))
			}
		}
	}
}

// TestFlopCounts checks each count against a hand computation.
func TestFlopCounts(t *testing.T) {
	tests := []struct {
		kernel       string
		n            int
		flops, bytes float64
	}{
		{"dot", 1000, 2000, 16000},
		{"axpy", 1000, 2000, 24000},
		{"axpby", 10, 30, 240},
		{"scal", 10, 10, 160},
		{"asum", 10, 10, 80},
		{"nrm2", 10, 20, 80},
		{"gemv_n", 100, 20000, 8 * (10000 + 200)},
		{"gemv_t", 100, 20000, 8 * (10000 + 200)},
		{"ger", 10, 200, 8 * (200 + 20)},
		{"symv", 10, 200, 8 * (55 + 20)},
		{"gemm", 100, 2e6, 8 * 3e4},
		{"gemm_tn", 100, 2e6, 8 * 3e4},
		{"gemm_nt", 100, 2e6, 8 * 3e4},
		{"syrk", 10, 10 * 10 * 11, 8 * 200},
	}
	for _, tt := range tests {
		k, ok := LookupKernel(tt.kernel)
		if !ok {
			t.Fatalf("no kernel %q", tt.kernel)
		}
		if got := k.Flops(tt.n); got != tt.flops {
			t.Errorf("%s.Flops(%d) = %v, want %v", tt.kernel, tt.n, got, tt.flops)
		}
		if got := k.Bytes(tt.n); got != tt.bytes {
			t.Errorf("%s.Bytes(%d) = %v, want %v", tt.kernel, tt.n, got, tt.bytes)
		}
	}
	// Huge sizes must not overflow int arithmetic.
	k, _ := LookupKernel("gemm")
	if got := k.Flops(1 << 22); got != 2*math.Pow(2, 66) {
		t.Errorf("gemm.Flops(2^22) = %v, want 2^67", got)
	}
}
