package linalg

import "sync"

// Packing buffers come from a pool so that a warm Gemm allocates nothing.
// A buffer is handed out by pointer (putting a slice header in a sync.Pool
// would allocate) and grown, never shrunk, when a caller needs more.
var packPool = sync.Pool{New: func() any { return new([]float64) }}

// getPack returns a pooled buffer of at least n elements; its contents are
// arbitrary. Release it with putPack.
func getPack(n int) *[]float64 {
	p := packPool.Get().(*[]float64)
	if cap(*p) < n {
		*p = make([]float64, n)
	}
	*p = (*p)[:n]
	return p
}

// putPack returns a buffer to the pool.
func putPack(p *[]float64) { packPool.Put(p) }
