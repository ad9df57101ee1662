package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runDataT(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = runData(&Env{Prog: "noisegeom", Stdout: &o, Stderr: &e}, args)
	return code, o.String(), e.String()
}

func TestDataUsageAndErrors(t *testing.T) {
	empty := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		want string // substring of stdout+stderr
	}{
		{"help", []string{"--help"}, 0, "Usage: noisegeom data"},
		{"unknown flag", []string{"--bogus"}, 2, "flag provided but not defined"},
		{"no source", nil, 2, "exactly one of"},
		{"two sources", []string{"--synthetic", "--dataset", "mnist"}, 2, "exactly one of"},
		{"bad spectrum", []string{"--synthetic", "--spectrum", "cubic"}, 2, "unknown spectrum"},
		{"bad teacher", []string{"--synthetic", "--teacher", "deep"}, 2, "unknown teacher"},
		{"noise without teacher", []string{"--synthetic", "--noise", "1"}, 2, "needs a --teacher"},
		{"bad scale", []string{"--synthetic", "--scale", "log"}, 2, "--scale"},
		{"bad export name", []string{"--synthetic", "--export", "x.txt"}, 2, ".npy or .csv"},
		{"stray argument", []string{"--synthetic", "extra"}, 2, "unexpected argument"},
		{"missing dataset", []string{"--dataset", "fashion-mnist", "--data-dir", empty}, 1, "apt-get install dataset-fashion-mnist"},
		{"missing file", []string{"--file", filepath.Join(empty, "x.npy")}, 1, "no such file"},
		{"truncated npy", []string{"--file", "../../data/testdata/bad_fortran_2x3.npy"}, 1, "Fortran"},
		{"export into missing dir", []string{"--synthetic", "--n", "5", "--d", "2", "--export", filepath.Join(empty, "no", "x.npy")}, 1, "no such file"},
	}
	for _, c := range cases {
		code, o, e := runDataT(t, c.args...)
		if code != c.code || !strings.Contains(o+e, c.want) {
			t.Errorf("%s: exit %d (want %d), output lacks %q:\n%s%s", c.name, code, c.code, c.want, o, e)
		}
	}
	if ents, _ := os.ReadDir(empty); len(ents) != 0 {
		t.Errorf("failed runs left files behind: %v", ents)
	}
}

func TestDataSyntheticDescribeJSON(t *testing.T) {
	code, o, e := runDataT(t, "--synthetic", "--n", "3000", "--d", "20", "--spectrum", "spiked:2,10",
		"--rotate", "--teacher", "linear", "--outputs", "2", "--noise", "0.5", "--json", "--seed", "9")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	var s data.Summary
	if err := json.Unmarshal([]byte(o), &s); err != nil {
		t.Fatal(err)
	}
	// Spiked 2×10 over 18 ones: Tr = 38, ‖S‖_F² = 218, ‖S‖_op = 10.
	if s.N != 3000 || s.D != 20 || math.Abs(s.Population.EffDimF-38.0*38/218) > 1e-12 || math.Abs(s.Population.EffDimOp-3.8) > 1e-12 {
		t.Errorf("summary %+v population %+v", s, s.Population)
	}
	// The sample covariance is within a few 1/√n of the population.
	if math.Abs(s.Sample.Trace-38)/38 > 0.05 || len(s.Sample.Top) != 5 || math.Abs(s.Sample.Top[0]-10)/10 > 0.1 {
		t.Errorf("sample %+v", s.Sample)
	}
	if len(s.Targets) != 2 {
		t.Errorf("targets %+v", s.Targets)
	}
}

func TestDataSyntheticExportMatchesGenerator(t *testing.T) {
	dir := t.TempDir()
	spec := []string{"--synthetic", "--n", "5000", "--d", "7", "--spectrum", "powerlaw:1.5", "--rotate",
		"--teacher", "twolayer:4:relu", "--outputs", "3", "--noise", "0.2", "--seed", "12", "--no-spectrum"}
	sp, _ := data.ParseSpectrum("powerlaw:1.5", 7)
	te, _ := data.ParseTeacher("twolayer:4:relu", 7, 3, 12)
	want, err := data.Generate(data.GaussianSpec{N: 5000, Spectrum: sp, Rotate: true, Seed: 12, Teacher: te, Noise: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	// NPY: streamed in chunks, bit-identical to the all-at-once generator.
	xp := filepath.Join(dir, "s.npy")
	if code, _, e := runDataT(t, append(spec, "--export", xp)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	x, err := data.ReadNPYFile(xp)
	if err != nil {
		t.Fatal(err)
	}
	y, err := data.ReadNPYFile(filepath.Join(dir, "s_y.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if x.Shape[0] != 5000 || x.Shape[1] != 7 || y.Shape[1] != 3 {
		t.Fatalf("shapes %v %v", x.Shape, y.Shape)
	}
	for i, v := range want.X.Data {
		if x.Data[i] != v {
			t.Fatalf("x element %d differs", i)
		}
	}
	for i, v := range want.Y.Data {
		if y.Data[i] != v {
			t.Fatalf("y element %d differs", i)
		}
	}
	// CSV: the same numbers, exactly (shortest round-trip formatting).
	cp := filepath.Join(dir, "s.csv")
	if code, _, e := runDataT(t, append(spec, "--export", cp)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	c, err := data.ReadCSVFile(cp, data.CSVOptions{LabelColumn: data.NoLabel})
	if err != nil {
		t.Fatal(err)
	}
	if c.N() != 5000 || c.D() != 10 || c.X.At(4999, 6) != want.X.At(4999, 6) || c.X.At(4097, 9) != want.Y.At(4097, 2) {
		t.Errorf("CSV export differs: n=%d d=%d", c.N(), c.D())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 3 {
		t.Errorf("expected exactly s.npy, s_y.npy, s.csv; have %v", ents)
	}
}

func TestDataFilesAndPreprocessing(t *testing.T) {
	dir := t.TempDir()
	img, lab := "../../data/testdata/tiny-images-idx3-ubyte.gz", "../../data/testdata/tiny-labels-idx1-ubyte"
	out := filepath.Join(dir, "t.npy")
	code, o, e := runDataT(t, "--file", img, "--labels", lab, "--classes", "3,9", "--scale", "unit", "--targets", "onehot", "--export", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if !strings.Contains(o, "2 classes, counts 0:2 1:1") || !strings.Contains(o, "features    6 (3×2)") {
		t.Errorf("description:\n%s", o)
	}
	x, err := data.ReadNPYFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// Samples 0, 2, 4 (labels 3, 9, 3); pixel (i*7+r*3+c)%256 scaled by 1/255.
	if x.Shape[0] != 3 || x.Data[6] != 14.0/255 {
		t.Errorf("exported inputs %v %v", x.Shape, x.Data[:7])
	}
	y, _ := data.ReadNPYFile(filepath.Join(dir, "t_y.npy"))
	l, _ := data.ReadNPYFile(filepath.Join(dir, "t_labels.npy"))
	if y.Shape[1] != 2 || y.Data[3] != 1 || l.DType != data.NPYUint8 || l.Data[1] != 1 {
		t.Errorf("targets %v labels %v", y.Data, l.Data)
	}
	// CSV with a named label column, standardised, PCA to 1 dimension.
	csv := filepath.Join(dir, "d.csv")
	os.WriteFile(csv, []byte("a,b,cls\n1,2,0\n2,4.5,1\n3,5.5,0\n4,8,1\n"), 0o644)
	code, o, e = runDataT(t, "--file", csv, "--label-col", "cls", "--scale", "standard", "--pca", "1", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	var s data.Summary
	json.Unmarshal([]byte(o), &s)
	if s.D != 1 || s.N != 4 || s.Classes != 2 || math.Abs(s.Sample.Trace-s.Sample.Top[0]) > 1e-12 {
		t.Errorf("PCA summary %+v %+v", s, s.Sample)
	}
	os.WriteFile(csv, []byte("1,2\n3\n"), 0o644)
	if code, _, e := runDataT(t, "--file", csv); code != 1 || !strings.Contains(e, "ragged") || !strings.Contains(e, csv) {
		t.Errorf("ragged CSV: exit %d %s", code, e)
	}
}

func TestDataFashionMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: PCA of real images needs a fast Gemm")
	}
	// Skip exactly when the command would not find it.
	if _, err := data.LocateNamed("fashion-mnist", data.NamedOptions{Split: "test"}); err != nil {
		t.Skipf("Fashion-MNIST not installed: %v", err)
	}
	code, o, e := runDataT(t, "--dataset", "fashion-mnist", "--split", "test", "--subsample", "300", "--scale", "unit", "--pca", "5", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	var s data.Summary
	json.Unmarshal([]byte(o), &s)
	if s.N != 300 || s.D != 5 || s.Classes != 10 || s.Name != "fashion-mnist/test" {
		t.Errorf("summary %+v", s)
	}
}

func TestDataInterruptedExportLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := &dataFlags{synthetic: true, n: 10000, d: 3, spectrum: "isotropic", teacher: "linear", outputs: 1,
		scale: "none", targets: "auto", dtype: "f8", top: 0, noSpectrum: true, export: filepath.Join(dir, "x.npy")}
	var o, e bytes.Buffer
	err := dataMain(ctx, f, &o, &e)
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("err = %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("interrupted export left %v", ents)
	}
}

// TestDataExportAllOrNothing makes the last file of an NPY export
// impossible to write (a directory has its name): the export fails and
// leaves the earlier files of a previous export as they were, so inputs
// and targets never come from different runs, and no temporary remains.
func TestDataExportAllOrNothing(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		obstacle string // made a directory
	}{
		{"file with labels", []string{"--file", "IN", "--label-col", "cls"}, "e_labels.npy"},
		{"file, targets", []string{"--file", "IN", "--label-col", "cls"}, "e_y.npy"},
		{"synthetic stream", []string{"--synthetic", "--n", "10", "--d", "2", "--teacher", "linear"}, "e_y.npy"},
		{"synthetic in memory", []string{"--synthetic", "--n", "10", "--d", "2", "--teacher", "linear", "--scale", "unit"}, "e_y.npy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.csv")
			require.NoError(t, os.WriteFile(in, []byte("a,b,cls\n1,2,0\n3,4,1\n5,6,0\n"), 0o644))
			old := map[string]string{"e.npy": "old inputs", "e_y.npy": "old targets", "e_labels.npy": "old labels", "in.csv": ""}
			delete(old, c.obstacle)
			for n, s := range old {
				if n != "in.csv" {
					require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644))
				}
			}
			require.NoError(t, os.Mkdir(filepath.Join(dir, c.obstacle), 0o755))
			args := append([]string{}, c.args...)
			if args[1] == "IN" {
				args[1] = in
			}
			code, _, e := runDataT(t, append(args, "--export", filepath.Join(dir, "e.npy"))...)
			require.Equal(t, 1, code, e)
			assert.Contains(t, e, c.obstacle)
			ents, err := os.ReadDir(dir)
			require.NoError(t, err)
			for _, ent := range ents {
				if ent.IsDir() || ent.Name() == "in.csv" {
					continue
				}
				b, _ := os.ReadFile(filepath.Join(dir, ent.Name()))
				assert.Equal(t, old[ent.Name()], string(b), "%s was replaced or is a leftover", ent.Name())
			}
		})
	}
}

// TestDataExportReplacesTheWholeSet: an export without targets or labels
// to the name of an earlier export that had them removes the old target
// and label files, which would not match the new inputs.
func TestDataExportReplacesTheWholeSet(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	require.NoError(t, os.WriteFile(in, []byte("a,b,cls\n1,2,0\n3,4,1\n5,6,0\n"), 0o644))
	out := filepath.Join(dir, "out")
	require.NoError(t, os.Mkdir(out, 0o755))
	e := filepath.Join(out, "e.npy")
	names := func() []string {
		ents, _ := os.ReadDir(out)
		var n []string
		for _, ent := range ents {
			n = append(n, ent.Name())
		}
		return n
	}
	steps := []struct {
		args []string
		want []string
	}{
		{[]string{"--file", in, "--label-col", "cls"}, []string{"e.npy", "e_labels.npy", "e_y.npy"}},
		{[]string{"--file", in, "--label-col", "cls", "--targets", "none"}, []string{"e.npy"}},
		{[]string{"--synthetic", "--n", "10", "--d", "2", "--teacher", "linear"}, []string{"e.npy", "e_y.npy"}},
		{[]string{"--synthetic", "--n", "10", "--d", "2"}, []string{"e.npy"}},
	}
	for _, s := range steps {
		code, _, stderr := runDataT(t, append(s.args, "--export", e)...)
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, s.want, names(), "%q", s.args)
	}
}
