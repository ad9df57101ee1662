package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/linalg"
)

// spectrumMatrixReaders maps a lower-case file extension to the reader of a
// square matrix in that format.
var spectrumMatrixReaders = map[string]func(r io.Reader) (*linalg.Dense, error){
	".csv": spectrumReadCSV,
	".npy": spectrumReadNPY,
}

// spectrumReadNPY reads a 2-D float64, float32 or uint8 NPY array (C order).
func spectrumReadNPY(r io.Reader) (*linalg.Dense, error) {
	a, err := data.ReadNPY(r, "NPY")
	if err != nil {
		return nil, err
	}
	if len(a.Shape) != 2 {
		return nil, fmt.Errorf("NPY array has shape %v, want a 2-D matrix", a.Shape)
	}
	return linalg.NewDenseData(a.Shape[0], a.Shape[1], a.Data), nil
}

func init() {
	register(&Command{
		Name:    "spectrum",
		Summary: "top/bottom eigenpairs (Lanczos), trace (Hutch++) and spectral density (SLQ) of a symmetric matrix",
		Run:     runSpectrum,
	})
}

const spectrumAbout = `Eigenpairs at the ends of the spectrum of a symmetric matrix by thick-restart
Lanczos, optionally its trace (Hutch++) and spectral density (stochastic
Lanczos quadrature). FILE is CSV (one matrix row per line, no header) or NPY
(2-D, C order). --out writes its files all or none.`

// spectrumOutput is the --json document.
type spectrumOutput struct {
	Matrix      string           `json:"matrix"`
	Dim         int              `json:"dim"`
	Which       string           `json:"which"`
	Eigenvalues []float64        `json:"eigenvalues"`
	Residuals   []float64        `json:"residuals"`
	Converged   []bool           `json:"converged"`
	Applies     int              `json:"applies"`
	Restarts    int              `json:"restarts"`
	Trace       *float64         `json:"trace,omitempty"`
	TraceStdErr *float64         `json:"trace_stderr,omitempty"`
	TraceExact  *float64         `json:"trace_exact,omitempty"`
	Density     *spectrumDensity `json:"density,omitempty"`
}

// spectrumDensity is the density part of the --json document.
type spectrumDensity struct {
	Log10   bool      `json:"log10"`
	Sigma   float64   `json:"sigma"`
	X       []float64 `json:"x"`
	Density []float64 `json:"density"`
}

// runSpectrum is `noisegeom spectrum`. Exit status: 0 success, 1 failure
// (unreadable or non-symmetric matrix, no convergence, write error), 2
// usage error.
func runSpectrum(env *Env, args []string) int {
	fs := flag.NewFlagSet("spectrum", flag.ContinueOnError)
	matrix := fs.String("matrix", "", "symmetric matrix `FILE` (.csv or .npy)")
	k := fs.Int("k", 6, "number of eigenpairs")
	which := fs.String("which", "largest", "largest | smallest | both")
	basis := fs.Int("basis", 0, "Lanczos basis size (0: max(2k+1, 20))")
	tol := fs.Float64("tol", 1e-10, "relative residual tolerance")
	maxApplies := fs.Int("max-applies", 0, "cap on operator applications (0: default)")
	seed := fs.Uint64("seed", 1, "random seed")
	verify := fs.Bool("verify", true, "after convergence, search the deflated operator for missed copies of repeated eigenvalues")
	doTrace := fs.Bool("trace", false, "estimate the trace with Hutch++")
	traceBudget := fs.Int("trace-budget", 60, "operator applications for the trace estimate")
	doDensity := fs.Bool("density", false, "spectral density by stochastic Lanczos quadrature")
	logScale := fs.Bool("log", false, "density of log10|λ| instead of λ")
	probes := fs.Int("probes", 10, "SLQ probes")
	steps := fs.Int("steps", 80, "SLQ Lanczos steps per probe")
	points := fs.Int("points", 200, "density grid points")
	sigma := fs.Float64("sigma", 0, "density broadening (0: 1/100 of the node range; decades with --log)")
	asJSON := fs.Bool("json", false, "write JSON to stdout")
	out := fs.String("out", "", "write eigenvalues.csv (and density.csv) to `DIR`")
	if code, done := parseFlags(env, fs, spectrumAbout, args); done {
		return code
	}
	stdout := env.Stdout
	usage := func(format string, a ...any) int {
		return usageError(env, "spectrum", fmt.Errorf(format, a...))
	}
	if *matrix == "" {
		return usage("--matrix is required")
	}
	if _, err := spectrumMatrixReader(*matrix); err != nil {
		return usage("--matrix: %v", err)
	}
	var wh linalg.Which
	switch *which {
	case "largest":
		wh = linalg.Largest
	case "smallest":
		wh = linalg.Smallest
	case "both":
		wh = linalg.BothEnds
	default:
		return usage("--which must be largest, smallest or both, not %q", *which)
	}
	switch {
	case *k < 1:
		return usage("--k must be ≥ 1")
	case *basis < 0 || (*basis > 0 && *basis <= *k):
		return usage("--basis must exceed --k")
	case !(*tol > 0):
		return usage("--tol must be positive")
	case *maxApplies < 0:
		return usage("--max-applies must be ≥ 0")
	case *traceBudget < 4:
		return usage("--trace-budget must be ≥ 4")
	case *probes < 1 || *steps < 1 || *points < 2:
		return usage("--probes, --steps must be ≥ 1 and --points ≥ 2")
	case *sigma < 0:
		return usage("--sigma must be ≥ 0")
	}
	if err := onlyWith(fs, *doTrace, "--trace", "trace-budget"); err != nil {
		return usageError(env, "spectrum", err)
	}
	if err := onlyWith(fs, *doDensity, "--density", "log", "probes", "steps", "points", "sigma"); err != nil {
		return usageError(env, "spectrum", err)
	}
	fail := func(err error) int { return failure(env, "spectrum", err) }

	a, err := spectrumReadMatrix(*matrix)
	if err != nil {
		return fail(err)
	}
	n := a.Rows
	if *k > n {
		return usage("--k = %d exceeds the matrix order %d", *k, n)
	}
	op := linalg.NewDenseOperator(a)
	res, lerr := linalg.Lanczos(op, linalg.LanczosOptions{
		K: *k, Which: wh, BasisSize: min(*basis, n), Tol: *tol, MaxApplies: *maxApplies, Seed: *seed,
		Verify: *verify,
	})
	if res == nil {
		return fail(lerr)
	}
	o := spectrumOutput{
		Matrix: *matrix, Dim: n, Which: *which,
		Eigenvalues: res.Values, Residuals: res.Residuals, Converged: res.Converged,
		Applies: res.Applies, Restarts: res.Restarts,
	}
	if *doTrace {
		est := linalg.HutchPlusPlus(op, *traceBudget, *seed)
		exact := 0.0
		for i := 0; i < n; i++ {
			exact += a.At(i, i)
		}
		o.Trace, o.TraceStdErr, o.TraceExact = &est.Trace, &est.StdErr, &exact
	}
	if *doDensity {
		slq, err := linalg.SLQ(op, linalg.SLQOptions{Probes: *probes, Steps: *steps, Seed: *seed})
		if err != nil {
			return fail(err)
		}
		if o.Density, err = spectrumDensityGrid(slq, *logScale, *sigma, *points); err != nil {
			return fail(err)
		}
	}

	if *out != "" {
		if err := spectrumWriteFiles(*out, &o); err != nil {
			return fail(err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(spectrumSanitize(o)); err != nil {
			return fail(err)
		}
	} else {
		spectrumPrint(stdout, &o)
	}
	if lerr != nil {
		return fail(lerr)
	}
	return 0
}

// spectrumDensityGrid evaluates the SLQ density on a grid spanning the nodes plus
// four broadening widths on each side. A grid that overflows is an error.
func spectrumDensityGrid(slq *linalg.SLQResult, logScale bool, sigma float64, points int) (*spectrumDensity, error) {
	lo, hi := math.Inf(1), math.Inf(-1)
	// Nodes below this are pooled at the floor on the log scale.
	const floor = 1e-300
	maxAbs := 0.0
	for _, nodes := range slq.Nodes {
		for _, th := range nodes {
			maxAbs = math.Max(maxAbs, math.Abs(th))
		}
	}
	logFloor := math.Max(maxAbs*1e-16, floor)
	for _, nodes := range slq.Nodes {
		for _, th := range nodes {
			x := th
			if logScale {
				x = math.Log10(math.Max(math.Abs(th), logFloor))
			}
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if sigma == 0 {
		sigma = (hi - lo) / 100
		if sigma == 0 {
			sigma = math.Max(math.Abs(hi)*1e-3, 1e-3)
		}
	}
	a, b := lo-4*sigma, hi+4*sigma
	if math.IsInf(a, 0) || math.IsInf(b, 0) || math.IsInf(b-a, 0) {
		return nil, fmt.Errorf("--sigma %g: the density grid [λmin − 4σ, λmax + 4σ] overflows", sigma)
	}
	grid := linalg.LinGrid(a, b, points)
	d := &spectrumDensity{Log10: logScale, Sigma: sigma, X: grid}
	if logScale {
		d.Density = slq.LogDensity(grid, sigma, logFloor)
	} else {
		d.Density = slq.Density(grid, sigma)
	}
	return d, nil
}

// spectrumSanitize replaces non-finite residuals (JSON has no Inf/NaN) by -1.
func spectrumSanitize(o spectrumOutput) spectrumOutput {
	r := make([]float64, len(o.Residuals))
	for i, v := range o.Residuals {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			v = -1
		}
		r[i] = v
	}
	o.Residuals = r
	if o.TraceStdErr != nil && math.IsInf(*o.TraceStdErr, 0) {
		v := -1.0
		o.TraceStdErr = &v
	}
	return o
}

func spectrumPrint(w io.Writer, o *spectrumOutput) {
	fmt.Fprintf(w, "# %s: order %d, %d %s eigenvalues, %d operator applications, %d restarts\n",
		o.Matrix, o.Dim, len(o.Eigenvalues), o.Which, o.Applies, o.Restarts)
	fmt.Fprintf(w, "%4s %24s %12s %s\n", "i", "eigenvalue", "residual", "converged")
	for i, v := range o.Eigenvalues {
		fmt.Fprintf(w, "%4d %24.17g %12.3e %v\n", i, v, o.Residuals[i], o.Converged[i])
	}
	if o.Trace != nil {
		fmt.Fprintf(w, "trace ≈ %.10g ± %.3g (Hutch++), exact %.17g\n", *o.Trace, *o.TraceStdErr, *o.TraceExact)
	}
	if o.Density != nil {
		fmt.Fprintf(w, "density: %d points on [%g, %g], sigma %g, log10 %v (use --json or --out for values)\n",
			len(o.Density.X), o.Density.X[0], o.Density.X[len(o.Density.X)-1], o.Density.Sigma, o.Density.Log10)
	}
}

// spectrumMatrixReader returns the reader registered for the file's
// extension.
func spectrumMatrixReader(path string) (func(r io.Reader) (*linalg.Dense, error), error) {
	ext := strings.ToLower(filepath.Ext(path))
	if read, ok := spectrumMatrixReaders[ext]; ok {
		return read, nil
	}
	var exts []string
	for e := range spectrumMatrixReaders {
		exts = append(exts, e)
	}
	sort.Strings(exts)
	return nil, fmt.Errorf("%s: unsupported matrix format %q (supported: %s)", path, ext, strings.Join(exts, ", "))
}

// spectrumReadMatrix reads a square symmetric matrix with the reader registered
// for the file's extension.
func spectrumReadMatrix(path string) (*linalg.Dense, error) {
	read, err := spectrumMatrixReader(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if a.Rows != a.Cols || a.Rows == 0 {
		return nil, fmt.Errorf("%s: matrix is %d×%d, want square and non-empty", path, a.Rows, a.Cols)
	}
	maxAbs := 0.0
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < a.Cols; j++ {
			v := a.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: non-finite entry at (%d, %d)", path, i+1, j+1)
			}
			maxAbs = math.Max(maxAbs, math.Abs(v))
		}
	}
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < i; j++ {
			if d := math.Abs(a.At(i, j) - a.At(j, i)); d > 1e-12*maxAbs {
				return nil, fmt.Errorf("%s: matrix is not symmetric: |a(%d,%d) − a(%d,%d)| = %g", path, i+1, j+1, j+1, i+1, d)
			}
		}
	}
	return a, nil
}

// spectrumReadCSV reads a numeric matrix, one row per line, comma separated,
// no header; blank lines and lines starting with # are skipped.
func spectrumReadCSV(r io.Reader) (*linalg.Dense, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = 0
	var data []float64
	rows, cols := 0, 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if rows == 0 {
			cols = len(rec)
		}
		for j, s := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return nil, fmt.Errorf("line %d, field %d: %q is not a number", rows+1, j+1, s)
			}
			data = append(data, v)
		}
		rows++
	}
	if rows == 0 {
		return nil, errors.New("empty matrix")
	}
	return linalg.NewDenseData(rows, cols, data), nil
}

// spectrumWriteFiles writes eigenvalues.csv and, if computed, density.csv
// into dir, all or none.
func spectrumWriteFiles(dir string, o *spectrumOutput) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var files []string
	var b strings.Builder
	b.WriteString("index,eigenvalue,residual,converged\n")
	for i, v := range o.Eigenvalues {
		fmt.Fprintf(&b, "%d,%s,%s,%v\n", i, spectrumFmt(v), spectrumFmt(o.Residuals[i]), o.Converged[i])
	}
	files = append(files, b.String())
	paths := []string{filepath.Join(dir, "eigenvalues.csv")}
	if o.Density != nil {
		b.Reset()
		if o.Density.Log10 {
			b.WriteString("log10_lambda,density\n")
		} else {
			b.WriteString("lambda,density\n")
		}
		for i, x := range o.Density.X {
			fmt.Fprintf(&b, "%s,%s\n", spectrumFmt(x), spectrumFmt(o.Density.Density[i]))
		}
		files = append(files, b.String())
		paths = append(paths, filepath.Join(dir, "density.csv"))
	}
	return data.WriteFilesAtomic(context.Background(), paths, func(ws []io.Writer) error {
		for i, w := range ws {
			if _, err := io.WriteString(w, files[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func spectrumFmt(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
