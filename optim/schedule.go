package optim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
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

// String methods give the form ParseSchedule reads, with the shortest
// decimal that round-trips each rate.

func (c Constant) String() string { return "constant:" + fmtRates(float64(c)) }

func (s Step) String() string { return fmt.Sprintf("step:%s,%d", fmtRates(s.Base, s.Gamma), s.Every) }

func (c Cosine) String() string { return fmt.Sprintf("cosine:%s,%d", fmtRates(c.Max, c.Min), c.Period) }

func (c Triangular) String() string {
	return fmt.Sprintf("triangular:%s,%d", fmtRates(c.Low, c.High), c.Period)
}

func (c TwoPhase) String() string {
	return fmt.Sprintf("twophase:%s,%d,%d", fmtRates(c.High, c.Low), c.HighSteps, c.LowSteps)
}

// fmtRates joins rates with commas, each in its shortest exact form.
func fmtRates(v ...float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

// scheduleForms are the forms ParseSchedule accepts: the prefix, then
// the names of its comma-separated arguments (rates first, then lengths).
var scheduleForms = []struct {
	name  string
	rates []string
	lens  []string
}{
	{"constant", []string{"η"}, nil},
	{"step", []string{"η", "γ"}, []string{"every"}},
	{"cosine", []string{"max", "min"}, []string{"period"}},
	{"triangular", []string{"low", "high"}, []string{"period"}},
	{"twophase", []string{"high", "low"}, []string{"nhigh", "nlow"}},
}

// positiveRate names the schedule arguments that must be > 0 (the others
// may be 0).
var positiveRate = map[string]bool{"η": true, "γ": true, "max": true, "high": true}

// ParseSchedule parses constant:η, step:η,γ,every, cosine:max,min,period,
// triangular:low,high,period or twophase:high,low,nhigh,nlow.
//
// Rates are finite; the peak rate (η, max, high) and γ are > 0, the
// others ≥ 0. every and period are ≥ 1; nhigh and nlow are ≥ 0 with a
// sum ≥ 1. An error names the form expected and the offending argument.
func ParseSchedule(s string) (Schedule, error) {
	name, args, _ := strings.Cut(s, ":")
	for _, f := range scheduleForms {
		if f.name != name {
			continue
		}
		want := name + ":" + strings.Join(append(append([]string(nil), f.rates...), f.lens...), ",")
		bad := func(format string, a ...any) error {
			return fmt.Errorf("optim: schedule %q: want %s; %s", s, want, fmt.Sprintf(format, a...))
		}
		parts := strings.Split(args, ",")
		if len(parts) != len(f.rates)+len(f.lens) {
			return nil, bad("got %d values, want %d", len(parts), len(f.rates)+len(f.lens))
		}
		r := make([]float64, len(f.rates))
		for k, arg := range f.rates {
			v, err := strconv.ParseFloat(parts[k], 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, bad("%s = %q is not a finite number", arg, parts[k])
			}
			if v < 0 || v == 0 && positiveRate[arg] {
				return nil, bad("%s = %g must be %s", arg, v, map[bool]string{true: "> 0", false: "≥ 0"}[positiveRate[arg]])
			}
			r[k] = v
		}
		n := make([]int, len(f.lens))
		for k, arg := range f.lens {
			least := 0
			if arg == "every" || arg == "period" {
				least = 1
			}
			v, err := strconv.Atoi(parts[len(f.rates)+k])
			if err != nil || v < least {
				return nil, bad("%s = %q must be an integer ≥ %d", arg, parts[len(f.rates)+k], least)
			}
			n[k] = v
		}
		switch name {
		case "constant":
			return Constant(r[0]), nil
		case "step":
			return Step{Base: r[0], Gamma: r[1], Every: n[0]}, nil
		case "cosine":
			return Cosine{Max: r[0], Min: r[1], Period: n[0]}, nil
		case "triangular":
			return Triangular{Low: r[0], High: r[1], Period: n[0]}, nil
		}
		if n[0]+n[1] < 1 {
			return nil, bad("nhigh + nlow must be ≥ 1")
		}
		return TwoPhase{High: r[0], Low: r[1], HighSteps: n[0], LowSteps: n[1]}, nil
	}
	return nil, fmt.Errorf("optim: schedule %q: want constant:η, step:η,γ,every, cosine:max,min,period, triangular:low,high,period or twophase:high,low,nhigh,nlow", s)
}
