package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCyclicalCommand(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--repeats", "1"}, 2, "--repeats"},
		{[]string{"--high-factor", "0"}, 2, "--high-factor"},
		{[]string{"--high-steps", "0", "--low-steps", "0"}, 2, "--high-steps"},
		{[]string{"--model", "resnet"}, 2, `"resnet"`},
	} {
		code, _, errOut := callCmd("cyclical", tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.stderr) {
			t.Errorf("%q: exit %d, stderr %q", tt.args, code, errOut)
		}
	}
	code, out, errOut := callCmd("cyclical", "--help")
	if code != 0 || !strings.Contains(out, "--high-factor") || !strings.Contains(out, "--unbalance") {
		t.Errorf("help: %d %q", code, errOut)
	}
	code, out, errOut = callCmd("cyclical", "--cycles", "2", "--repeats", "4", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, arm := range []string{"sgd_cyclical", "sgd_constant", "gd_cyclical"} {
		cs, ok := doc[arm].([]any)
		if !ok || len(cs) != 3 {
			t.Fatalf("%s: %v", arm, doc[arm])
		}
		last := cs[2].(map[string]any)
		for _, k := range []string{"lambda_max", "tr_g", "frob_g", "loss"} {
			st, ok := last[k].(map[string]any)
			if !ok || st["mean"] == nil || st["stderr"] == nil {
				t.Errorf("%s.%s: %v", arm, k, last[k])
			}
		}
	}
	if !(doc["sgd_critical"].(float64) < doc["gd_threshold"].(float64)) {
		t.Errorf("thresholds %v %v", doc["sgd_critical"], doc["gd_threshold"])
	}
}
