package experiments

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/noisegeom/noisegeom/analysis"
	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/internal/report"
	"github.com/noisegeom/noisegeom/linalg"
	"github.com/noisegeom/noisegeom/models"
	"github.com/noisegeom/noisegeom/optim"
)

// The "directional" experiment (docs/theory.md#the-papers-claims, claim 3): the directional
// alignment g(θ; v) = vᵀΣv/(2L·vᵀGv) is of order one uniformly over
// directions v. For three single-output models at a point with nonzero loss
// it measures g along the top-k eigenvectors of G, along the flattest
// nonzero ones and along random unit directions (the control), for several
// seeds; for linear regression on Gaussian inputs it also compares g along
// the sample top eigenvectors with the population closed form
// g(v) = 1 + (vᵀSδ)²/(2L·vᵀSv) (docs/theory.md#gaussian-linear-regression).

func init() {
	register(&Experiment{
		Name:      "directional",
		Title:     "Directional alignment g along eigen-directions and random directions",
		Claim:     "The directional alignment g(θ; v) = vᵀΣv / (2L·vᵀGv) is of order one uniformly over directions v: along the sharpest eigen-directions of G, the flattest nonzero ones and random directions alike, the SGD noise in a direction is about 2L times the curvature in it (docs/theory.md#the-papers-claims, claim 3).",
		Plan:      planDirectional,
		Result:    func() any { return new(dirResult) },
		Summarize: summarizeDirectional,
	})
}

// Band for "g of order one", fixed before any measurement (see
// directionalMethod for the reasoning).
const (
	dirBandLo = 0.25
	dirBandHi = 10.0
	// dirZMax is the tolerance of the finite-sample versus population
	// comparison, in delta-method standard errors.
	dirZMax = 4.0
)

// dirModels are the model families, in report order.
var dirModels = []string{"linear", "twolayer", "twolayer-trained", "diagonal"}

// dirSizes are the sizes of one scale.
type dirSizes struct {
	seeds                        int
	linD, linN                   int // linear regression: d, n
	tlD, tlM, tlN                int // two-layer tanh network: d, width m, n
	tlSteps                      int // GD steps for the trained two-layer point
	tlLR                         float64
	diagD, diagN                 int // diagonal linear network: d, n
	top, flat, random            int
	linNoise, linOffset, netNois float64
}

func directionalSizes(s Scale) dirSizes {
	z := dirSizes{linNoise: 0.5, linOffset: 1, netNois: 0.1, tlLR: 0.5}
	switch s {
	case Tiny:
		z.seeds = 2
		z.linD, z.linN = 8, 200
		z.tlD, z.tlM, z.tlN, z.tlSteps = 5, 6, 120, 20
		z.diagD, z.diagN = 6, 120
		z.top, z.flat, z.random = 3, 3, 3
	case Full:
		z.seeds = 5
		z.linD, z.linN = 100, 20000
		z.tlD, z.tlM, z.tlN, z.tlSteps = 30, 64, 6000, 1000
		z.diagD, z.diagN = 100, 10000
		z.top, z.flat, z.random = 20, 20, 20
	default:
		z.seeds = 5
		z.linD, z.linN = 60, 6000
		z.tlD, z.tlM, z.tlN, z.tlSteps = 20, 50, 3000, 300
		z.diagD, z.diagN = 60, 3000
		z.top, z.flat, z.random = 15, 15, 15
	}
	return z
}

// dirUnitID is the unit of one model and seed index.
func dirUnitID(model string, seed int) string {
	return fmt.Sprintf("%s-seed%d", model, seed)
}

func planDirectional(cfg Config) ([]Unit, error) {
	z := directionalSizes(cfg.Scale)
	var units []Unit
	for mi, model := range dirModels {
		for s := 0; s < z.seeds; s++ {
			model, mi, s := model, mi, s
			seed := cfg.Seed*1000003 + uint64(100*mi+s)
			units = append(units, Unit{
				ID: dirUnitID(model, s),
				Run: func(ctx context.Context) (Record, error) {
					if err := ctx.Err(); err != nil {
						return Record{}, err
					}
					res, err := directionalUnit(model, z, seed)
					if err != nil {
						return Record{}, fmt.Errorf("directional %s seed %d: %w", model, s, err)
					}
					res.Seed = s
					return newRecord(res)
				},
			})
		}
	}
	return units, nil
}

// dirProblem is one model at its measurement point with its data.
type dirProblem struct {
	obj *models.Objective
	// Linear regression only: population covariance, δ = θ − θ*, s².
	popS   *linalg.Dense
	delta  []float64
	noise2 float64
}

// gaussianInputs draws n samples of x ~ N(0, S) with S = diag(spectrum).
func gaussianInputs(sp data.Spectrum, n int, seed uint64) (*data.Generator, *linalg.Dense, error) {
	gen, err := data.NewGenerator(data.GaussianSpec{N: n, Spectrum: sp, Seed: seed})
	if err != nil {
		return nil, nil, err
	}
	return gen, gen.Generate().X, nil
}

// buildDirProblem builds model (linear, twolayer, diagonal) at the sizes z
// from seed.
func buildDirProblem(model string, z dirSizes, seed uint64) (*dirProblem, error) {
	rng := rand.New(rand.NewPCG(seed, 0x646972))
	switch model {
	case "linear":
		// Linear regression, x ~ N(0, S) with S = diag(j^−1), teacher
		// θ* ~ N(0, I/d), label noise s, evaluated at θ = θ* + δ with δ
		// random of S-norm δᵀSδ = linOffset² (nonzero loss, and a
		// gradient term (vᵀSδ)² that is not negligible).
		sp, err := data.PowerLaw(z.linD, 1)
		if err != nil {
			return nil, err
		}
		gen, x, err := gaussianInputs(sp, z.linN, seed)
		if err != nil {
			return nil, err
		}
		d := z.linD
		theta := make([]float64, d)
		for i := range theta {
			theta[i] = rng.NormFloat64() / math.Sqrt(float64(d))
		}
		y := linalg.NewDense(z.linN, 1)
		linalg.Gemv(linalg.NoTrans, 1, x, theta, 0, y.Data)
		for i := range y.Data {
			y.Data[i] += z.linNoise * rng.NormFloat64()
		}
		delta := make([]float64, d)
		var sNorm float64
		for i := range delta {
			delta[i] = rng.NormFloat64()
			sNorm += sp.Values[i] * delta[i] * delta[i]
		}
		linalg.Scal(z.linOffset/math.Sqrt(sNorm), delta)
		m, err := linearAt(theta, delta)
		if err != nil {
			return nil, err
		}
		return &dirProblem{obj: models.NewObjective(m, models.Square{}, x, y),
			popS: gen.Covariance(), delta: delta, noise2: z.linNoise * z.linNoise}, nil
	case "twolayer", "twolayer-trained":
		// f(x) = (1/√m)·Σ_k a_k tanh(w_kᵀx), a_k = ±1 fixed, x ~ N(0, I),
		// labels from a teacher of the same architecture (seed+1) plus
		// noise; the student at its initialisation.
		sp, err := data.Isotropic(z.tlD)
		if err != nil {
			return nil, err
		}
		_, x, err := gaussianInputs(sp, z.tlN, seed)
		if err != nil {
			return nil, err
		}
		spec := models.Spec{Family: "twolayer", Inputs: z.tlD, Width: z.tlM, Act: models.Tanh}
		teacher, err := newModel(spec, true, seed+1)
		if err != nil {
			return nil, err
		}
		student, err := newModel(spec, true, seed)
		if err != nil {
			return nil, err
		}
		y := linalg.NewDense(z.tlN, 1)
		teacher.Predict(y, x)
		for i := range y.Data {
			y.Data[i] += z.netNois * rng.NormFloat64()
		}
		obj := models.NewObjective(student, models.Square{}, x, y)
		if model == "twolayer-trained" {
			// Full-batch GD from the initialisation: a point where the
			// residuals have been shaped by training (loss nonzero: the
			// label noise and the student–teacher mismatch remain).
			o, err := optim.New(obj, optim.Config{Batch: 0, Schedule: optim.Constant(z.tlLR)})
			if err != nil {
				return nil, err
			}
			if _, err := optim.Run(o, optim.RunConfig{Steps: z.tlSteps}); err != nil {
				return nil, err
			}
		}
		return &dirProblem{obj: obj}, nil
	case "diagonal":
		// f(x) = ⟨u⊙v, x⟩, x ~ N(0, I), a 5-sparse linear teacher with
		// unit entries plus noise; the student at the initialisation
		// u, v = α(1 + ½ξ), α = d^−1/4 (G has rank d of p = 2d).
		sp, err := data.Isotropic(z.diagD)
		if err != nil {
			return nil, err
		}
		_, x, err := gaussianInputs(sp, z.diagN, seed)
		if err != nil {
			return nil, err
		}
		w := make([]float64, z.diagD)
		for i := 0; i < min(5, z.diagD); i++ {
			w[i] = 1
		}
		y := linalg.NewDense(z.diagN, 1)
		linalg.Gemv(linalg.NoTrans, 1, x, w, 0, y.Data)
		for i := range y.Data {
			y.Data[i] += z.netNois * rng.NormFloat64()
		}
		m, err := newModel(models.Spec{Family: "diagonal", Inputs: z.diagD, Diagonal: models.Product}, true, seed)
		if err != nil {
			return nil, err
		}
		return &dirProblem{obj: models.NewObjective(m, models.Square{}, x, y)}, nil
	}
	return nil, fmt.Errorf("unknown model %q", model)
}

// dirResult is one model at one seed: the point, the directions of
// analysis.FromObjective (kinds top, flat, random) and, for linear
// regression, one Explicit entry per top eigenvector of the sample G
// with the population closed form along it.
type dirResult struct {
	Seed       int            `json:"seed"`
	Point      dirPoint       `json:"point"`
	Directions []dirDirection `json:"directions"`
	Explicit   []dirExplicit  `json:"explicit"`
}

// dirPoint describes the measurement point (μ NaN: undefined).
type dirPoint struct {
	Model string  `json:"model"`
	Path  string  `json:"path"`
	Loss  float64 `json:"loss"`
	N     int     `json:"n"`
	P     int     `json:"p"`
	Mu    float64 `json:"mu"`
	Rank  int     `json:"rank"`
}

// dirDirection is g along the k-th direction of a kind (NaN: undefined).
type dirDirection struct {
	Kind    string  `json:"kind"`
	K       int     `json:"k"`
	Lambda  float64 `json:"lambda"`
	G       float64 `json:"g"`
	VSigmaV float64 `json:"v_sigma_v"`
}

// dirExplicit is the sample g along the k-th top eigenvector of the
// sample G, its standard error and the population closed form.
type dirExplicit struct {
	K      int     `json:"k"`
	Lambda float64 `json:"lambda"`
	G      float64 `json:"g"`
	SE     float64 `json:"se"`
	GPop   float64 `json:"g_pop"`
}

// directionalUnit measures one model at one seed.
func directionalUnit(model string, z dirSizes, seed uint64) (dirResult, error) {
	pb, err := buildDirProblem(model, z, seed)
	if err != nil {
		return dirResult{}, err
	}
	res, err := directionalPoint(model, pb.obj, z.top, z.flat, z.random, seed)
	if err != nil {
		return dirResult{}, err
	}
	if pb.popS != nil {
		if res.Explicit, err = linearPopulation(pb, z.top); err != nil {
			return dirResult{}, err
		}
	}
	return res, nil
}

// directionalPoint runs the analysis (automatic path) and returns the point
// and its directional alignments.
func directionalPoint(model string, obj *models.Objective, top, flat, random int, seed uint64) (dirResult, error) {
	res, err := analysis.FromObjective(obj, analysis.Options{TopK: top, Flat: flat, Random: random, Seed: seed})
	if err != nil {
		return dirResult{}, err
	}
	out := dirResult{Point: dirPoint{Model: model, Path: res.Path, Loss: res.Loss, N: res.N, P: res.P,
		Mu: rdMetric(res.Mu), Rank: len(res.Eigenvalues)}}
	for _, d := range res.Directional {
		out.Directions = append(out.Directions, dirDirection{Kind: d.Kind, K: d.K, Lambda: d.Lambda, G: rdMetric(d.G),
			VSigmaV: d.VSigmaV})
	}
	return out, nil
}

// rdMetric is a metric's value, NaN when undefined.
func rdMetric(m analysis.Metric) float64 {
	if !m.Defined {
		return math.NaN()
	}
	return m.Value
}

// linearPopulation computes, along the top eigenvectors û_k of the
// sample G = XᵀX/n of linear regression, the sample g with its
// delta-method standard error (dirAlong) and the population closed form
// g(û_k) = 1 + (û_kᵀSδ)²/(2L·û_kᵀSû_k).
func linearPopulation(pb *dirProblem, top int) ([]dirExplicit, error) {
	x := pb.obj.X
	d := x.Cols
	g := linalg.NewDense(d, d)
	linalg.Syrk(linalg.T, 1/float64(x.Rows), x, 0, g)
	vals, vecs, err := linalg.EigenSym(g, true)
	if err != nil {
		return nil, err
	}
	lg := analysis.LinearGaussian{S: pb.popS, Delta: pb.delta, Noise2: pb.noise2}
	u := make([]float64, d)
	var rows []dirExplicit
	for k := 1; k <= min(top, d); k++ {
		j := d - k
		vecs.Col(u, j)
		al := dirAlong(pb.obj, u)
		pop := lg.Directional(u)
		rows = append(rows, dirExplicit{K: k, Lambda: vals[j], G: al.g, SE: al.se, GPop: rdMetric(pop)})
	}
	return rows, nil
}

// dirAlongResult is g along one direction with its standard error.
type dirAlongResult struct {
	g, se, vGv float64
}

// dirAlong computes g(θ; v) = vᵀΣv/(2L·vᵀGv) of a single-output objective
// from the residuals r_i and z_i = (Jv)_i, with vᵀΣv = mean(r²z²) −
// mean(rz)², 2L = mean(r²), vᵀGv = mean(z²)/‖v‖², and the delta-method
// standard error of g over the n samples: with A = mean(r²z²) − m²,
// m = mean(rz), B = mean(r²), C = mean(z²), g = A/(B·C) and the influence of
// sample i is φ_i = g·[(r_i²z_i² − 2m·r_iz_i − A + m²)/A − (r_i² − B)/B −
// (z_i² − C)/C], SE = √(Σφ_i²)/n.
func dirAlong(obj *models.Objective, v []float64) dirAlongResult {
	n := obj.N()
	r := linalg.NewDense(n, 1)
	obj.Residuals(r)
	z := linalg.NewDense(n, 1)
	obj.JVP(z, v)
	var a, m, b, c float64
	for i := 0; i < n; i++ {
		ri, zi := r.Data[i], z.Data[i]
		a += ri * ri * zi * zi
		m += ri * zi
		b += ri * ri
		c += zi * zi
	}
	nf := float64(n)
	a, m, b, c = a/nf, m/nf, b/nf, c/nf
	A := a - m*m
	g := A / (b * c)
	var ss float64
	for i := 0; i < n; i++ {
		ri, zi := r.Data[i], z.Data[i]
		phi := g * ((ri*ri*zi*zi-2*m*ri*zi-A+m*m)/A - (ri*ri-b)/b - (zi*zi-c)/c)
		ss += phi * phi
	}
	return dirAlongResult{g: g, se: math.Sqrt(ss) / nf, vGv: c / linalg.Dot(v, v)}
}

// rdQuantiles returns the minimum, median and maximum of the finite
// values of xs and how many there were.
func rdQuantiles(xs []float64) (lo, med, hi float64, n int) {
	var v []float64
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return math.NaN(), math.NaN(), math.NaN(), 0
	}
	sort.Float64s(v)
	med = v[len(v)/2]
	if len(v)%2 == 0 {
		med = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return v[0], med, v[len(v)-1], len(v)
}

// rdSeries builds a series from x, mean and SE arrays (error bars ±1 SE
// where the SE is finite).
func rdSeries(label string, x, mean, se []float64, style string) report.Series {
	s := report.Series{Label: label, X: x, Y: mean, Style: style}
	has := false
	lo, hi := make([]float64, len(mean)), make([]float64, len(mean))
	for i := range mean {
		if math.IsNaN(se[i]) {
			lo[i], hi[i] = mean[i], mean[i]
			continue
		}
		has = true
		lo[i], hi[i] = mean[i]-se[i], mean[i]+se[i]
	}
	if has {
		s.ErrLo, s.ErrHi = lo, hi
	}
	return s
}

func rdFmt(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

var dirModelTitle = map[string]string{
	"linear":           "linear regression",
	"twolayer":         "two-layer tanh network",
	"twolayer-trained": "two-layer tanh network after GD",
	"diagonal":         "diagonal linear network",
}

func directionalMethod(z dirSizes) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Three single-output models (four points), %d seeds each (seed varies data, teacher and point), square loss with the one-half convention:\n\n", z.seeds)
	fmt.Fprintf(&b, "- **linear regression**: d = %d, x ~ N(0, S), S = diag(j⁻¹) (power law), teacher θ* ~ N(0, I/d), label noise s = %g, n = %d, at θ = θ* + δ with δ random of S-norm δᵀSδ = %g;\n", z.linD, z.linNoise, z.linN, z.linOffset*z.linOffset)
	fmt.Fprintf(&b, "- **two-layer tanh network** f = m^−½ Σ_k a_k tanh(w_kᵀx), a_k = ±1 fixed, d = %d, m = %d (p = %d), n = %d, labels from a teacher of the same architecture plus noise %g, at the student's initialisation and (\"after GD\") after %d steps of full-batch gradient descent at η = %g from it;\n", z.tlD, z.tlM, z.tlD*z.tlM, z.tlN, z.netNois, z.tlSteps, z.tlLR)
	fmt.Fprintf(&b, "- **diagonal linear network** f = ⟨u⊙v, x⟩, d = %d (p = %d, G of rank d), n = %d, a 5-sparse linear teacher plus noise %g, at the initialisation u, v = d^−¼(1 + ½ξ).\n\n", z.diagD, 2*z.diagD, z.diagN, z.netNois)
	fmt.Fprintf(&b, "At each point `analysis.FromObjective` (automatic path) gives g(v) = vᵀΣv/(2L·vᵀGv) (centered Σ) along the top %d eigenvectors of G, the %d flattest eigenvectors with a nonzero eigenvalue, and %d random unit directions (the control). Figures plot g against λ = vᵀGv (the eigenvalue for eigen-directions), mean ± 1 SE over seeds per rank.\n\n", z.top, z.flat, z.random)
	fmt.Fprintf(&b, "**Band for \"order one\", fixed in advance: g ∈ [%g, %g].** For linear regression at population level g(v) = 1 + (vᵀSδ)²/(2L·vᵀSv), and Cauchy–Schwarz in the S inner product gives (vᵀSδ)² ≤ vᵀSv·δᵀSδ, so 1 ≤ g(v) ≤ 1 + δᵀSδ/(δᵀSδ + s²) < 2 for *every* v. The relative sampling error of one direction's g is about 3/√n (the per-sample terms r_i²(x_iᵀv)² have relative standard deviation ≈ 3 for Gaussian data), ≤ %.2g here. For the nonlinear models there is no closed form; we call g of order one when it lies within a factor 4 below and 10 above the reference g = 1 of Σ = 2L·G — asymmetric because the gradient term only adds to g in the linear model.\n\n", dirBandLo, dirBandHi, 3/math.Sqrt(float64(min(z.linN, z.tlN, z.diagN))))
	fmt.Fprintf(&b, "**Population check (linear regression).** Along each sample top eigenvector û_k (from `linalg.EigenSym` of XᵀX/n) the sample g(û_k) is compared with the closed form g(û_k) of `analysis.LinearGaussian` at the same û_k. Tolerance: |g − g_pop| ≤ %g·SE, SE the delta-method standard error of the sample g over the n samples (an n^−½ quantity computed from the data: g = A/(B·C), A = mean(r²z²) − mean(rz)², B = mean(r²), C = mean(z²), z = Xû). With %d comparisons, 4 SE gives a family-wise false-alarm rate below 0.3%% for Gaussian errors, and leaves room for the O(d/n) = %.2g bias from choosing û_k on the same sample.", dirZMax, z.top*z.seeds, float64(z.linD)/float64(z.linN))
	return b.String()
}

// dirKinds are the kinds of direction, in report order, and their labels.
var (
	dirKinds     = []string{"top", "flat", "random"}
	dirKindLabel = map[string]string{"top": "top eigen-directions of G", "flat": "flattest nonzero eigen-directions", "random": "random directions"}
)

// dirView is what the steps of the directional summary read: the sizes
// and the units' results by unit ID.
type dirView struct {
	z  dirSizes
	by map[string]*dirResult
}

func summarizeDirectional(cfg Config, records []Record) (report.Section, error) {
	v, err := dirLoad(cfg, records)
	if err != nil {
		return report.Section{}, err
	}
	sec := report.Section{
		Name:   "directional",
		Title:  "Directional alignment g along eigen-directions and random directions",
		Claim:  "The directional alignment g(θ; v) = vᵀΣv / (2L·vᵀGv) is of order one uniformly over directions v: along the sharpest eigen-directions of G, the flattest nonzero ones and random directions (docs/theory.md#the-papers-claims, claim 3).",
		Method: directionalMethod(v.z),
	}
	dist := report.Table{Name: "distribution", Caption: "Distribution of g over all directions and seeds, per model and kind of direction (dimensionless).",
		Columns: []string{"model", "kind", "directions", "min g", "median g", "max g", "inside band"}}
	for _, model := range dirModels {
		d := v.gather(model)
		fig, rows := v.modelFigure(model, d)
		sec.Figures = append(sec.Figures, fig)
		dist.Rows = append(dist.Rows, rows...)
		sec.Verdicts = append(sec.Verdicts, d.bandVerdict(model))
	}
	pop, verdict := v.population()
	sec.Verdicts = append(sec.Verdicts, verdict)
	sec.Tables = []report.Table{dist, pop}
	sec.Notes = []string{"The diagonal network's G has rank d of p = 2d (each coordinate moves F_j = u_jv_j along one direction); \"flattest nonzero\" skips the d-dimensional null space."}
	if cfg.Scale == Tiny {
		sec.Notes = append(sec.Notes, "Tiny scale: sizes far too small for the verdicts to be meaningful; they only exercise the code.")
	}
	return sec, nil
}

// dirLoad reads the units' results.
func dirLoad(cfg Config, records []Record) (*dirView, error) {
	units, err := planDirectional(cfg)
	if err != nil {
		return nil, err
	}
	ids := unitIDs(units)
	res, err := decodeResults[dirResult]("directional", ids, records)
	if err != nil {
		return nil, err
	}
	v := &dirView{z: directionalSizes(cfg.Scale), by: make(map[string]*dirResult, len(ids))}
	for i, id := range ids {
		v.by[id] = &res[i]
	}
	return v, nil
}

// dirKey is the k-th direction of a kind.
type dirKey struct {
	kind string
	k    int
}

// dirModelData is one model's directions over the seeds: g and λ by
// direction, all g by kind, the losses, and how many g were undefined.
type dirModelData struct {
	gs, ls    map[dirKey][]float64
	all       map[string][]float64
	loss      []float64
	undefined int
}

// gather collects one model's directions over the seeds.
func (v *dirView) gather(model string) *dirModelData {
	d := &dirModelData{gs: map[dirKey][]float64{}, ls: map[dirKey][]float64{}, all: map[string][]float64{}}
	for s := 0; s < v.z.seeds; s++ {
		u := v.by[dirUnitID(model, s)]
		d.loss = append(d.loss, u.Point.Loss)
		for _, r := range u.Directions {
			kk := dirKey{r.Kind, r.K}
			if math.IsNaN(r.G) {
				d.undefined++
			}
			d.gs[kk] = append(d.gs[kk], r.G)
			d.ls[kk] = append(d.ls[kk], r.Lambda)
			d.all[r.Kind] = append(d.all[r.Kind], r.G)
		}
	}
	return d
}

// modelFigure draws g against curvature for every kind of direction (and,
// for linear regression, the population closed form), and returns the
// rows of the distribution table.
func (v *dirView) modelFigure(model string, d *dirModelData) (report.Figure, [][]string) {
	fig := report.Figure{
		Name:    "g-" + model,
		Title:   "g against curvature: " + dirModelTitle[model],
		Caption: fmt.Sprintf("Directional alignment g along the top and flattest nonzero eigenvectors of G and along random unit directions (x: vᵀGv), %s, mean ± 1 SE over %d seeds. Order-one band [%g, %g].", dirModelTitle[model], v.z.seeds, dirBandLo, dirBandHi),
		XLabel:  "curvature λ = vᵀGv (loss units per squared parameter unit)",
		YLabel:  "directional alignment g (dimensionless)",
		XLog:    true,
		HLines:  []report.RefLine{{Label: "g = 1 (Σ = 2L·G)", At: 1}},
	}
	var rows [][]string
	for _, kind := range dirKinds {
		var keys []dirKey
		for kk := range d.gs {
			if kk.kind == kind {
				keys = append(keys, kk)
			}
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i].k < keys[j].k })
		var x, y, se []float64
		for _, kk := range keys {
			lm, _ := meanSE(d.ls[kk])
			gm, gse := meanSE(d.gs[kk])
			x, y, se = append(x, lm), append(y, gm), append(se, gse)
		}
		if len(x) == 0 {
			continue
		}
		style := "line+points"
		if kind == "random" {
			style = "points"
		}
		fig.Series = append(fig.Series, rdSeries(dirKindLabel[kind], x, y, se, style))
		lo, med, hi, cnt := rdQuantiles(d.all[kind])
		rows = append(rows, []string{dirModelTitle[model], kind, strconv.Itoa(cnt), rdFmt(lo), rdFmt(med), rdFmt(hi),
			fmt.Sprintf("%d/%d", dirInside(d.all[kind]), len(d.all[kind]))})
	}
	if model == "linear" {
		if s, ok := v.populationSeries(model); ok {
			fig.Series = append(fig.Series, s)
		}
		fig.HLines = append(fig.HLines, report.RefLine{Label: "population bound g < 2 (linear)", At: 2})
	}
	return fig, rows
}

// dirInside counts the g inside the order-one band.
func dirInside(gs []float64) int {
	n := 0
	for _, g := range gs {
		if g >= dirBandLo && g <= dirBandHi {
			n++
		}
	}
	return n
}

// populationSeries is the population closed form along the sample top
// eigenvectors, mean ± SE over seeds by k; false if there is none.
func (v *dirView) populationSeries(model string) (report.Series, bool) {
	pg, pl := map[int][]float64{}, map[int][]float64{}
	for s := 0; s < v.z.seeds; s++ {
		for _, r := range v.by[dirUnitID(model, s)].Explicit {
			pg[r.K] = append(pg[r.K], r.GPop)
			pl[r.K] = append(pl[r.K], r.Lambda)
		}
	}
	var ks []int
	for k := range pg {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	var x, y, se []float64
	for _, k := range ks {
		lm, _ := meanSE(pl[k])
		gm, gse := meanSE(pg[k])
		x, y, se = append(x, lm), append(y, gm), append(se, gse)
	}
	return rdSeries("population closed form g(û_k)", x, y, se, "dashed"), len(x) > 0
}

// bandVerdict: every g of the model is inside the order-one band.
func (d *dirModelData) bandVerdict(model string) report.Verdict {
	var every []float64
	for _, kind := range dirKinds {
		every = append(every, d.all[kind]...)
	}
	lo, med, hi, cnt := rdQuantiles(every)
	inside := dirInside(every)
	lm, _ := meanSE(d.loss)
	measured := fmt.Sprintf("%d/%d directions inside; min %s, median %s, max %s (loss %s)", inside, len(every), rdFmt(lo), rdFmt(med), rdFmt(hi), rdFmt(lm))
	if d.undefined > 0 {
		measured += fmt.Sprintf("; %d undefined", d.undefined)
	}
	return report.Verdict{
		Statement: fmt.Sprintf("%s: g is of order one along every top, flattest and random direction", dirModelTitle[model]),
		Measured:  measured,
		Expected:  fmt.Sprintf("every g in [%g, %g]", dirBandLo, dirBandHi),
		Held:      cnt > 0 && inside == len(every),
	}
}

// population compares, for linear regression, the sample g along the
// sample top eigenvectors with the population closed form: the table by k
// and the verdict.
func (v *dirView) population() (report.Table, report.Verdict) {
	pop := report.Table{Name: "population", Caption: "Linear regression: sample g along the sample top eigenvectors û_k of G against the population closed form g(û_k) = 1 + (û_kᵀSδ)²/(2L·û_kᵀSû_k), means over seeds; z = (g − g_pop)/SE, SE the delta-method standard error.",
		Columns: []string{"k", "λ_k (mean)", "g (mean)", "g_pop (mean)", "SE (mean)", "max |z|"}}
	type acc struct{ l, g, gp, se, z []float64 }
	byK := map[int]*acc{}
	maxZ, worstK, nCmp, fails := 0.0, 0, 0, 0
	for s := 0; s < v.z.seeds; s++ {
		for _, r := range v.by[dirUnitID("linear", s)].Explicit {
			a := byK[r.K]
			if a == nil {
				a = &acc{}
				byK[r.K] = a
			}
			zz := math.Abs(r.G-r.GPop) / r.SE
			a.l, a.g, a.gp, a.se, a.z = append(a.l, r.Lambda), append(a.g, r.G), append(a.gp, r.GPop), append(a.se, r.SE), append(a.z, zz)
			nCmp++
			if !(zz <= dirZMax) {
				fails++
			}
			if zz > maxZ || math.IsNaN(zz) {
				maxZ, worstK = zz, r.K
			}
		}
	}
	var ks []int
	for k := range byK {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	for _, k := range ks {
		a := byK[k]
		l, _ := meanSE(a.l)
		g, _ := meanSE(a.g)
		gp, _ := meanSE(a.gp)
		se, _ := meanSE(a.se)
		_, _, mz, _ := rdQuantiles(a.z)
		pop.Rows = append(pop.Rows, []string{strconv.Itoa(k), rdFmt(l), rdFmt(g), rdFmt(gp), rdFmt(se), rdFmt(mz)})
	}
	return pop, report.Verdict{
		Statement: "linear regression: finite-sample g along the top eigenvectors matches the population closed form 1 + (vᵀSδ)²/(2L·vᵀSv)",
		Measured:  fmt.Sprintf("max |g − g_pop|/SE = %s (k = %d) over %d comparisons; %d outside", rdFmt(maxZ), worstK, nCmp, fails),
		Expected:  fmt.Sprintf("|g − g_pop| ≤ %g·SE (delta-method SE ∝ n^−½, n = %d) for every k ≤ %d and seed", dirZMax, v.z.linN, v.z.top),
		Held:      nCmp > 0 && fails == 0,
	}
}
