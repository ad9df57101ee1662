package cli

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/data"
)

// TestAlignLoss: --loss is parsed, cross-entropy needs class targets (a
// usage error found without the data set: its directory is missing here),
// and a cross-entropy run on Fashion-MNIST reports the generalized
// Gauss–Newton metrics (skipped when the data set is not installed).
func TestAlignLoss(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--loss", "hinge"}, "hinge"},
		{[]string{"--loss", "cross_entropy"}, "class targets"},
		{[]string{"--loss", "cross_entropy", "--data", "fashion-mnist", "--data-dir", missing, "--classes", "0,6", "--targets", "sign"}, "class targets"},
	} {
		if code, _, errOut := callAlign(tt.args...); code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, stderr %q", tt.args, code, errOut)
		}
	}
	if _, err := data.LocateNamed("fashion-mnist", data.NamedOptions{}); err != nil {
		t.Skipf("fashion-mnist not available: %v", err)
	}
	code, out, errOut := callAlign("--data", "fashion-mnist", "--classes", "0,1,2", "--n", "40", "--model", "twolayer",
		"--width", "4", "--loss", "cross_entropy", "--k", "2", "--path", "gram", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var js struct {
		Config map[string]any `json:"config"`
		Mu     *float64       `json:"mu"`
		Loss   float64        `json:"loss"`
		Notes  []string       `json:"notes"`
	}
	if err := json.Unmarshal([]byte(out), &js); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if js.Config["loss"] != "cross_entropy" || js.Mu == nil || !(*js.Mu > 0) || !(js.Loss > 0) ||
		!strings.Contains(strings.Join(js.Notes, " "), "generalized Gauss–Newton") {
		t.Errorf("config %v, mu %v, loss %v, notes %q", js.Config, js.Mu, js.Loss, js.Notes)
	}
}

// TestAlignCriticalLinearised: a small nonlinear single-output model gets
// the exact critical rate of its linearisation at θ, whose GD threshold is
// 2/λ_max(G) of the same run, and SGD's is not above it.
func TestAlignCriticalLinearised(t *testing.T) {
	code, out, errOut := callAlign("--model", "twolayer", "--width", "6", "--d", "4", "--n", "80", "--k", "2", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var js struct {
		Eigenvalues []float64 `json:"eigenvalues"`
		Critical    *struct {
			SGD, GD float64
		} `json:"sgd_critical"`
		Notes []string `json:"notes"`
	}
	if err := json.Unmarshal([]byte(out), &js); err != nil {
		t.Fatal(err)
	}
	if js.Critical == nil || len(js.Eigenvalues) == 0 || !strings.Contains(strings.Join(js.Notes, " "), "linearised") {
		t.Fatalf("critical %+v, notes %q", js.Critical, js.Notes)
	}
	gd := 2 / js.Eigenvalues[0]
	if math.Abs(js.Critical.GD-gd) > 1e-9*gd || !(js.Critical.SGD > 0 && js.Critical.SGD <= js.Critical.GD*(1+1e-12)) {
		t.Errorf("critical %+v, 2/λmax = %v", js.Critical, gd)
	}
}
