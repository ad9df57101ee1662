package experiments

import (
	"fmt"
	"strings"
)

// registry holds the experiments in report order. Each experiment file
// adds itself in init through register.
var registry []*Experiment

// order fixes the report order of the known experiments; experiments not
// listed come after, in registration order.
var order = []string{
	"mu-vs-n", "mu-vs-p", "directional", "degeneracy", "fashion-mnist", "escape", "cyclical",
}

func register(e *Experiment) {
	for _, x := range registry {
		if x.Name == e.Name {
			panic("experiments: duplicate experiment " + e.Name)
		}
	}
	registry = append(registry, e)
}

// All returns every experiment in report order.
func All() []*Experiment {
	out := make([]*Experiment, 0, len(registry))
	seen := map[string]bool{}
	for _, name := range order {
		for _, e := range registry {
			if e.Name == name {
				out = append(out, e)
				seen[name] = true
			}
		}
	}
	for _, e := range registry {
		if !seen[e.Name] {
			out = append(out, e)
		}
	}
	return out
}

// Lookup returns the experiment with the given name.
func Lookup(name string) (*Experiment, error) {
	for _, e := range registry {
		if e.Name == name {
			return e, nil
		}
	}
	names := make([]string, 0, len(registry))
	for _, e := range All() {
		names = append(names, e.Name)
	}
	return nil, fmt.Errorf("unknown experiment %q (known: %s)", name, strings.Join(names, ", "))
}

// Select returns the experiments named in a comma-separated list, in report
// order; an empty list selects all.
func Select(list string) ([]*Experiment, error) {
	if strings.TrimSpace(list) == "" {
		return All(), nil
	}
	want := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if _, err := Lookup(name); err != nil {
			return nil, err
		}
		want[name] = true
	}
	var out []*Experiment
	for _, e := range All() {
		if want[e.Name] {
			out = append(out, e)
		}
	}
	return out, nil
}
