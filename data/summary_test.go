package data

import (
	"math"
	"testing"
)

func TestSummaryMatchesDirect(t *testing.T) {
	te, _ := NewLinearTeacher(6, 2, 3)
	ds, err := Generate(GaussianSpec{N: 5000, Spectrum: mustSpectrum(t, "spiked:1,8", 6), Rotate: true, Seed: 4, Teacher: te, Noise: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < ds.N(); i++ { // offset so the shift trick matters
		for j := range ds.X.Row(i) {
			ds.X.Row(i)[j] += 100
		}
	}
	s, err := Summarize(ds, 3)
	if err != nil {
		t.Fatal(err)
	}
	c, mean := Covariance(ds.X)
	var tr, f2 float64
	for i := 0; i < 6; i++ {
		tr += c.At(i, i)
		for j := 0; j < 6; j++ {
			f2 += c.At(i, j) * c.At(i, j)
		}
	}
	want, _, _ := gonumTopK(c, 3)
	close := func(a, b, rel float64) bool { return math.Abs(a-b) <= rel*math.Max(1, math.Abs(b)) }
	if !close(s.Sample.Trace, tr, 1e-11) || !close(s.Sample.EffDimF, tr*tr/f2, 1e-10) || !close(s.Sample.EffDimOp, tr/want[0], 1e-8) {
		t.Errorf("sample spectrum %+v, want tr %v r2 %v r1 %v", s.Sample, tr, tr*tr/f2, tr/want[0])
	}
	var m float64
	for _, v := range mean {
		m += v / 6
	}
	if !close(s.InputMean, m, 1e-13) {
		t.Errorf("input mean %v want %v", s.InputMean, m)
	}
	// Population dims: spiked 1×8 over 5 ones: Tr = 13, ‖S‖_F² = 69, op = 8.
	if !close(s.Population.EffDimF, 169.0/69, 1e-15) || !close(s.Population.EffDimOp, 13.0/8, 1e-15) {
		t.Errorf("population %+v", s.Population)
	}
	// Target stats against a direct two-pass computation.
	for k := 0; k < 2; k++ {
		col := ds.Y.Col(make([]float64, ds.N()), k)
		var mu, v float64
		for _, x := range col {
			mu += x
		}
		mu /= float64(len(col))
		for _, x := range col {
			v += (x - mu) * (x - mu)
		}
		sd := math.Sqrt(v / float64(len(col)))
		if !close(s.Targets[k].Mean, mu, 1e-12) || !close(s.Targets[k].Std, sd, 1e-12) {
			t.Errorf("target %d: %+v want mean %v sd %v", k, s.Targets[k], mu, sd)
		}
	}
	lab := labelled(10, 3)
	ls, _ := Summarize(lab, 0)
	if ls.Sample != nil || ls.ClassCounts[0] != 4 || ls.ClassCounts[2] != 3 {
		t.Errorf("labels summary %+v", ls)
	}
}
