package cli

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMachineMemory(t *testing.T) {
	const meminfo = "MemTotal:       24683748 kB\nMemFree:        23862760 kB\nMemAvailable:   2000000 kB\n"
	for _, tt := range []struct {
		name               string
		meminfo            string // "" : no file
		max, current       string // "" : no file
		wantBytes          float64
		wantSourceContains string
	}{
		{"meminfo only", meminfo, "", "", 2000000 * 1024, "MemAvailable"},
		{"cgroup tighter", meminfo, "1000000000\n", "400000000\n", 600000000, "cgroup memory.max"},
		{"cgroup looser", meminfo, "100000000000\n", "0\n", 2000000 * 1024, "MemAvailable"},
		{"cgroup unlimited", meminfo, "max\n", "5\n", 2000000 * 1024, "MemAvailable"},
		{"cgroup over its limit", meminfo, "100\n", "200\n", 0, "cgroup"},
		{"no MemAvailable line", "MemTotal: 5 kB\n", "", "", fallbackMemory, "fallback"},
		{"nothing readable", "", "", "", fallbackMemory, "fallback"},
		{"cgroup without meminfo", "", "3000\n", "1000\n", 2000, "cgroup"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write := func(name, text string) {
				if text != "" {
					require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
				}
			}
			write("meminfo", tt.meminfo)
			write("memory.max", tt.max)
			write("memory.current", tt.current)
			b := machineMemory(filepath.Join(dir, "meminfo"), dir)
			assert.Equal(t, tt.wantBytes, b.Bytes)
			assert.Contains(t, b.Source, tt.wantSourceContains)
		})
	}
}

func TestMemoryBudgetFlag(t *testing.T) {
	b, err := memoryBudget(1.5)
	require.NoError(t, err)
	assert.Equal(t, memBudget{Bytes: 1.5e6, Source: "--memory"}, b)
	b, err = memoryBudget(0)
	require.NoError(t, err)
	assert.Greater(t, b.Bytes, 0.0, "the machine's memory")
	for _, mb := range []float64{-1, math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := memoryBudget(mb)
		var ue alignUsageError
		assert.True(t, errors.As(err, &ue), "--memory %g: %v", mb, err)
	}
}

func TestMemBudgetCheck(t *testing.T) {
	b := memBudget{Bytes: 16 << 30, Source: "test"}
	assert.NoError(t, b.check(memPart{"a", 8 << 30}, memPart{"b", 8 << 30}), "exactly at the limit")
	err := b.check(memPart{"the data", 1 << 30}, memPart{"the Monte Carlo trajectories (--repeats 9)", 119 << 30})
	var ue alignUsageError
	require.True(t, errors.As(err, &ue))
	assert.Equal(t, "needs about 120 GiB, 119 GiB of it for the Monte Carlo trajectories (--repeats 9); limit 16 GiB (test; set --memory in MB to change it)", err.Error())
	assert.Error(t, b.check(memPart{"huge", math.Inf(1)}))
}

func TestFormatBytes(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{{0, "0 B"}, {1023, "1.02e+03 B"}, {1024, "1 KiB"}, {1e5, "97.7 KiB"}, {3 << 30, "3 GiB"}, {1 << 62, "4 EiB"}, {1e30, "8.67e+11 EiB"}} {
		assert.Equal(t, tt.want, formatBytes(tt.v), "%g", tt.v)
	}
}

func TestProblemSize(t *testing.T) {
	for _, tt := range []struct {
		f          alignFlags
		n, d, k, p float64
	}{
		{alignFlags{model: "linear", data: "synthetic", n: 10, d: 7}, 10, 7, 1, 7},
		{alignFlags{model: "diagonal", data: "synthetic", n: 10, d: 7}, 10, 7, 1, 14},
		{alignFlags{model: "twolayer", data: "synthetic", n: 10, d: 7, width: 3, bias: true}, 10, 7, 1, 24},
		{alignFlags{model: "randomfeatures", data: "synthetic", n: 10, d: 7, width: 3}, 10, 7, 1, 3},
		{alignFlags{model: "mlp", data: "synthetic", n: 10, d: 7, width: 3}, 10, 7, 1, 21 + 3 + 3 + 1},
		{alignFlags{model: "linear", data: "fashion-mnist", n: 1 << 40, targets: "onehot"}, 60000, 784, 10, 7840},
		{alignFlags{model: "linear", data: "fashion-mnist", n: 5, targets: "onehot", classes: "1,2,3"}, 5, 784, 3, 3 * 784},
		{alignFlags{model: "mlp", data: "fashion-mnist", n: 5, targets: "sign", width: 2}, 5, 784, 1, 1568 + 2 + 2 + 1},
		{alignFlags{model: "linear", data: "synthetic", n: math.MaxInt, d: math.MaxInt}, math.MaxInt, math.MaxInt, 1, math.MaxInt},
	} {
		n, d, k, p := problemSize(&tt.f)
		assert.Equal(t, []float64{tt.n, tt.d, tt.k, tt.p}, []float64{n, d, k, p}, "%+v", tt.f)
	}
}
