package optim

import (
	"fmt"
	"math"
)

// Schedule gives the learning rate of step t (t = 0, 1, …).
type Schedule interface {
	LR(t int) float64
}

// Constant is η_t = η.
type Constant float64

// LR implements Schedule.
func (c Constant) LR(int) float64 { return float64(c) }

// Step multiplies Base by Gamma every Every steps: η_t = Base·Gamma^⌊t/Every⌋.
type Step struct {
	Base, Gamma float64
	Every       int
}

// LR implements Schedule.
func (s Step) LR(t int) float64 {
	if s.Every <= 0 {
		return s.Base
	}
	return s.Base * math.Pow(s.Gamma, float64(t/s.Every))
}

// Cosine anneals from Max to Min over Period steps, then restarts:
// η_t = Min + (Max−Min)(1 + cos(π·(t mod Period)/Period))/2.
type Cosine struct {
	Max, Min float64
	Period   int
}

// LR implements Schedule.
func (c Cosine) LR(t int) float64 {
	if c.Period <= 0 {
		return c.Max
	}
	ph := float64(t%c.Period) / float64(c.Period)
	return c.Min + (c.Max-c.Min)*(1+math.Cos(math.Pi*ph))/2
}

// Triangular is the cyclical rate of Smith (2017): within each Period it
// rises linearly from Low to High over the first half and falls back over
// the second. η_0 = Low, η_{Period/2} = High.
type Triangular struct {
	Low, High float64
	Period    int
}

// LR implements Schedule.
func (c Triangular) LR(t int) float64 {
	if c.Period <= 0 {
		return c.Low
	}
	ph := float64(t%c.Period) / float64(c.Period) // [0, 1)
	x := 1 - math.Abs(2*ph-1)                     // 0 → 1 → 0
	return c.Low + (c.High-c.Low)*x
}

// TwoPhase is a cyclical rate with a high phase of HighSteps steps at High
// followed by a low phase of LowSteps steps at Low, repeated.
type TwoPhase struct {
	High, Low           float64
	HighSteps, LowSteps int
}

// LR implements Schedule.
func (c TwoPhase) LR(t int) float64 {
	period := c.HighSteps + c.LowSteps
	if period <= 0 || t%period < c.HighSteps {
		return c.High
	}
	return c.Low
}

// Period returns HighSteps + LowSteps, the length of one cycle.
func (c TwoPhase) Period() int { return c.HighSteps + c.LowSteps }

// ParseSchedule parses constant:η, step:η,γ,every, cosine:max,min,period,
// triangular:low,high,period or twophase:high,low,highSteps,lowSteps.
func ParseSchedule(s string) (Schedule, error) {
	var (
		a, b float64
		i, j int
	)
	scan := func(format string, args ...any) error {
		n, err := fmt.Sscanf(s, format, args...)
		if err != nil || n != len(args) {
			return fmt.Errorf("optim: schedule %q: want %s", s, format)
		}
		return nil
	}
	var sch Schedule
	var err error
	switch {
	case hasPrefix(s, "constant:"):
		err = scan("constant:%g", &a)
		sch = Constant(a)
	case hasPrefix(s, "step:"):
		err = scan("step:%g,%g,%d", &a, &b, &i)
		sch = Step{Base: a, Gamma: b, Every: i}
	case hasPrefix(s, "cosine:"):
		err = scan("cosine:%g,%g,%d", &a, &b, &i)
		sch = Cosine{Max: a, Min: b, Period: i}
	case hasPrefix(s, "triangular:"):
		err = scan("triangular:%g,%g,%d", &a, &b, &i)
		sch = Triangular{Low: a, High: b, Period: i}
	case hasPrefix(s, "twophase:"):
		err = scan("twophase:%g,%g,%d,%d", &a, &b, &i, &j)
		sch = TwoPhase{High: a, Low: b, HighSteps: i, LowSteps: j}
	default:
		return nil, fmt.Errorf("optim: schedule %q: want constant:η, step:η,γ,every, cosine:max,min,period, triangular:low,high,period or twophase:high,low,nhigh,nlow", s)
	}
	if err != nil {
		return nil, err
	}
	if i < 0 || j < 0 || math.IsNaN(a) || math.IsNaN(b) || a < 0 || b < 0 {
		return nil, fmt.Errorf("optim: schedule %q: rates and lengths must be ≥ 0", s)
	}
	return sch, nil
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }
