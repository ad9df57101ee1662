package analysis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/models"
)

// The PyTorch comparison of issue 6. testdata/align_torch.py computes μ,
// μ_c and g along the top 20 eigenvectors of G for the Fashion-MNIST
// two-layer network of fashionObjective in PyTorch, from the data and θ
// that TestTorchExport writes, checks its values against the Go result
// written beside them and prints both timings. Run it as
//
//	/usr/bin/python3 analysis/testdata/align_torch.py
//
// (it runs TestTorchExport itself), or measure both sides inside one Go
// benchmark with
//
//	NOISEGEOM_TORCH=1 go test -run XXX -bench FashionTorchPeer -benchtime 3x ./analysis/

// torchOptions are the options of the timed Go computation (the same as
// BenchmarkFashionTwoLayer).
var torchOptions = Options{Path: PathGram, TopK: 20, Flat: -1, Random: -1}

// torchExport holds what the Python side reads from go.json.
type torchExport struct {
	N          int       `json:"n"`
	Hidden     int       `json:"hidden"`
	Scale      float64   `json:"scale"`
	TopK       int       `json:"top_k"`
	Seconds    []float64 `json:"seconds"`
	CPUSeconds []float64 `json:"cpu_seconds"` // user+sys of the process (-1 where unknown)
	GOMAXPROCS int       `json:"gomaxprocs"`
	Result     *Result   `json:"result"`
}

// exportTorch writes X.npy (n×784), y.npy (n), W.npy (m×784, the trained
// first layer) and a.npy (m, the frozen second layer, scaled by c in
// go.json) into dir, then times FromObjective reps times and writes the
// timings and the last Result to go.json.
func exportTorch(t testing.TB, dir string, n, reps int) *torchExport {
	obj := fashionObjective(t, n)
	net := obj.Model.(*models.Network)
	layers := net.Layers()
	w, a := net.Weights(0), net.Weights(1)
	if layers[0].Bias || layers[1].Bias || !layers[1].Frozen || w.Stride != w.Cols || a.Rows != 1 {
		t.Fatalf("unexpected network layout %+v", layers)
	}
	m, d := w.Rows, w.Cols
	for _, f := range []struct {
		name  string
		shape []int
		vals  []float64
	}{
		{"X.npy", []int{n, d}, obj.X.Data[:n*d]},
		{"y.npy", []int{n}, obj.Y.Data[:n]},
		{"W.npy", []int{m, d}, w.Data[:m*d]},
		{"a.npy", []int{m}, a.Data[:m]},
	} {
		if err := data.WriteNPYFile(filepath.Join(dir, f.name), f.shape, "<f8", f.vals); err != nil {
			t.Fatal(err)
		}
	}
	ex := &torchExport{N: n, Hidden: m, Scale: scaleOf(layers[1]), TopK: torchOptions.TopK,
		GOMAXPROCS: runtime.GOMAXPROCS(0)}
	for r := 0; r < reps; r++ {
		runtime.GC()
		start, cpu0 := time.Now(), processCPU()
		res, err := FromObjective(obj, torchOptions)
		ex.Seconds = append(ex.Seconds, time.Since(start).Seconds())
		ex.CPUSeconds = append(ex.CPUSeconds, processCPU()-cpu0)
		if err != nil {
			t.Fatal(err)
		}
		ex.Result = res
	}
	b, err := json.MarshalIndent(ex, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return ex
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestTorchExport writes the inputs and the Go result of the PyTorch
// comparison into $NOISEGEOM_TORCH_DIR (n = $NOISEGEOM_TORCH_N, default
// 10000; $NOISEGEOM_TORCH_REPS timed runs, default 3). It skips when the
// directory is not set.
func TestTorchExport(t *testing.T) {
	dir := os.Getenv("NOISEGEOM_TORCH_DIR")
	if dir == "" {
		t.Skip("NOISEGEOM_TORCH_DIR not set (used by testdata/align_torch.py)")
	}
	exportTorch(t, dir, envInt("NOISEGEOM_TORCH_N", 10000), envInt("NOISEGEOM_TORCH_REPS", 3))
}

// BenchmarkFashionTorchPeer times the Go computation of
// BenchmarkFashionTwoLayer (ns/op) and, in the same run, the PyTorch one
// of testdata/align_torch.py on the same data and θ (best of 3, metric
// torch-s) and their ratio (torch/go, the best Go run against the best
// PyTorch run). The script also checks that both agree. It runs only with
// NOISEGEOM_TORCH=1 and /usr/bin/python3 with torch; extra script flags in
// $NOISEGEOM_TORCH_ARGS (space separated).
func BenchmarkFashionTorchPeer(b *testing.B) {
	if os.Getenv("NOISEGEOM_TORCH") != "1" {
		b.Skip("set NOISEGEOM_TORCH=1 to run the PyTorch peer")
	}
	n := envInt("NOISEGEOM_TORCH_N", 10000)
	dir := ""
	best := math.Inf(1)
	if torchPeer.best == 0 {
		dir = b.TempDir()
		best = exportTorch(b, dir, n, 1).Seconds[0]
	}
	obj := fashionObjective(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := FromObjective(obj, torchOptions); err != nil {
			b.Fatal(err)
		}
		best = min(best, time.Since(start).Seconds())
	}
	b.StopTimer()
	if dir != "" {
		// Once per process: the benchmark function runs again with a
		// larger b.N, the PyTorch side need not.
		torchPeer.best, torchPeer.match, torchPeer.err = runTorchScript(dir)
	}
	if torchPeer.err != nil {
		b.Fatal(torchPeer.err)
	}
	if !torchPeer.match {
		b.Errorf("PyTorch and Go results differ (see the script's report)")
	}
	b.ReportMetric(best, "go-best-s")
	b.ReportMetric(torchPeer.best, "torch-s")
	b.ReportMetric(torchPeer.best/best, "torch/go")
}

// torchPeer caches the PyTorch result of BenchmarkFashionTorchPeer.
var torchPeer struct {
	best  float64
	match bool
	err   error
}

// runTorchScript runs testdata/align_torch.py on the export in dir and
// returns its best time and whether its values matched Go's.
func runTorchScript(dir string) (float64, bool, error) {
	args := []string{"testdata/align_torch.py", "--go-dir", dir, "--json"}
	if extra := os.Getenv("NOISEGEOM_TORCH_ARGS"); extra != "" {
		args = append(args, strings.Fields(extra)...)
	}
	cmd := exec.Command("/usr/bin/python3", args...)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, false, fmt.Errorf("align_torch.py: %w", err)
	}
	var out struct {
		BestSeconds float64 `json:"best_seconds"`
		Match       bool    `json:"match"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return 0, false, fmt.Errorf("align_torch.py output %q: %w", stdout.String(), err)
	}
	return out.BestSeconds, out.Match, nil
}

// scaleOf is the layer's pre-activation scale (0 means 1).
func scaleOf(ly models.Layer) float64 {
	if ly.Scale == 0 {
		return 1
	}
	return ly.Scale
}
