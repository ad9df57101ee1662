package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/linalg"
)

const dataAbout = `Describe a dataset or a synthetic spec — n, d, spectrum (population and
sample covariance, effective dimensions Tr(S)²/‖S‖_F² and Tr(S)/‖S‖_op),
label and target statistics — and optionally export it to NPY or CSV.
An export writes all its files or none (also when interrupted).

Exactly one source:
  --dataset NAME        named dataset: fashion-mnist or mnist (searched in
                        --data-dir, else $NOISEGEOM_DATA/NAME, $NOISEGEOM_DATA,
                        /usr/share/datasets/NAME)
  --file PATH           a .npy, .csv[.gz] or IDX file (IDX images pair with --labels)
  --synthetic           Gaussian inputs x ~ N(0, S), see --n, --d, --spectrum

Examples:
  noisegeom data --dataset fashion-mnist --split test --classes 0,6 --scale unit
  noisegeom data --synthetic --n 10000 --d 100 --spectrum powerlaw:1.5 --rotate \
      --teacher twolayer:50:tanh --noise 0.1 --export train.npy`

// dataExit distinguishes usage errors (exit 2) from failures (exit 1).
type badDataFlags struct{ msg string }

func (e badDataFlags) Error() string { return e.msg }

func dataUsagef(format string, args ...any) error { return badDataFlags{fmt.Sprintf(format, args...)} }

type dataFlags struct {
	dataset, dataDir, split, file, labels, labelCol, header string
	synthetic, rotate, jsonOut, noSpectrum                  bool
	n, d, outputs, subsample, pca, top                      int
	spectrum, teacher, classes, scale, targets              string
	export, dtype                                           string
	noise                                                   float64
	seed                                                    uint64
}

// runData implements `noisegeom data`. It returns the process exit status:
// 0 success, 1 failure, 2 usage error.
func runData(env *Env, args []string) int {
	fs := flag.NewFlagSet("data", flag.ContinueOnError)
	var f dataFlags
	fs.StringVar(&f.dataset, "dataset", "", "named dataset (fashion-mnist, mnist)")
	fs.StringVar(&f.dataDir, "data-dir", "", "directory holding the named dataset's files")
	fs.StringVar(&f.split, "split", "train", "split of a named dataset: train or test")
	fs.StringVar(&f.file, "file", "", "data file: .npy, .csv, .csv.gz, or IDX images")
	fs.StringVar(&f.labels, "labels", "", "labels file for --file (IDX or .npy, one label per sample)")
	fs.StringVar(&f.labelCol, "label-col", "none", "CSV label column: none, last, a 0-based index, or a header name")
	fs.StringVar(&f.header, "header", "auto", "CSV header row: auto, yes or no")
	fs.BoolVar(&f.synthetic, "synthetic", false, "generate Gaussian data from --n, --d, --spectrum, ...")
	fs.IntVar(&f.n, "n", 1000, "synthetic: number of samples")
	fs.IntVar(&f.d, "d", 100, "synthetic: input dimension")
	fs.StringVar(&f.spectrum, "spectrum", "isotropic", "synthetic: isotropic, powerlaw:α, lowrank:r, spiked:k,s or list:λ1,λ2,...")
	fs.BoolVar(&f.rotate, "rotate", false, "synthetic: random rotation so S is not diagonal")
	fs.StringVar(&f.teacher, "teacher", "none", "synthetic: none, linear, or twolayer:WIDTH[:ACT] (tanh, relu, leakyrelu, sigmoid, softplus, identity)")
	fs.IntVar(&f.outputs, "outputs", 1, "synthetic: number of teacher outputs K")
	fs.Float64Var(&f.noise, "noise", 0, "synthetic: standard deviation of Gaussian label noise")
	fs.Uint64Var(&f.seed, "seed", 1, "seed for synthetic data and subsamples")
	fs.StringVar(&f.classes, "classes", "", "keep only these classes, relabelled in order (e.g. 0,6)")
	fs.IntVar(&f.subsample, "subsample", 0, "keep a seeded random subsample of this many samples")
	fs.StringVar(&f.scale, "scale", "none", "input scaling: none, unit ([0,1]) or standard (per-feature z-score)")
	fs.IntVar(&f.pca, "pca", 0, "project inputs on the top k principal components")
	fs.StringVar(&f.targets, "targets", "auto", "targets: auto (keep), onehot, sign (two classes → ±1) or none")
	fs.IntVar(&f.top, "top", 5, "number of top sample-covariance eigenvalues to report")
	fs.BoolVar(&f.noSpectrum, "no-spectrum", false, "skip the sample covariance (its cost is O(n·d²))")
	fs.StringVar(&f.export, "export", "", "write the data to PATH.npy (targets to PATH_y.npy, labels to PATH_labels.npy) or PATH.csv")
	fs.StringVar(&f.dtype, "dtype", "f8", "NPY export dtype for inputs: f8 or f4")
	fs.BoolVar(&f.jsonOut, "json", false, "print the description as JSON")
	if code, done := parseFlags(env, fs, dataAbout, args); done {
		return code
	}
	if err := dataFlagCombinations(fs, &f); err != nil {
		return usageError(env, "data", err)
	}
	err := dataMain(env.Context(), &f, env.Stdout, env.Stderr)
	var ue badDataFlags
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		return usageError(env, "data", err)
	case errors.Is(err, data.ErrSpec):
		fmt.Fprintf(env.Stderr, "%s data: %v\n", env.Prog, err)
		return ExitUsage
	default:
		return failure(env, "data", err)
	}
}

// dataFlagCombinations rejects flags that mean nothing with the chosen
// source or output, before anything is read or written.
func dataFlagCombinations(fs *flag.FlagSet, f *dataFlags) error {
	if f.split != "train" && f.split != "test" {
		return fmt.Errorf("--split %q: want train or test", f.split)
	}
	if f.noise < 0 {
		return fmt.Errorf("--noise %g: a standard deviation must be ≥ 0", f.noise)
	}
	npyExport := strings.EqualFold(filepath.Ext(f.export), ".npy")
	for _, c := range []struct {
		cond  bool
		want  string
		names []string
	}{
		{f.synthetic, "--synthetic", []string{"n", "d", "spectrum", "rotate", "teacher", "outputs", "noise"}},
		{f.teacher != "none", "a --teacher", []string{"outputs", "noise"}},
		{f.dataset != "", "--dataset", []string{"data-dir", "split"}},
		{f.file != "", "--file", []string{"labels", "label-col", "header"}},
		{npyExport, "an --export ending in .npy", []string{"dtype"}},
		{!f.noSpectrum, "the sample spectrum (drop --no-spectrum)", []string{"top"}},
	} {
		if err := onlyWith(fs, c.cond, c.want, c.names...); err != nil {
			return err
		}
	}
	return nil
}

func dataMain(ctx context.Context, f *dataFlags, stdout, stderr io.Writer) error {
	sources := 0
	for _, b := range []bool{f.dataset != "", f.file != "", f.synthetic} {
		if b {
			sources++
		}
	}
	if sources != 1 {
		return dataUsagef("give exactly one of --dataset, --file and --synthetic")
	}
	if f.labels != "" && f.file == "" {
		return dataUsagef("--labels needs --file")
	}
	switch f.scale {
	case "none", "unit", "standard":
	default:
		return dataUsagef("--scale %q: want none, unit or standard", f.scale)
	}
	switch f.targets {
	case "auto", "onehot", "sign", "none":
	default:
		return dataUsagef("--targets %q: want auto, onehot, sign or none", f.targets)
	}
	if f.dtype != "f8" && f.dtype != "f4" {
		return dataUsagef("--dtype %q: want f8 or f4", f.dtype)
	}
	if f.export != "" {
		switch strings.ToLower(filepath.Ext(f.export)) {
		case ".npy", ".csv":
		default:
			return dataUsagef("--export %q: the name must end in .npy or .csv", f.export)
		}
	}
	classes, err := parseInts(f.classes)
	if err != nil {
		return dataUsagef("--classes: %v", err)
	}
	for _, c := range classes {
		if c < 0 {
			return dataUsagef("--classes: class %d is negative", c)
		}
	}
	if f.subsample < 0 || f.pca < 0 || f.top < 0 {
		return dataUsagef("--subsample, --pca and --top must be ≥ 0")
	}
	preprocess := len(classes) > 0 || f.subsample > 0 || f.scale != "none" || f.pca > 0 || (f.targets != "auto")

	// Synthetic data without preprocessing streams: n·d never has to fit in memory.
	if f.synthetic {
		gen, err := syntheticGenerator(f)
		if err != nil {
			return err
		}
		if !preprocess {
			return describeStream(ctx, f, gen, stdout, stderr)
		}
		ds := gen.Generate()
		return finish(ctx, f, ds, classes, stdout)
	}
	var ds *data.Dataset
	if f.dataset != "" {
		ds, err = data.LoadNamed(f.dataset, data.NamedOptions{Dir: f.dataDir, Split: f.split})
	} else {
		ds, err = loadFile(f)
	}
	if err != nil {
		return err
	}
	return finish(ctx, f, ds, classes, stdout)
}

func parseInts(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", p)
		}
		out = append(out, v)
	}
	return out, nil
}

// syntheticGenerator builds the generator of the synthetic flags through
// newSyntheticGenerator, shared with the problem flags of align, train and
// escape: the same flags and seed give the same data and teacher there.
func syntheticGenerator(f *dataFlags) (*data.Generator, error) {
	if f.n < 1 || f.d < 1 {
		return nil, dataUsagef("--n and --d must be ≥ 1")
	}
	if f.teacher != "none" && f.outputs < 1 {
		return nil, dataUsagef("--outputs must be ≥ 1")
	}
	if f.teacher == "none" && f.noise != 0 {
		return nil, dataUsagef("--noise needs a --teacher")
	}
	gen, _, err := newSyntheticGenerator(syntheticSpec{n: f.n, d: f.d, spectrum: f.spectrum, rotate: f.rotate,
		teacher: f.teacher, outputs: f.outputs, noise: f.noise, seed: f.seed})
	return gen, err
}

// loadFile maps the file flags onto data.LoadFile.
func loadFile(f *dataFlags) (*data.Dataset, error) {
	opt := data.FileOptions{Labels: f.labels, CSV: data.CSVOptions{LabelColumn: data.NoLabel}}
	switch f.header {
	case "auto":
	case "yes":
		opt.CSV.Header = data.HeaderYes
	case "no":
		opt.CSV.Header = data.HeaderNo
	default:
		return nil, dataUsagef("--header %q: want auto, yes or no", f.header)
	}
	switch lc := f.labelCol; {
	case lc == "none":
	case lc == "last":
		opt.CSV.LabelColumn = -2
	default:
		if v, err := strconv.Atoi(lc); err == nil {
			if v < 0 {
				return nil, dataUsagef("--label-col %d: use a 0-based index, last or none", v)
			}
			opt.CSV.LabelColumn = v
		} else {
			opt.CSV.LabelName = lc
		}
	}
	return data.LoadFile(f.file, opt)
}

// finish preprocesses an in-memory dataset, describes it and exports it.
func finish(ctx context.Context, f *dataFlags, ds *data.Dataset, classes []int, stdout io.Writer) error {
	var err error
	if len(classes) > 0 {
		if ds, err = data.SubsetClasses(ds, classes); err != nil {
			return err
		}
	}
	if f.subsample > 0 {
		if ds, err = data.Subsample(ds, f.subsample, f.seed); err != nil {
			return err
		}
	}
	switch f.scale {
	case "unit":
		err = data.ScaleUnit(ds)
	case "standard":
		data.Standardize(ds)
	}
	if err != nil {
		return err
	}
	if f.pca > 0 {
		if _, err := data.ProjectPCA(ds, f.pca, data.PCAOptions{}); err != nil {
			return err
		}
	}
	switch f.targets {
	case "onehot":
		err = data.OneHot(ds)
	case "sign":
		err = data.SignTargets(ds)
	case "none":
		ds.Y, ds.Labels, ds.Classes = nil, nil, 0
	}
	if err != nil {
		return err
	}
	if err := ds.Validate(); err != nil {
		return err
	}
	top := f.top
	if f.noSpectrum {
		top = 0
	}
	sum, err := data.Summarize(ds, top)
	if err != nil {
		return err
	}
	if f.export != "" {
		if err := exportDataset(ctx, f, ds); err != nil {
			return err
		}
	}
	return printSummary(f, sum, stdout)
}

// describeStream summarises (and exports) synthetic data chunk by chunk.
func describeStream(ctx context.Context, f *dataFlags, g *data.Generator, stdout, stderr io.Writer) error {
	top := f.top
	if f.noSpectrum {
		top = 0
	}
	z := data.NewSummarizer(g.Spec(), g.D(), g.K(), 0, top)
	sp, err := data.ParseSpectrum(f.spectrum, f.d)
	if err != nil {
		return err
	}
	z.SetPopulation(&sp)
	const chunk = 4096
	prog := newSampleProgress(stderr, g.N())
	defer prog.done()
	add := func(start int, x, y *linalg.Dense) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted after %d of %d samples; nothing written", start, g.N())
		}
		z.Add(x, y, nil)
		prog.update(start + x.Rows)
		return nil
	}
	switch {
	case f.export == "":
		err = g.Stream(chunk, add)
	case strings.HasSuffix(strings.ToLower(f.export), ".csv"):
		err = data.WriteFilesAtomic(ctx, []string{f.export}, func(ws []io.Writer) error {
			first := true
			return g.Stream(chunk, func(s int, x, y *linalg.Dense) error {
				if err := add(s, x, y); err != nil {
					return err
				}
				if err := data.WriteCSVRows(ws[0], &data.Dataset{X: x, Y: y}, first); err != nil {
					return err
				}
				first = false
				return nil
			})
		})
	default:
		xpath, ypath, lpath := exportPaths(f.export)
		paths, stale := []string{xpath}, []string{lpath}
		if g.K() > 0 {
			paths = append(paths, ypath)
		} else {
			stale = append(stale, ypath)
		}
		err = data.ReplaceFilesAtomic(ctx, paths, stale, func(ws []io.Writer) error {
			nw := make([]*data.NPYWriter, len(ws))
			var err error
			if nw[0], err = data.NewNPYWriter(ws[0], []int{g.N(), g.D()}, npyDtype(f.dtype)); err != nil {
				return err
			}
			if len(ws) > 1 {
				if nw[1], err = data.NewNPYWriter(ws[1], []int{g.N(), g.K()}, data.NPYFloat64); err != nil {
					return err
				}
			}
			err = g.Stream(chunk, func(s int, x, y *linalg.Dense) error {
				if err := add(s, x, y); err != nil {
					return err
				}
				if err := nw[0].Write(x.Data[:x.Rows*x.Cols]); err != nil {
					return err
				}
				if len(nw) > 1 {
					return nw[1].Write(y.Data[:y.Rows*y.Cols])
				}
				return nil
			})
			if err != nil {
				return err
			}
			return closeNPYWriters(nw)
		})
	}
	if err != nil {
		return err
	}
	sum, err := z.Finish()
	if err != nil {
		return err
	}
	return printSummary(f, sum, stdout)
}

func npyDtype(s string) string {
	if s == "f4" {
		return data.NPYFloat32
	}
	return data.NPYFloat64
}

// exportPaths returns the input, target and label file names for an NPY export.
func exportPaths(p string) (x, y, labels string) {
	base := strings.TrimSuffix(p, filepath.Ext(p))
	return p, base + "_y.npy", base + "_labels.npy"
}

// exportDataset writes ds to f.export: one CSV file, or NPY files for the
// inputs, targets and labels, all of them or none; a target or label file
// left by an earlier export to the same name is removed when ds has none.
func exportDataset(ctx context.Context, f *dataFlags, ds *data.Dataset) error {
	if strings.HasSuffix(strings.ToLower(f.export), ".csv") {
		return data.WriteFilesAtomic(ctx, []string{f.export}, func(ws []io.Writer) error { return data.WriteCSV(ws[0], ds) })
	}
	type array struct {
		path, dtype string
		shape       []int
		data        []float64
	}
	xpath, ypath, lpath := exportPaths(f.export)
	arrays := []array{{xpath, npyDtype(f.dtype), []int{ds.N(), ds.D()}, ds.X.Data[:ds.N()*ds.D()]}}
	if ds.Y != nil {
		arrays = append(arrays, array{ypath, data.NPYFloat64, []int{ds.Y.Rows, ds.Y.Cols}, ds.Y.Data[:ds.Y.Rows*ds.Y.Cols]})
	}
	if ds.Labels != nil {
		lv := make([]float64, len(ds.Labels))
		for i, l := range ds.Labels {
			lv[i] = float64(l)
		}
		dt := data.NPYUint8
		if ds.Classes > 256 {
			dt = data.NPYFloat64
		}
		arrays = append(arrays, array{lpath, dt, []int{len(lv)}, lv})
	}
	var paths, stale []string
	for _, a := range arrays {
		paths = append(paths, a.path)
	}
	for _, p := range []string{ypath, lpath} {
		if !slices.Contains(paths, p) {
			stale = append(stale, p)
		}
	}
	return data.ReplaceFilesAtomic(ctx, paths, stale, func(ws []io.Writer) error {
		for i, a := range arrays {
			if err := data.WriteNPY(ws[i], a.shape, a.dtype, a.data); err != nil {
				return fmt.Errorf("%s: %w", a.path, err)
			}
		}
		return nil
	})
}

// closeNPYWriters closes every writer, returning the first error.
func closeNPYWriters(ws []*data.NPYWriter) error {
	for _, w := range ws {
		if err := w.Close(); err != nil {
			return err
		}
	}
	return nil
}

func printSummary(f *dataFlags, s *data.Summary, w io.Writer) error {
	if f.jsonOut {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	fmt.Fprintf(w, "dataset     %s\n", s.Name)
	fmt.Fprintf(w, "samples     %d\n", s.N)
	shape := ""
	if len(s.Shape) > 0 {
		parts := make([]string, len(s.Shape))
		for i, v := range s.Shape {
			parts[i] = strconv.Itoa(v)
		}
		shape = " (" + strings.Join(parts, "×") + ")"
	}
	fmt.Fprintf(w, "features    %d%s\n", s.D, shape)
	fmt.Fprintf(w, "inputs      mean %.6g, range [%.6g, %.6g]\n", s.InputMean, s.InputMin, s.InputMax)
	spec := func(label string, ss *data.SpectrumSummary) {
		if ss == nil {
			return
		}
		name := ""
		if ss.Spec != "" {
			name = ss.Spec + ", "
		}
		fmt.Fprintf(w, "%-11s %strace %.6g, ‖S‖_F %.6g\n", label, name, ss.Trace, ss.Frobenius)
		if len(ss.Top) > 0 {
			parts := make([]string, len(ss.Top))
			for i, v := range ss.Top {
				parts[i] = strconv.FormatFloat(v, 'g', 6, 64)
			}
			fmt.Fprintf(w, "%-11s top eigenvalues %s\n", "", strings.Join(parts, " "))
		}
		fmt.Fprintf(w, "%-11s effective dims Tr(S)²/‖S‖_F² = %.6g, Tr(S)/‖S‖_op = %.6g\n", "", ss.EffDimF, ss.EffDimOp)
	}
	spec("population", s.Population)
	spec("sample cov", s.Sample)
	if s.ClassCounts != nil {
		parts := make([]string, len(s.ClassCounts))
		for i, c := range s.ClassCounts {
			parts[i] = fmt.Sprintf("%d:%d", i, c)
		}
		fmt.Fprintf(w, "labels      %d classes, counts %s\n", s.Classes, strings.Join(parts, " "))
	}
	for k, t := range s.Targets {
		fmt.Fprintf(w, "target %-4d mean %.6g, std %.6g, range [%.6g, %.6g]\n", k, t.Mean, t.Std, t.Min, t.Max)
	}
	if f.export != "" {
		fmt.Fprintf(w, "exported    %s\n", f.export)
	}
	return nil
}

// sampleProgress prints "generated i/n" to stderr at most twice a second, and only
// when stderr is a terminal.
type sampleProgress struct {
	w     io.Writer
	n     int
	last  time.Time
	shown bool
}

func newSampleProgress(stderr io.Writer, n int) *sampleProgress {
	if !isTerminal(stderr) {
		return &sampleProgress{}
	}
	return &sampleProgress{w: stderr, n: n, last: time.Now()}
}

func (p *sampleProgress) update(i int) {
	if p.w == nil || time.Since(p.last) < 500*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.shown = true
	fmt.Fprintf(p.w, "\rgenerated %d/%d samples", i, p.n)
}

func (p *sampleProgress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func init() {
	register(&Command{
		Name:    "data",
		Summary: "describe a dataset or synthetic spec (n, d, spectrum, effective dimensions, labels); export to NPY/CSV",
		Run:     runData,
	})
}
