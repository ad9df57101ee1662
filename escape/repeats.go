package escape

import (
	"context"
	"fmt"

	"github.com/noisegeom/noisegeom/internal/parallel"
	"github.com/noisegeom/noisegeom/models"
)

// runRepeats runs repeats r0..r1-1 through parallel.Each on
// min(workers, r1−r0) workers (workers ≤ 0: GOMAXPROCS). Each worker gets
// its own objective, a clone of obj's model on the same data, so repeats
// never share parameters; run must write only results indexed by its
// repeat, which keeps the outcome independent of the worker count and of
// the range. Once ctx is cancelled no further repeat starts and ctx.Err()
// is returned; otherwise the first failing repeat, by index.
func runRepeats(ctx context.Context, obj *models.Objective, r0, r1, workers int, run func(wobj *models.Objective, r int) error) error {
	n := r1 - r0
	if n <= 0 {
		return nil
	}
	wobjs := make([]*models.Objective, parallel.Workers(n, 1, workers))
	errs := make([]error, n)
	parallel.Each(n, workers, func(w, i int) {
		if errs[i] = ctx.Err(); errs[i] != nil {
			return
		}
		if wobjs[w] == nil {
			wobjs[w] = models.NewObjective(obj.Model.Clone(), obj.Loss, obj.X, obj.Y)
		}
		errs[i] = run(wobjs[w], r0+i)
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("repeat %d: %w", r0+i, err)
		}
	}
	return nil
}
