package models

import "testing"

// Fixture is a fixture for the external tests (modeltest_test.go).
type Fixture struct {
	Name string
	Obj  *Objective
}

// Fixtures returns the package's test fixtures, one per model family and
// variant (fixtures_test.go).
func Fixtures(t testing.TB) []Fixture {
	var out []Fixture
	for _, fx := range fixtures(t) {
		out = append(out, Fixture{fx.name, fx.obj})
	}
	return out
}
