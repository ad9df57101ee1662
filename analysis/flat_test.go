package analysis

import (
	"strings"
	"testing"
)

// TestFlatLanczos checks the flattest nonzero directions found by Lanczos
// (the Gram path with nK > FullEigenMax, and the matrix-free path) against
// the full decomposition of the dense path: the same eigenvalues and g, on
// problems with p ≤ nK (Lanczos on G) and p > nK (Lanczos on K, on the
// Gram path by shift-invert through a Cholesky factor, with the null
// vectors of the cross-entropy factors deflated), for the square loss and
// cross-entropy.
func TestFlatLanczos(t *testing.T) {
	all := append(problems(t), ceProblems(t)[:3]...)
	for _, pr := range all {
		t.Run(pr.name, func(t *testing.T) {
			n, K, p := pr.obj.N(), pr.obj.Model.NumOutputs(), pr.obj.NumParams()
			base := Options{TopK: 2, Flat: 3, Random: -1, Seed: 2}
			d := base
			d.Path = PathDense
			dense, err := FromObjective(pr.obj, d)
			if err != nil {
				t.Fatal(err)
			}
			want := min(3, len(dense.Eigenvalues))
			for _, o := range []Options{{Path: PathGram, FullEigenMax: 2}, {Path: PathMatrixFree}} {
				o.TopK, o.Flat, o.Random, o.Seed = base.TopK, base.Flat, base.Random, base.Seed
				r, err := FromObjective(pr.obj, o)
				if err != nil {
					t.Fatalf("%s: %v", o.Path, err)
				}
				flat := 0
				for _, x := range r.Directional {
					if x.Kind == "flat" {
						flat++
					}
				}
				if flat != want || !strings.Contains(strings.Join(r.Notes, " "), "flattest directions by Lanczos") {
					t.Errorf("%s: %d flat directions, want %d; notes %q", o.Path, flat, want, r.Notes)
				}
				if o.Path == PathGram && p > n*K && !strings.Contains(strings.Join(r.Notes, " "), "Cholesky") {
					t.Errorf("gram, p > nK: no shift-invert; notes %q", r.Notes)
				}
				compareDirectional(t, o.Path, r, dense, n*K+p)
			}
		})
	}
}
