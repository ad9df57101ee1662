package cli

import (
	"fmt"
	"math"

	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/models"
)

// Fashion-MNIST's shape (training split), for checking the problem flags
// and estimating memory before the files are read.
const (
	fashionD        = 28 * 28
	fashionClasses  = 10
	fashionPerClass = 6000
)

// defaultMemoryMB is align's default --memory (the path choice budget);
// train, escape and cyclical default to the machine's memory (--memory 0,
// see memoryBudget).
const defaultMemoryMB = 1024

// problemSpec is what the shared problem flags determine without any I/O:
// the parsed values and the sizes of the data and the model.
type problemSpec struct {
	act     models.Activation
	classes []int // fashion-mnist: classes kept (nil: all)
	// n is the number of samples (fashion-mnist: at most --n, fewer when
	// the classes kept hold fewer), d the input dimension, outputs K.
	n, d, outputs int
	// p is the number of trainable parameters, frozen the model's fixed
	// weights (both as floats: huge flags must not overflow).
	p, frozen float64
	// bytes estimates the peak memory of the data and the model.
	bytes float64
}

// checkProblem validates the shared problem flags (align, train, escape,
// cyclical) on the flags alone, so that a usage error is exit 2 whether
// or not the data exists, and estimates the memory of the data and the
// model (problemSpec.bytes; checkProblemMemory compares it with the
// budget, a command with more to hold adds its own parts).
func checkProblem(f *alignFlags) (*problemSpec, error) {
	if f.n < 1 {
		return nil, alignUsagef("--n must be ≥ 1, got %d", f.n)
	}
	if f.width < 1 {
		return nil, alignUsagef("--width must be ≥ 1, got %d", f.width)
	}
	act, err := models.ParseActivation(f.activation)
	if err != nil {
		return nil, alignUsagef("--activation: %v", err)
	}
	s := &problemSpec{act: act, n: f.n, d: f.d, outputs: 1}
	switch f.data {
	case "synthetic":
		if f.d < 1 {
			return nil, alignUsagef("--d must be ≥ 1, got %d", f.d)
		}
		if !(f.noise >= 0) || math.IsInf(f.noise, 0) {
			return nil, alignUsagef("--noise must be finite and ≥ 0, got %v", f.noise)
		}
	case "fashion-mnist":
		if err := checkFashionFlags(f, s); err != nil {
			return nil, err
		}
	default:
		return nil, alignUsagef("--data %q: want synthetic or fashion-mnist", f.data)
	}
	if s.p, s.frozen, err = modelSize(f.model, s.d, s.outputs, f.width, f.bias); err != nil {
		return nil, err
	}
	s.bytes = problemBytes(f.data, s)
	return s, nil
}

// checkProblemMemory refuses (usage error) a problem whose data and model
// do not fit the budget of --memory (memoryBudget), then checks
// --spectrum (it holds d values, so only after the memory check).
func checkProblemMemory(f *alignFlags, s *problemSpec) error {
	budget, err := memoryBudget(f.memoryMB)
	if err != nil {
		return err
	}
	if err := budget.check(memPart{fmt.Sprintf("the data and the model (n = %d, d = %d, K = %d, p = %.0f: lower --n, --d or --width)",
		s.n, s.d, s.outputs, s.p), s.bytes}); err != nil {
		return err
	}
	return checkSpectrum(f)
}

// checkSpectrum parses --spectrum for synthetic data; call it after a
// memory check that covers d.
func checkSpectrum(f *alignFlags) error {
	if f.data != "synthetic" {
		return nil
	}
	if _, err := data.ParseSpectrum(f.spectrum, f.d); err != nil {
		return alignUsagef("--spectrum: %v", err)
	}
	return nil
}

// checkFashionFlags checks --classes and --targets against Fashion-MNIST's
// ten classes and sets the sizes of s.
func checkFashionFlags(f *alignFlags, s *problemSpec) error {
	classes, err := parseInts(f.classes)
	if err != nil {
		return alignUsagef("--classes: %v", err)
	}
	seen := map[int]bool{}
	for _, c := range classes {
		if c < 0 || c >= fashionClasses {
			return alignUsagef("--classes: class %d outside [0, %d)", c, fashionClasses)
		}
		if seen[c] {
			return alignUsagef("--classes: class %d given twice", c)
		}
		seen[c] = true
	}
	s.classes = classes
	kept := len(classes)
	if kept == 0 {
		kept = fashionClasses
	}
	switch f.targets {
	case "onehot":
		s.outputs = kept
	case "sign":
		if kept != 2 {
			return alignUsagef("--targets sign needs exactly two --classes, got %d", kept)
		}
		s.outputs = 1
	default:
		return alignUsagef("--targets %q: want onehot or sign", f.targets)
	}
	s.d = fashionD
	s.n = min(f.n, kept*fashionPerClass)
	return nil
}

// modelSize returns the trainable and frozen parameter counts of the
// model family of --model for d inputs and K outputs (the factory's
// models.Spec.Size), without allocating it.
func modelSize(model string, d, K, width int, bias bool) (p, frozen float64, err error) {
	spec, err := alignSpec(model, d, K, width, bias)
	if err != nil {
		return 0, 0, err
	}
	return spec.Size()
}

// problemBytes estimates the peak memory of building the problem: the
// inputs and targets, the model three times (student, teacher and its
// draw), and for synthetic data the d×d population covariance and
// rotation; for Fashion-MNIST the loaded training split (bytes and float64
// values), the class subset and the subsample.
func problemBytes(source string, s *problemSpec) float64 {
	fn, fd, fK := float64(s.n), float64(s.d), float64(s.outputs)
	b := 8*fn*fK + 3*8*(s.p+s.frozen)
	if source == "synthetic" {
		return b + 8*fn*fd + 2*8*fd*fd
	}
	available := fashionClasses * fashionPerClass
	b += float64(available*fashionD) * (1 + 8)
	if len(s.classes) > 0 {
		available = len(s.classes) * fashionPerClass
		b += 8 * float64(available*fashionD)
	}
	if s.n < available {
		b += 8 * fn * fd
	}
	return b
}

// fmtMB formats bytes in MB.
func fmtMB(b float64) string { return fmt.Sprintf("%.4g MB", b/1e6) }
