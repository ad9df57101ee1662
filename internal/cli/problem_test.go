package cli

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hideDataset points the dataset search at an empty directory (the
// default location may still hold it: tests that need the flags alone
// also pass --data-dir to a missing directory).
func hideDataset(t *testing.T) string {
	t.Helper()
	empty := t.TempDir()
	t.Setenv(data.DataEnv, empty)
	return filepath.Join(empty, "missing")
}

// TestProblemUsageBeforeIO: every bad combination of the problem flags is
// a usage error (exit 2) found before the data is read, in every command
// built on them, whether or not Fashion-MNIST is installed; with valid
// flags, missing data is a failure (exit 1).
func TestProblemUsageBeforeIO(t *testing.T) {
	missing := hideDataset(t)
	fm := []string{"--data", "fashion-mnist", "--data-dir", missing}
	tests := []struct {
		cmd  string
		args []string
		code int
		want string
	}{
		{"align", []string{"--loss", "cross_entropy", "--classes", "0,6", "--targets", "sign"}, 2, "class targets"},
		{"align", []string{"--targets", "sign"}, 2, "exactly two --classes"},
		{"align", []string{"--classes", "0,10"}, 2, "class 10"},
		{"align", []string{"--classes", "3,3"}, 2, "twice"},
		{"align", []string{"--classes", "a"}, 2, "--classes"},
		{"align", []string{"--targets", "ternary"}, 2, "ternary"},
		{"align", []string{"--model", "diagonal"}, 2, "one output"},
		{"align", []string{"--model", "randomfeatures", "--classes", "1,2,3"}, 2, "one output"},
		{"align", []string{"--at", "teacher"}, 2, "synthetic"},
		{"align", []string{"--classes", "0,6", "--n", "100000", "--batch", "20000"}, 2, "n = 12000"},
		{"align", []string{"--width", "0"}, 2, "--width"},
		{"align", []string{"--activation", "swish"}, 2, "swish"},
		{"align", []string{"--path", "fast"}, 2, "fast"},
		{"align", []string{"--classes", "0,6", "--targets", "sign"}, 1, "fashion-mnist"},
		{"train", []string{"--targets", "sign"}, 2, "exactly two --classes"},
		{"train", []string{"--model", "diagonal"}, 2, "one output"},
		{"train", []string{"--at", "teacher"}, 2, "synthetic"},
		{"escape", []string{"--classes", "0,11", "--targets", "sign"}, 2, "class 11"},
		{"cyclical", []string{"--targets", "sign"}, 2, "exactly two --classes"},
		{"train", []string{"--classes", "0,6", "--targets", "sign"}, 1, "fashion-mnist"},
	}
	for _, tt := range tests {
		args := append(append([]string(nil), fm...), tt.args...)
		code, _, errOut := callCmd(tt.cmd, args...)
		assert.Equal(t, tt.code, code, "%q: stderr %q", args, errOut)
		assert.Contains(t, errOut, tt.want, "%q", args)
	}
}

// TestProblemMemory: sizes whose data or model would not fit are refused
// before anything is allocated, with the estimate and the limit, in every
// command built on the problem flags.
func TestProblemMemory(t *testing.T) {
	for _, args := range [][]string{
		{"align", "--n", "100000000", "--d", "1000"},
		{"align", "--d", "20000000"},
		{"align", "--model", "mlp", "--width", "2000000000"},
		{"align", "--model", "twolayer", "--d", "100000", "--width", "100000"},
		{"align", "--n", "20", "--d", "4", "--memory", "1e-9"},
		{"train", "--n", "4000000000", "--d", "50"},
		{"escape", "--model", "twolayer", "--width", "1000000000"},
		{"cyclical", "--d", "1000000000"},
	} {
		code, _, errOut := callCmd(args[0], args[1:]...)
		assert.Equal(t, 2, code, "%q: stderr %q", args, errOut)
		assert.Contains(t, errOut, "needs about", "%q", args)
	}
}

// TestProblemModelSize: the parameter counts estimated from the flags are
// those of the models built.
func TestProblemModelSize(t *testing.T) {
	for _, model := range []string{"linear", "twolayer", "randomfeatures", "diagonal", "mlp"} {
		for _, bias := range []bool{false, true} {
			for _, K := range []int{1, 3} {
				f := &alignFlags{model: model, width: 5, bias: bias, seed: 1}
				p, frozen, err := modelSize(model, 7, K, 5, bias)
				m, err2 := newAlignModel(f, 7, K, models.Tanh)
				require.Equal(t, err == nil, err2 == nil, "%s K=%d: %v / %v", model, K, err, err2)
				if err != nil {
					continue
				}
				assert.Equal(t, float64(m.NumParams()), p, "%s bias=%v K=%d", model, bias, K)
				stored := 0
				if net, ok := m.(*models.Network); ok {
					stored = len(net.FrozenWeights())
				}
				assert.Equal(t, float64(stored), frozen, "%s bias=%v K=%d frozen", model, bias, K)
			}
		}
	}
}

// TestProblemSyntheticSameAsData: `data --synthetic --teacher linear
// --export` writes the inputs and labels align measures, bit for bit,
// and align's teacher θ* is the data command's linear teacher.
func TestProblemSyntheticSameAsData(t *testing.T) {
	for _, rotate := range []bool{false, true} {
		dir := t.TempDir()
		out := filepath.Join(dir, "e.npy")
		args := []string{"data", "--synthetic", "--n", "37", "--d", "6", "--spectrum", "powerlaw:1", "--teacher", "linear",
			"--noise", "0.3", "--seed", "5", "--export", out}
		if rotate {
			args = append(args, "--rotate")
		}
		code, _, errOut := callCmd(args[0], args[1:]...)
		require.Equal(t, 0, code, errOut)
		x, err := data.ReadNPYFile(out)
		require.NoError(t, err)
		y, err := data.ReadNPYFile(filepath.Join(dir, "e_y.npy"))
		require.NoError(t, err)

		f := &alignFlags{model: "linear", data: "synthetic", n: 37, d: 6, spectrum: "powerlaw:1", rotate: rotate,
			noise: 0.3, seed: 5, width: 64, activation: "tanh", targets: "onehot"}
		pb, err := buildProblem(f, models.Tanh, false)
		require.NoError(t, err)
		assert.Equal(t, bitsOf(x.Data), bitsOf(pb.x.Data[:37*6]), "rotate=%v: X", rotate)
		assert.Equal(t, bitsOf(y.Data), bitsOf(pb.y.Data[:37]), "rotate=%v: y", rotate)
		te, err := data.ParseTeacher("linear", 6, 1, 5)
		require.NoError(t, err)
		assert.Equal(t, bitsOf(te.(*data.LinearTeacher).Theta.Data), bitsOf(pb.theta), "rotate=%v: θ*", rotate)
	}
}

func bitsOf(v []float64) []uint64 {
	b := make([]uint64, len(v))
	for i, x := range v {
		b[i] = math.Float64bits(x)
	}
	return b
}

// TestProblemMessages: the memory refusal names the sizes.
func TestProblemMessages(t *testing.T) {
	f := &alignFlags{model: "linear", data: "synthetic", n: 10, d: 1 << 30, width: 1, activation: "tanh", spectrum: "isotropic", memoryMB: 1024}
	s, err := checkProblem(f)
	require.NoError(t, err)
	err = checkProblemMemory(f, s)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "d = 1073741824") && strings.Contains(err.Error(), "limit 977 MiB (--memory"), err.Error())
}

// TestTrainMemoryFlag: train's --memory bounds the data and the model.
func TestTrainMemoryFlag(t *testing.T) {
	code, _, errOut := callCmd("train", "--n", "2000", "--d", "50", "--memory", "0.1", "--steps", "1")
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "limit 97.7 KiB (--memory")
	code, _, errOut = callCmd("train", "--n", "20", "--d", "5", "--memory", "50", "--steps", "1")
	assert.Equal(t, 0, code, errOut)
}
