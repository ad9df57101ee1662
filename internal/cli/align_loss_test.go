package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/noisegeom/noisegeom/data"
)

// TestAlignLoss: --loss is parsed, cross-entropy needs class targets, and a
// cross-entropy run on Fashion-MNIST reports the generalized Gauss–Newton
// metrics (skipped when the data set is not installed).
func TestAlignLoss(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--loss", "hinge"}, "hinge"},
		{[]string{"--loss", "cross_entropy"}, "class targets"},
		{[]string{"--loss", "cross_entropy", "--data", "fashion-mnist", "--classes", "0,6", "--targets", "sign"}, "class targets"},
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
