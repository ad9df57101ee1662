package analysis

import (
	"math"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
)

func TestPrincipalAnglesKnown(t *testing.T) {
	// u = span(e1, e2); v = span(cos a·e1 + sin a·e3, cos b·e2 + sin b·e4).
	a, b := 0.3, 1.1
	u := linalg.NewDense(2, 5)
	u.Set(0, 0, 1)
	u.Set(1, 1, 1)
	v := linalg.NewDense(2, 5)
	v.Set(0, 0, math.Cos(a))
	v.Set(0, 2, math.Sin(a))
	v.Set(1, 1, math.Cos(b))
	v.Set(1, 3, math.Sin(b))
	// Rotate both by the same orthogonal matrix: angles are invariant.
	q := linalg.NewDense(5, 5)
	rng := newRng(2)
	_, vecs, _ := linalg.EigenSym(func() *linalg.Dense {
		m := randDense(rng, 5, 5, 1)
		s := linalg.NewDense(5, 5)
		linalg.Syrk(linalg.NoTrans, 1, m, 0, s)
		return s
	}(), true)
	q.Copy(vecs)
	ur, vr := linalg.NewDense(2, 5), linalg.NewDense(2, 5)
	linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, u, q, 0, ur)
	linalg.Gemm(linalg.NoTrans, linalg.NoTrans, 1, v, q, 0, vr)
	got := PrincipalAngles(ur, vr)
	if len(got) != 2 || !closeTo(got[0], a, 1e-12) || !closeTo(got[1], b, 1e-12) {
		t.Errorf("angles %v, want [%v %v]", got, a, b)
	}
	// A 1-dimensional subspace against a 2-dimensional one containing it.
	if got := PrincipalAngles(u.RowsView(0, 1), ur.Slice(0, 2, 0, 5)); len(got) != 1 {
		t.Errorf("got %v", got)
	}
	if got := PrincipalAngles(u.RowsView(0, 1), u); len(got) != 1 || got[0] > 1e-7 {
		t.Errorf("contained subspace: %v", got)
	}
}

// TestAnglesPaths compares the angles between the top eigenspaces of Σ
// and G on the three paths, and checks them at a point where Σ = c²G
// exactly (zero angles).
func TestAnglesPaths(t *testing.T) {
	for _, pr := range problems(t)[:2] {
		res := map[string]*Result{}
		for _, path := range []string{PathDense, PathGram, PathMatrixFree} {
			r, err := FromObjective(pr.obj, Options{Path: path, Angles: 2, TopK: 2, Random: -1, Flat: -1})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Angles) != 2 || len(r.SigmaEigenvalues) != 2 {
				t.Fatalf("%s %s: angles %v, Σ eigenvalues %v", pr.name, path, r.Angles, r.SigmaEigenvalues)
			}
			res[path] = r
		}
		d := res[PathDense]
		for _, path := range []string{PathGram, PathMatrixFree} {
			for i := range d.Angles {
				// Lanczos eigenvectors to 1e-12 relative residual; the gaps
				// of these random problems are O(0.1): 1e-8 is ample and
				// far below the angles' size.
				if !closeTo(res[path].Angles[i], d.Angles[i], 1e-8) ||
					!closeTo(res[path].SigmaEigenvalues[i], d.SigmaEigenvalues[i], 1e-10*d.SigmaEigenvalues[0]) {
					t.Errorf("%s %s: angles %v Σ eig %v, dense %v %v", pr.name, path, res[path].Angles, res[path].SigmaEigenvalues, d.Angles, d.SigmaEigenvalues)
				}
			}
		}
	}
	// Rows in pairs (x, y−c), (x, y+c) at θ: r = ±c, ∇L = 0, so Σ = Σ₁ = c²G.
	rng := newRng(9)
	d, half := 4, 15
	x := linalg.NewDense(2*half, d)
	y := linalg.NewDense(2*half, 1)
	m := models.NewLinear(d, 1)
	perturb(rng, m.Params(), 1)
	xs := randDense(rng, half, d, 1)
	const c = 0.7
	for i := 0; i < half; i++ {
		copy(x.Row(2*i), xs.Row(i))
		copy(x.Row(2*i+1), xs.Row(i))
		f := linalg.Dot(xs.Row(i), m.Params())
		y.Set(2*i, 0, f-c)
		y.Set(2*i+1, 0, f+c)
	}
	obj := models.NewObjective(m, models.Square{}, x, y)
	for _, path := range []string{PathDense, PathGram, PathMatrixFree} {
		r, err := FromObjective(obj, Options{Path: path, Angles: 3, Random: -1})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range r.Angles {
			if a > 1e-6 {
				t.Errorf("%s: Σ = c²G but angles %v", path, r.Angles)
			}
		}
		// And μ = μ_c = 1, g = 1 along every eigenvector: Σ = 2L·G.
		if !closeTo(r.Mu.Value, 1, 1e-12) || !closeTo(r.MuC.Value, 1, 1e-12) {
			t.Errorf("%s: Σ = 2L·G but mu %v mu_c %v", path, r.Mu, r.MuC)
		}
		for _, dd := range r.Directional {
			if !closeTo(dd.G.Value, 1, 1e-10) {
				t.Errorf("%s: g(%s %d) = %v, want 1", path, dd.Kind, dd.K, dd.G)
			}
		}
	}
}

// TestHessianDirections checks g along the top eigenvectors of H against
// the dense H (eigenvalues) and, for a model linear in θ (H = G), against
// the top eigen-directions of G.
func TestHessianDirections(t *testing.T) {
	for _, pr := range problems(t) {
		r, err := FromObjective(pr.obj, Options{Path: PathDense, TopK: 2, HessianTop: 2, Random: -1, Flat: -1})
		if err != nil {
			t.Fatal(err)
		}
		m, _ := Dense(pr.obj, true)
		vals, _, _ := linalg.EigenSym(m.H, false)
		p := len(vals)
		if len(r.HEigenvalues) != 2 {
			t.Fatalf("%s: %v", pr.name, r.HEigenvalues)
		}
		for i, v := range r.HEigenvalues {
			if !closeTo(v, vals[p-1-i], 1e-10*math.Abs(vals[p-1])) {
				t.Errorf("%s: H eigenvalue %d = %v, dense %v", pr.name, i, v, vals[p-1-i])
			}
		}
		if pr.linear && pr.obj.Model.NumOutputs() == 1 {
			var top, toph []Directional
			for _, d := range r.Directional {
				switch d.Kind {
				case "top":
					top = append(top, d)
				case "top_h":
					toph = append(toph, d)
				}
			}
			for i := range toph {
				if !closeTo(toph[i].G.Value, top[i].G.Value, 1e-8) || !closeTo(toph[i].LambdaH, toph[i].Lambda, 1e-10*toph[i].Lambda) {
					t.Errorf("%s: H = G but g %v vs %v, λ_H %v vs vᵀGv %v", pr.name, toph[i].G, top[i].G, toph[i].LambdaH, toph[i].Lambda)
				}
			}
		}
	}
}
