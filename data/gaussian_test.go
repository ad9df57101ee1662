package data

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"testing"

	"github.com/noisegeom/noisegeom/linalg"
	"gonum.org/v1/gonum/mat"
)

func mustSpectrum(t testing.TB, spec string, d int) Spectrum {
	t.Helper()
	s, err := ParseSpectrum(spec, d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEffectiveDimsClosedForms(t *testing.T) {
	// Power-law sums by an independent route: math.Pow, summed from the
	// small end.
	hsum := func(d int, a float64) float64 {
		var s float64
		for j := d; j >= 1; j-- {
			s += math.Pow(float64(j), -a)
		}
		return s
	}
	cases := []struct {
		spec   string
		d      int
		r2, r1 float64
	}{
		{"isotropic", 50, 50, 50},
		{"lowrank:7", 50, 7, 7},
		{"spiked:3,20", 100, math.Pow(3*20+97, 2) / (3*400 + 97), (3*20 + 97) / 20.0},
		{"spiked:2,0.5", 10, math.Pow(2*0.5+8, 2) / (2*0.25 + 8), 2*0.5 + 8},
		{"powerlaw:0", 30, 30, 30},
		{"powerlaw:1", 1000, math.Pow(hsum(1000, 1), 2) / hsum(1000, 2), hsum(1000, 1)},
		{"powerlaw:1.5", 300, math.Pow(hsum(300, 1.5), 2) / hsum(300, 3), hsum(300, 1.5)},
		{"powerlaw:0.5", 200, math.Pow(hsum(200, 0.5), 2) / hsum(200, 1), hsum(200, 0.5)},
		{"list:4,1,1,0", 4, 36.0 / 18, 6.0 / 4},
	}
	for _, c := range cases {
		s := mustSpectrum(t, c.spec, c.d)
		r2, r1 := s.EffectiveDims()
		// Sums of d positive terms: relative error ≤ 4·d·eps.
		tol := 4 * float64(c.d) * 0x1p-52
		if math.Abs(r2-c.r2) > tol*c.r2 || math.Abs(r1-c.r1) > tol*c.r1 {
			t.Errorf("%s d=%d: got (%v, %v), want (%v, %v)", c.spec, c.d, r2, r1, c.r2, c.r1)
		}
		if r2 < r1*(1-tol) || r2 > float64(c.d)*(1+tol) || r1 < 1-tol {
			t.Errorf("%s: ordering 1 ≤ r1=%v ≤ r2=%v ≤ d=%d violated", c.spec, r1, r2, c.d)
		}
	}
	// Large-d asymptotics of the power law with α = 2: Tr → ζ(2) = π²/6.
	s := mustSpectrum(t, "powerlaw:2", 100000)
	if _, r1 := s.EffectiveDims(); math.Abs(r1-math.Pi*math.Pi/6) > 1.1e-5 { // tail Σ_{j>d} j^-2 < 1/d
		t.Errorf("powerlaw:2 r1 = %v, want ζ(2) - O(1/d)", r1)
	}
}

func TestParseSpectrumErrors(t *testing.T) {
	for _, spec := range []string{"", "foo", "powerlaw", "powerlaw:x", "powerlaw:-1", "lowrank:0", "lowrank:11",
		"lowrank:1.5", "spiked:1", "spiked:11,2", "spiked:1,-2", "list:1,2", "list:0,0,0,0,0,0,0,0,0,0",
		"list:1,NaN,1,1,1,1,1,1,1,1", "isotropic:3"} {
		if _, err := ParseSpectrum(spec, 10); err == nil {
			t.Errorf("ParseSpectrum(%q) accepted", spec)
		}
	}
}

// covFromMatrix returns Tr, ‖S‖_F² and ‖S‖_op of a symmetric matrix, the
// last through gonum's eigen-solver (an independent oracle).
func covFromMatrix(t *testing.T, s *linalg.Dense) (tr, f2, op float64) {
	n := s.Rows
	sym := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		tr += s.At(i, i)
		for j := 0; j < n; j++ {
			f2 += s.At(i, j) * s.At(i, j)
			sym.SetSym(i, j, s.At(i, j))
		}
	}
	var e mat.EigenSym
	if !e.Factorize(sym, false) {
		t.Fatal("gonum EigenSym failed")
	}
	for _, v := range e.Values(nil) {
		op = math.Max(op, math.Abs(v))
	}
	return
}

func TestRotatedCovariance(t *testing.T) {
	for _, spec := range []string{"powerlaw:1", "spiked:2,10", "lowrank:5"} {
		d := 40
		sp := mustSpectrum(t, spec, d)
		g, err := NewGenerator(GaussianSpec{N: 1, Spectrum: sp, Rotate: true, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		q := g.Rotation()
		// QQᵀ = I to rounding: each entry is a d-term dot product of unit
		// vectors, error ≤ c·d·eps; CGS2 keeps orthogonality at that level.
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				want := 0.0
				if i == j {
					want = 1
				}
				if e := math.Abs(detDot(q.Row(i), q.Row(j)) - want); e > 10*float64(d)*0x1p-52 {
					t.Fatalf("%s: (QQᵀ)[%d,%d] off by %v", spec, i, j, e)
				}
			}
		}
		s := g.Covariance()
		tr, f2, op := covFromMatrix(t, s)
		r2, r1 := sp.EffectiveDims()
		tol := 100 * float64(d) * 0x1p-52
		if math.Abs(tr*tr/f2-r2) > tol*r2 || math.Abs(tr/op-r1) > tol*r1 {
			t.Errorf("%s: from matrix (%v, %v), from spectrum (%v, %v)", spec, tr*tr/f2, tr/op, r2, r1)
		}
		// Not diagonal: the off-diagonal mass is a sizeable part of ‖S‖_F.
		var off float64
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				if i != j {
					off += s.At(i, j) * s.At(i, j)
				}
			}
		}
		if off < 0.05*f2 {
			t.Errorf("%s: rotated S nearly diagonal (off-diagonal share %v)", spec, off/f2)
		}
	}
}

// TestSampleCovarianceRate checks Ŝ = XᵀX/n → S at rate 1/√n. For Gaussian
// x, E‖Ŝ − S‖_F² = (Tr(S)² + ‖S‖_F²)/n exactly (Isserlis), so the
// normalised error n·‖Ŝ − S‖_F²/(Tr² + ‖S‖_F²) has mean 1 at every n. For
// this S (d = 12, power law α = 1) a single replicate's normalised error is
// skewed with standard deviation ≈ 0.4 (measured over 1000 seeds: 1% and
// 99% quantiles 0.47 and 2.24), so the test averages R = 16 independent
// replicates (standard deviation ≈ 0.1) and requires [0.65, 1.45], about
// four standard deviations. The slope of log RMS error against log n is
// then −1/2 within 0.5·ln(1.45/0.65)/ln(n_max/n_min) ≤ 0.1.
func TestSampleCovarianceRate(t *testing.T) {
	const d, reps = 12, 16
	ns := []int{500, 2000, 8000, 32000}
	if testing.Short() {
		ns = ns[:3]
	}
	var prev []float64
	for _, rotate := range []bool{false, true} {
		sp := mustSpectrum(t, "powerlaw:1", d)
		var rms []float64
		for _, n := range ns {
			var ratio, mse float64
			for r := 0; r < reps; r++ {
				g, err := NewGenerator(GaussianSpec{N: n, Spectrum: sp, Rotate: rotate, Seed: uint64(1000*n + r)})
				if err != nil {
					t.Fatal(err)
				}
				ds := g.Generate()
				sh := linalg.NewDense(d, d)
				linalg.Gemm(linalg.T, linalg.NoTrans, 1/float64(n), ds.X, ds.X, 0, sh)
				s := g.Covariance()
				var e2, f2, tr float64
				for i := 0; i < d; i++ {
					tr += s.At(i, i)
					for j := 0; j < d; j++ {
						e2 += math.Pow(sh.At(i, j)-s.At(i, j), 2)
						f2 += s.At(i, j) * s.At(i, j)
					}
				}
				ratio += float64(n) * e2 / (tr*tr + f2) / reps
				mse += e2 / reps
			}
			if ratio < 0.65 || ratio > 1.45 {
				t.Errorf("rotate=%v n=%d: mean normalised error %v outside [0.65, 1.45]", rotate, n, ratio)
			}
			rms = append(rms, math.Sqrt(mse))
		}
		slope := math.Log(rms[len(rms)-1]/rms[0]) / math.Log(float64(ns[len(ns)-1])/float64(ns[0]))
		if math.Abs(slope+0.5) > 0.1 {
			t.Errorf("rotate=%v: error slope %v, want −1/2 ± 0.1", rotate, slope)
		}
		t.Logf("rotate=%v: RMS errors %v, slope %.3f", rotate, rms, slope)
		// The rotated inputs are Qᵀ times the unrotated ones (same seeds,
		// same z), and ‖Ŝ − S‖_F is invariant under rotation: the errors
		// agree to rounding.
		for i := range prev {
			if math.Abs(rms[i]-prev[i]) > 1e-10*prev[i] {
				t.Errorf("n=%d: rotated error %v, unrotated %v", ns[i], rms[i], prev[i])
			}
		}
		prev = rms
	}
}

func TestChunkingAndOrderInvariance(t *testing.T) {
	sp := mustSpectrum(t, "spiked:2,5", 9)
	te, err := NewTwoLayerTeacher(9, 6, 3, Tanh, 11)
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGenerator(GaussianSpec{N: 53, Spectrum: sp, Rotate: true, Seed: 5, Teacher: te, Noise: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	all := g.Generate()
	for _, chunk := range []int{1, 7, 53, 100} {
		err := g.Stream(chunk, func(start int, x, y *linalg.Dense) error {
			for r := 0; r < x.Rows; r++ {
				for j, v := range x.Row(r) {
					if math.Float64bits(v) != math.Float64bits(all.X.At(start+r, j)) {
						t.Fatalf("chunk %d: x[%d,%d] differs", chunk, start+r, j)
					}
				}
				for k, v := range y.Row(r) {
					if math.Float64bits(v) != math.Float64bits(all.Y.At(start+r, k)) {
						t.Fatalf("chunk %d: y[%d,%d] differs", chunk, start+r, k)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Backwards, one row at a time.
	x, y := linalg.NewDense(1, 9), linalg.NewDense(1, 3)
	for i := 52; i >= 0; i-- {
		g.Fill(i, x, y)
		if x.At(0, 4) != all.X.At(i, 4) || y.At(0, 2) != all.Y.At(i, 2) {
			t.Fatalf("row %d differs when generated alone", i)
		}
	}
}

func TestTeachersAndNoise(t *testing.T) {
	d, n, k := 8, 20000, 2
	sp := mustSpectrum(t, "isotropic", d)
	lt, err := NewLinearTeacher(d, k, 9)
	if err != nil {
		t.Fatal(err)
	}
	const s = 0.5
	g, err := NewGenerator(GaussianSpec{N: n, Spectrum: sp, Seed: 1, Teacher: lt, Noise: s})
	if err != nil {
		t.Fatal(err)
	}
	ds := g.Generate()
	// Residual y − Θx is the noise: mean 0, variance s² within 5 standard errors.
	f := make([]float64, d)
	var m1, m2 float64
	for i := 0; i < n; i++ {
		for kk := 0; kk < k; kk++ {
			// Independent evaluation through linalg.
			linalg.Gemv(linalg.NoTrans, 1, lt.Theta, ds.X.Row(i), 0, f[:k])
			e := ds.Y.At(i, kk) - f[kk]
			m1 += e
			m2 += e * e
		}
	}
	cnt := float64(n * k)
	if math.Abs(m1/cnt) > 5*s/math.Sqrt(cnt) || math.Abs(m2/cnt-s*s) > 5*s*s*math.Sqrt(2/cnt) {
		t.Errorf("noise mean %v var %v, want 0, %v", m1/cnt, m2/cnt, s*s)
	}
	// Two-layer teacher against a direct evaluation with the stdlib.
	for _, act := range []Activation{Tanh, ReLU, LeakyReLU, Sigmoid, Softplus, Identity} {
		tt, err := NewTwoLayerTeacher(d, 5, 3, act, 4)
		if err != nil {
			t.Fatal(err)
		}
		ref := map[Activation]func(float64) float64{
			Tanh: math.Tanh, ReLU: func(x float64) float64 { return math.Max(x, 0) },
			LeakyReLU: func(x float64) float64 {
				if x < 0 {
					return 0.01 * x
				}
				return x
			},
			Sigmoid:  func(x float64) float64 { return 1 / (1 + math.Exp(-x)) },
			Softplus: func(x float64) float64 { return math.Log1p(math.Exp(x)) },
			Identity: func(x float64) float64 { return x },
		}[act]
		x := ds.X.Row(3)
		y := make([]float64, 3)
		tt.Eval(x, y)
		for kk := 0; kk < 3; kk++ {
			var want, mag float64
			for h := 0; h < 5; h++ {
				var z float64
				for j := 0; j < d; j++ {
					z += tt.W.At(h, j) * x[j]
				}
				want += tt.A.At(kk, h) * ref(z)
				mag += math.Abs(tt.A.At(kk, h) * ref(z))
			}
			if math.Abs(y[kk]-want) > 64*0x1p-52*(mag+1) {
				t.Errorf("%v: y[%d] = %v want %v", act, kk, y[kk], want)
			}
		}
	}
	if _, err := ParseTeacher("twolayer:4:cube", 3, 1, 0); err == nil {
		t.Error("unknown activation accepted")
	}
	if _, err := NewGenerator(GaussianSpec{N: 3, Spectrum: sp, Noise: 1}); err == nil {
		t.Error("noise without teacher accepted")
	}
	if _, err := NewGenerator(GaussianSpec{N: 3, Spectrum: mustSpectrum(t, "isotropic", 3), Teacher: lt}); err == nil {
		t.Error("teacher dimension mismatch accepted")
	}
}

// goldenHash is the SHA-256 of the bits of goldenSet(), computed on amd64.
// The same value must come out on arm64 (run under qemu:
// GOARCH=arm64 go test -exec qemu-aarch64 ./data/) and with GOAMD64=v3,
// where the compiler may fuse multiply-adds.
const goldenHash = "86786d3d334eb588c33e208c3b1666fe1735f4f4fc10c993891fbceeaf7f205a"

func goldenSet(t testing.TB) []byte {
	h := sha256.New()
	put := func(m *linalg.Dense) {
		var b [8]byte
		for i := 0; i < m.Rows; i++ {
			for _, v := range m.Row(i) {
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
				h.Write(b[:])
			}
		}
	}
	for _, c := range []struct {
		spec, teacher string
		rotate        bool
	}{
		{"powerlaw:1.3", "twolayer:7:tanh", true},
		{"spiked:2,9.5", "twolayer:5:softplus", false},
		{"lowrank:3", "linear", true},
		{"isotropic", "twolayer:4:sigmoid", true},
	} {
		d := 11
		sp := mustSpectrum(t, c.spec, d)
		te, err := ParseTeacher(c.teacher, d, 3, 77)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := Generate(GaussianSpec{N: 40, Spectrum: sp, Rotate: c.rotate, Seed: 2024, Teacher: te, Noise: 0.25})
		if err != nil {
			t.Fatal(err)
		}
		put(ds.X)
		put(ds.Y)
		put(linalg.NewDenseData(1, d, sp.Values))
	}
	return h.Sum(nil)
}

func TestGoldenHashCrossArch(t *testing.T) {
	got := hex.EncodeToString(goldenSet(t))
	if got != goldenHash {
		t.Errorf("synthetic data hash %s, want %s: generation is not bit-reproducible", got, goldenHash)
	}
}

func TestGeneratorConcurrentUse(t *testing.T) {
	te, _ := NewLinearTeacher(5, 1, 2)
	g, err := NewGenerator(GaussianSpec{N: 400, Spectrum: mustSpectrum(t, "powerlaw:2", 5), Rotate: true, Seed: 6, Teacher: te, Noise: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := g.Generate()
	got := linalg.NewDense(400, 5)
	gy := linalg.NewDense(400, 1)
	done := make(chan struct{})
	for w := 0; w < 4; w++ {
		go func(w int) {
			defer func() { done <- struct{}{} }()
			g.Fill(w*100, got.RowsView(w*100, w*100+100), gy.RowsView(w*100, w*100+100))
		}(w)
	}
	for w := 0; w < 4; w++ {
		<-done
	}
	for i := range want.X.Data {
		if got.Data[i] != want.X.Data[i] {
			t.Fatalf("concurrent fill differs at %d", i)
		}
	}
	for i := range want.Y.Data {
		if gy.Data[i] != want.Y.Data[i] {
			t.Fatalf("concurrent targets differ at %d", i)
		}
	}
}
