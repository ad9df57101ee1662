package bench

import (
	"slices"
	"testing"
)

var zen4 = Caches{L1D: 32 << 10, L2: 1 << 20, L3: 32 << 20}

func TestDefaultSizesHand(t *testing.T) {
	tests := []struct {
		kernel string
		c      Caches
		want   []int
	}{
		// dot: 16 bytes per element; targets 16 KiB, 512 KiB, 16 MiB, 128 MiB.
		{"dot", zen4, []int{1024, 32768, 1 << 20, 1 << 23}},
		// scal: 8 bytes per element.
		{"scal", zen4, []int{2048, 65536, 1 << 21, 1 << 24}},
		// gemv: 8(n²+2n) bytes; largest multiple of 16 under each target.
		{"gemv_n", zen4, []int{32, 240, 1440, 4080}},
		{"gemm", zen4, []int{256, 512, 1024}},
		// Tiny caches: the memory size is at least 64 MiB of operands.
		{"dot", Caches{L1D: 1 << 10, L2: 1 << 12, L3: 1 << 14}, []int{32, 128, 512, 1 << 22}},
		// Degenerate caches collapse to distinct sizes only.
		{"dot", Caches{}, []int{16, 1 << 22}},
	}
	for _, tt := range tests {
		k, _ := LookupKernel(tt.kernel)
		if got := DefaultSizes(k, tt.c); !slices.Equal(got, tt.want) {
			t.Errorf("DefaultSizes(%s, %+v) = %v, want %v", tt.kernel, tt.c, got, tt.want)
		}
	}
}

// TestDefaultSizesSpanCaches: for every level-1/2 kernel the default sizes
// land in L1, L2, L3 and memory in that order.
func TestDefaultSizesSpanCaches(t *testing.T) {
	for _, k := range Kernels() {
		if k.Level == 3 {
			continue
		}
		sizes := DefaultSizes(k, zen4)
		var fits []string
		for _, n := range sizes {
			fits = append(fits, Fits(k, n, zen4))
		}
		if want := []string{"L1", "L2", "L3", "mem"}; !slices.Equal(fits, want) {
			t.Errorf("%s: sizes %v fit %v, want %v", k.Name, sizes, fits, want)
		}
		if !slices.IsSorted(sizes) {
			t.Errorf("%s: sizes %v not ascending", k.Name, sizes)
		}
	}
}

func TestFits(t *testing.T) {
	dot, _ := LookupKernel("dot")
	tests := []struct {
		n    int
		want string
	}{
		{1, "L1"}, {2048, "L1"}, {2049, "L2"}, {65536, "L2"}, {65537, "L3"}, {1 << 21, "L3"}, {1<<21 + 1, "mem"},
	}
	for _, tt := range tests {
		if got := Fits(dot, tt.n, zen4); got != tt.want {
			t.Errorf("Fits(dot, %d) = %s, want %s", tt.n, got, tt.want)
		}
	}
}
