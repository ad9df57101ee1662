package analysis

import (
	"math"
	"testing"

	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/models"
)

// fashionObjective is the speed benchmark of issue 6: a two-layer tanh
// network (d = 784, m = 512, second layer fixed, c = 1/√m) on n
// Fashion-MNIST training images of classes 0 and 6 scaled to [0, 1], ±1
// targets. It skips when the data set is not installed.
func fashionObjective(b testing.TB, n int) *models.Objective {
	ds, err := data.LoadNamed("fashion-mnist", data.NamedOptions{})
	if err != nil {
		b.Skipf("fashion-mnist not available: %v", err)
	}
	if ds, err = data.SubsetClasses(ds, []int{0, 6}); err != nil {
		b.Fatal(err)
	}
	if ds, err = data.Subsample(ds, n, 1); err != nil {
		b.Fatal(err)
	}
	if err := data.ScaleUnit(ds); err != nil {
		b.Fatal(err)
	}
	if err := data.SignTargets(ds); err != nil {
		b.Fatal(err)
	}
	m := 512
	net := models.NewNetwork([]models.Layer{
		{In: 784, Out: m, Act: models.Tanh, Init: models.InitLeCun},
		{In: m, Out: 1, Act: models.Identity, Frozen: true, Scale: 1 / math.Sqrt(float64(m)), Init: models.InitSigns},
	})
	net.Init(1)
	return models.NewObjective(net, models.Square{}, ds.X, ds.Y)
}

// BenchmarkFashionTwoLayer times μ, μ_c and g along the top 20
// eigenvectors of G (Gram path, structured K, Lanczos on K). Its PyTorch
// peer, on the same data and θ and in the same run: BenchmarkFashionTorchPeer
// and testdata/align_torch.py (torch_test.go).
func BenchmarkFashionTwoLayer(b *testing.B) {
	n := 10000
	if testing.Short() {
		n = 2000
	}
	obj := fashionObjective(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := FromObjective(obj, torchOptions)
		if err != nil {
			b.Fatal(err)
		}
		if !res.Mu.Defined || len(res.Directional) != 20 {
			b.Fatalf("mu %v, %d directions", res.Mu, len(res.Directional))
		}
	}
}

// BenchmarkFashionGramStructuredVsSyrk compares the layer-structured K
// with Syrk over parameter blocks of the explicit Jacobian on 1000 samples
// of the same network (K only).
func BenchmarkFashionGramStructuredVsSyrk(b *testing.B) {
	obj := fashionObjective(b, 1000)
	net := obj.Model.(*models.Network)
	b.Run("structured", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			NetworkGram(net, obj.X)
		}
	})
	b.Run("syrk-blocks", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			Gram(obj, 1<<30)
		}
	})
}
