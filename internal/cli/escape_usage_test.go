package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/noisegeom/noisegeom/data"
)

// fashionAbsent are flags selecting Fashion-MNIST (one output) from a
// directory without it.
func fashionAbsent(t *testing.T) []string {
	return []string{"--data", "fashion-mnist", "--data-dir", t.TempDir(), "--targets", "sign", "--classes", "0,6"}
}

// TestEscapeUsageBeforeIO: every meaningless value is a usage error (exit
// 2) naming its flag, for synthetic data and for Fashion-MNIST whether or
// not the dataset is there (nothing is read before the flags are checked).
func TestEscapeUsageBeforeIO(t *testing.T) {
	shared := [][]string{
		{"--batch", "0"}, {"--batch", "-2"}, {"--repeats", "-3"}, {"--repeats", "1"}, {"--workers", "-1"},
		{"--radius", "0"}, {"--radius", "NaN"}, {"--radius", "Inf"}, {"--unbalance", "-1"}, {"--unbalance", "+Inf"},
		{"--train-steps", "0"}, {"--train-tol", "NaN"}, {"--n", "0"}, {"--width", "0"}, {"--model", "resnet"},
		{"--activation", "swish"}, {"--memory", "-1"}, {"--memory", "NaN"}, {"--memory", "Inf"},
	}
	synthOnly := [][]string{{"--d", "0"}, {"--noise", "NaN"}, {"--noise", "-1"}, {"--spectrum", "bogus"}}
	cases := map[string][][]string{
		"escape": append([][]string{
			{"--lr", "0"}, {"--lr", "-1"}, {"--lr", "NaN"}, {"--lr", "Inf"}, {"--lr-factor", "0"}, {"--lr-factor", "-1"},
			{"--lr-factor", "NaN"}, {"--lr-factor", "Inf"}, {"--steps", "0"}, {"--steps", "-5"}, {"--every", "-1"},
			{"--escape-factor", "Inf"}, {"--escape-factor", "0"}, {"--perturbation", "gaussian"},
		}, shared...),
		"cyclical": append([][]string{
			{"--high-factor", "0"}, {"--high-factor", "NaN"}, {"--low-factor", "-1"}, {"--low-factor", "Inf"},
			{"--cycles", "0"}, {"--high-steps", "-1"}, {"--low-steps", "-1"}, {"--high-steps", "0", "--low-steps", "0"},
			{"--cycles", "1000000", "--high-steps", "1000000"},
		}, shared...),
	}
	for cmd, bad := range cases {
		for _, args := range bad {
			flag := args[0]
			if flag == "--model" || flag == "--perturbation" || flag == "--activation" {
				flag = args[1] // the message quotes the value
			}
			for _, where := range [][]string{nil, fashionAbsent(t)} {
				all := append(append([]string(nil), where...), args...)
				code, _, errOut := callCmd(cmd, all...)
				assert.Equal(t, 2, code, "%s %q: stderr %q", cmd, all, errOut)
				assert.Contains(t, errOut, flag, "%s %q", cmd, all)
			}
		}
		for _, args := range synthOnly {
			code, _, errOut := callCmd(cmd, args...)
			assert.Equal(t, 2, code, "%s %q: stderr %q", cmd, args, errOut)
			assert.Contains(t, errOut, args[0], "%s %q", cmd, args)
		}
		// Fashion-MNIST needs one output: --targets sign and two classes.
		for _, args := range [][]string{
			{"--data", "fashion-mnist", "--data-dir", t.TempDir()},
			{"--data", "fashion-mnist", "--data-dir", t.TempDir(), "--targets", "sign"},
			{"--data", "fashion-mnist", "--data-dir", t.TempDir(), "--targets", "sign", "--classes", "0,6,7"},
			{"--data", "fashion-mnist", "--data-dir", t.TempDir(), "--targets", "sign", "--classes", "3,3"},
			{"--data", "fashion-mnist", "--data-dir", t.TempDir(), "--targets", "sign", "--classes", "0,12"},
		} {
			code, _, errOut := callCmd(cmd, args...)
			assert.Equal(t, 2, code, "%s %q: stderr %q", cmd, args, errOut)
		}
		// Valid flags on the absent dataset: a runtime failure, not usage.
		code, _, errOut := callCmd(cmd, fashionAbsent(t)...)
		assert.Equal(t, 1, code, "%s: stderr %q", cmd, errOut)
	}
}

// TestEscapeMemoryRefused: runs whose estimate exceeds the budget are
// refused before any allocation or I/O, naming the estimate, its largest
// part and the limit with its source.
func TestEscapeMemoryRefused(t *testing.T) {
	for _, tt := range []struct {
		cmd  string
		args []string
		want []string
	}{
		{"escape", []string{"--repeats", "1000000000"}, []string{"needs about", "TiB", "Monte Carlo trajectories", "--repeats 1000000000", "limit"}},
		{"escape", []string{"--repeats", "100", "--memory", "0.1"}, []string{"needs about", "limit 97.7 KiB (--memory"}},
		{"escape", []string{"--d", "1000000000", "--repeats", "0"}, []string{"needs about", "covariance"}},
		{"escape", []string{"--n", "1000000000", "--repeats", "0"}, []string{"needs about", "--n"}},
		{"escape", []string{"--steps", "2000000000", "--every", "1", "--repeats", "0"}, []string{"needs about", "recorded series"}},
		{"escape", []string{"--model", "mlp", "--width", "1000000000", "--repeats", "0"}, []string{"needs about", "G(θ*)"}},
		{"cyclical", []string{"--repeats", "1000000000", "--cycles", "100"}, []string{"needs about", "measurements", "limit"}},
		{"cyclical", []string{"--memory", "0.01"}, []string{"needs about", "limit 9.77 KiB (--memory"}},
	} {
		for _, where := range [][]string{nil, fashionAbsent(t)} {
			if where != nil && (slices.Contains(tt.args, "--d") || slices.Contains(tt.args, "--n")) {
				continue // synthetic only: Fashion-MNIST has 784 inputs and at most 60000 images
			}
			args := append(append([]string(nil), where...), tt.args...)
			code, _, errOut := callCmd(tt.cmd, args...)
			assert.Equal(t, 2, code, "%s %q: stderr %q", tt.cmd, args, errOut)
			for _, w := range tt.want {
				assert.Contains(t, errOut, w, "%s %q", tt.cmd, args)
			}
		}
	}
}

// TestEscapeDivergenceReported: at three times their thresholds over 1000
// steps GD's exact recursion and both Monte Carlo runs overflow float64;
// that is reported (exit 0, "diverged at step k", diverged_at in the JSON
// with no non-finite numbers), not an error.
func TestEscapeDivergenceReported(t *testing.T) {
	args := []string{"--n", "30", "--d", "10", "--lr-factor", "3", "--steps", "1000", "--every", "10", "--repeats", "4"}
	code, out, errOut := callCmd("escape", args...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "GD exact recursion: diverged at step")
	assert.Contains(t, out, "GD Monte Carlo: diverged at step")

	code, out, errOut = callCmd("escape", append(args, "--json")...)
	require.Equal(t, 0, code, errOut)
	var doc struct {
		GD, SGD struct {
			Exact, MC struct {
				Steps      []int `json:"steps"`
				DivergedAt *int  `json:"diverged_at"`
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	for name, s := range map[string]struct {
		Steps      []int `json:"steps"`
		DivergedAt *int  `json:"diverged_at"`
	}{"gd.exact": doc.GD.Exact, "gd.mc": doc.GD.MC, "sgd.mc": doc.SGD.MC} {
		require.NotNil(t, s.DivergedAt, name)
		assert.Greater(t, *s.DivergedAt, 0, name)
		assert.Less(t, *s.DivergedAt, 1000, name)
		require.NotEmpty(t, s.Steps, name)
		assert.Less(t, s.Steps[len(s.Steps)-1], *s.DivergedAt, name)
	}

	// Below the thresholds nothing diverges: diverged_at is −1.
	code, out, errOut = callCmd("escape", "--n", "30", "--d", "10", "--lr-factor", "0.5", "--steps", "100", "--repeats", "4", "--json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, -1, *doc.GD.Exact.DivergedAt)
	assert.Equal(t, -1, *doc.SGD.MC.DivergedAt)
	assert.NotContains(t, out, "diverged at step")
}

// TestCyclicalDivergenceReported: a high phase far above both thresholds
// makes the two cyclical arms diverge; the run reports it and exits 0.
func TestCyclicalDivergenceReported(t *testing.T) {
	args := []string{"--high-factor", "1000", "--cycles", "2", "--repeats", "3"}
	code, out, errOut := callCmd("cyclical", args...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "SGD cyclical: diverged at step")
	assert.Contains(t, out, "GD cyclical: diverged at step")

	code, out, errOut = callCmd("cyclical", append(args, "--json")...)
	require.Equal(t, 0, code, errOut)
	var doc struct {
		DivergedAt  map[string]int `json:"diverged_at"`
		SGDCyclical []any          `json:"sgd_cyclical"`
		SGDConstant []any          `json:"sgd_constant"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	period := 400 // default --high-steps 100 + --low-steps 300
	for _, arm := range []string{"sgd_cyclical", "gd_cyclical"} {
		at, ok := doc.DivergedAt[arm]
		require.True(t, ok, arm)
		assert.True(t, at >= 0 && at < period, "%s diverged at %d", arm, at)
	}
	assert.Equal(t, -1, doc.DivergedAt["sgd_constant"])
	assert.Len(t, doc.SGDCyclical, 1, "only cycle 0 precedes the divergence")
	assert.Len(t, doc.SGDConstant, 3)
}

// TestEscapeFashionMNIST runs escape on two classes of Fashion-MNIST when
// the dataset is installed.
func TestEscapeFashionMNIST(t *testing.T) {
	if _, err := data.LocateNamed("fashion-mnist", data.NamedOptions{}); err != nil {
		t.Skipf("fashion-mnist not available: %v", err)
	}
	code, out, errOut := callCmd("escape", "--data", "fashion-mnist", "--targets", "sign", "--classes", "0,6",
		"--n", "40", "--steps", "20", "--repeats", "0")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.Contains(out, "GD") && strings.Contains(out, "SGD"), out)
}
