package escape

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/noisegeom/noisegeom/models"
)

// runRepeats runs repeats 0..repeats-1 on min(workers, repeats) goroutines
// (workers ≤ 0: GOMAXPROCS). Each goroutine gets its own objective, a clone
// of obj's model on the same data, so repeats never share parameters; run
// must write only results indexed by its repeat, which keeps the outcome
// independent of the worker count. The first failing repeat, by index, is
// returned.
func runRepeats(obj *models.Objective, repeats, workers int, run func(wobj *models.Objective, r int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, repeats)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, repeats); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wobj := models.NewObjective(obj.Model.Clone(), obj.Loss, obj.X, obj.Y)
			for r := range next {
				errs[r] = run(wobj, r)
			}
		}()
	}
	for r := 0; r < repeats; r++ {
		next <- r
	}
	close(next)
	wg.Wait()
	for r, err := range errs {
		if err != nil {
			return fmt.Errorf("repeat %d: %w", r, err)
		}
	}
	return nil
}
