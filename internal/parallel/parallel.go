// Package parallel is the one home of the project's fan-outs: a loop split
// into static subranges (Range), for elementwise passes and blocked
// products whose result must not depend on the partition, and a loop
// whose items are handed out as workers free up (Each), for tasks of
// uneven cost such as Monte Carlo repeats or experiment units.
//
// Both return only when every call has returned, and run the first share
// of the work on the calling goroutine, so a loop with one worker starts
// no goroutine.
package parallel

import (
	"runtime"
	"sync"
)

// Workers returns how many goroutines a pass over n items should use:
// limit (GOMAXPROCS when limit ≤ 0), but no more than n/minPer, so that
// each has at least minPer items, and at least 1.
func Workers(n, minPer, limit int) int {
	if limit <= 0 {
		limit = runtime.GOMAXPROCS(0)
	}
	return max(1, min(limit, n/max(minPer, 1)))
}

// Range calls fn on at most p consecutive subranges [lo, hi) that cover
// [0, n), concurrently. Every subrange but the last has a length that is a
// multiple of align (align ≤ 1: any length), and they are as even as that
// allows. fn must write only what its subrange owns. With p ≤ 1 or n small
// it is a plain call fn(0, n).
func Range(n, p, align int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	align = max(align, 1)
	chunk := ((n+max(p, 1)-1)/max(p, 1) + align - 1) / align * align
	if chunk >= n {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for lo := chunk; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	fn(0, chunk)
	wg.Wait()
}

// Each calls task(worker, i) once for every i in [0, n), on
// min(workers, n) goroutines (GOMAXPROCS when workers ≤ 0), worker being
// the index in [0, min(workers, n)) of the goroutine that runs it (for
// per-worker scratch state). Items are handed out in increasing order as
// workers free up; which worker runs an item is not deterministic, so a
// result must depend on i only.
func Each(n, workers int, task func(worker, i int)) {
	if n <= 0 {
		return
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	if workers == 1 {
		for i := 0; i < n; i++ {
			task(0, i)
		}
		return
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				task(w, i)
			}
		}()
	}
	// The caller is worker 0 and also feeds the others.
	done := make(chan struct{})
	go func() {
		for i := 0; i < n; i++ {
			next <- i
		}
		close(next)
		close(done)
	}()
	for i := range next {
		task(0, i)
	}
	<-done
	wg.Wait()
}
