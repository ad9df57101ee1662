package cli

import (
	"github.com/noisegeom/noisegeom/data"
)

// syntheticSpec is Gaussian synthetic data as both `data --synthetic` and
// the problem flags (align, train, escape, cyclical) describe it.
type syntheticSpec struct {
	n, d     int
	spectrum string
	rotate   bool
	// teacher is "none", "linear" or "twolayer:WIDTH[:ACT]" (data's
	// teachers, drawn from seed), with outputs K.
	teacher string
	outputs int
	noise   float64
	seed    uint64
}

// newSyntheticGenerator returns the generator of s and its teacher (nil
// for "none"). It is the one place synthetic data is drawn from flags: the
// same flags and seed give bit-identical inputs, teacher and labels in
// every command, so `data --synthetic --export` writes exactly what align
// measured. Errors are data.ErrSpec errors.
func newSyntheticGenerator(s syntheticSpec) (*data.Generator, data.Teacher, error) {
	sp, err := data.ParseSpectrum(s.spectrum, s.d)
	if err != nil {
		return nil, nil, err
	}
	var te data.Teacher
	if s.teacher != "none" {
		if te, err = data.ParseTeacher(s.teacher, sp.D(), s.outputs, s.seed); err != nil {
			return nil, nil, err
		}
	}
	gen, err := data.NewGenerator(data.GaussianSpec{N: s.n, Spectrum: sp, Rotate: s.rotate, Seed: s.seed, Teacher: te, Noise: s.noise})
	if err != nil {
		return nil, nil, err
	}
	return gen, te, nil
}
