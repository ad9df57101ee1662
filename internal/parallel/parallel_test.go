package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWorkers(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	for _, tt := range []struct{ n, minPer, limit, want int }{
		{0, 1, 4, 1},
		{10, 1, 4, 4},
		{10, 4, 4, 2},
		{10, 100, 4, 1},
		{10, 0, 3, 3},
		{1 << 20, 1, 0, procs},
	} {
		assert.Equal(t, tt.want, Workers(tt.n, tt.minPer, tt.limit), "%+v", tt)
	}
}

// TestRange: the subranges cover [0, n) exactly once, are at most p,
// aligned but for the last, and run concurrently when p > 1.
func TestRange(t *testing.T) {
	for _, tt := range []struct{ n, p, align int }{
		{0, 4, 1}, {1, 4, 1}, {7, 1, 1}, {7, 3, 1}, {100, 3, 8}, {100, 7, 8}, {9, 2, 8}, {1000, 64, 1},
	} {
		var mu sync.Mutex
		covered := make([]int, tt.n)
		var parts [][2]int
		Range(tt.n, tt.p, tt.align, func(lo, hi int) {
			mu.Lock()
			defer mu.Unlock()
			parts = append(parts, [2]int{lo, hi})
			for i := lo; i < hi; i++ {
				covered[i]++
			}
		})
		for i, c := range covered {
			require.Equal(t, 1, c, "%+v: item %d", tt, i)
		}
		assert.LessOrEqual(t, len(parts), max(tt.p, 1), "%+v", tt)
		for _, pt := range parts {
			if pt[1] != tt.n {
				assert.Zero(t, (pt[1]-pt[0])%max(tt.align, 1), "%+v: part %v", tt, pt)
			}
		}
	}
}

// TestEach: every item runs once, on a worker index in range, and with
// several workers the items really overlap (a barrier of two would
// deadlock on one goroutine).
func TestEach(t *testing.T) {
	for _, tt := range []struct{ n, workers int }{{0, 3}, {1, 3}, {5, 1}, {100, 3}, {3, 10}} {
		counts := make([]atomic.Int32, tt.n)
		Each(tt.n, tt.workers, func(w, i int) {
			assert.True(t, w >= 0 && w < max(1, min(tt.workers, tt.n)), "worker %d", w)
			counts[i].Add(1)
		})
		for i := range counts {
			assert.Equal(t, int32(1), counts[i].Load(), "%+v: item %d", tt, i)
		}
	}
	var barrier sync.WaitGroup
	barrier.Add(2)
	Each(2, 2, func(_, _ int) {
		barrier.Done()
		barrier.Wait()
	})
}
