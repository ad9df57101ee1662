package optim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseScheduleMessages: a rejected schedule says which form was
// expected and which argument is wrong, in words, never a scan verb such
// as %g (the old message printed "want constant:%g").
func TestParseScheduleMessages(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"constant:x", []string{"want constant:η", `η = "x"`}},
		{"constant:0.1x", []string{"want constant:η", `"0.1x"`}},
		{"constant:0", []string{"η = 0 must be > 0"}},
		{"constant:-1", []string{"η = -1 must be > 0"}},
		{"constant:NaN", []string{"not a finite number"}},
		{"constant:Inf", []string{"not a finite number"}},
		{"step:1,0.5", []string{"want step:η,γ,every", "got 2 values, want 3"}},
		{"step:1,0,10", []string{"γ = 0 must be > 0"}},
		{"step:1,0.5,0", []string{`every = "0" must be an integer ≥ 1`}},
		{"cosine:1,-0.1,10", []string{"min = -0.1 must be ≥ 0"}},
		{"cosine:1,0,2.5", []string{`period = "2.5"`}},
		{"triangular:0.1,0,10", []string{"high = 0 must be > 0"}},
		{"twophase:1,0.1,-5,2", []string{`nhigh = "-5" must be an integer ≥ 0`}},
		{"twophase:1,0.1,0,0", []string{"nhigh + nlow must be ≥ 1"}},
		{"linear:1", []string{"want constant:η, step:η,γ,every"}},
	}
	for _, tt := range tests {
		_, err := ParseSchedule(tt.in)
		require.Error(t, err, tt.in)
		for _, w := range tt.want {
			assert.Contains(t, err.Error(), w, tt.in)
		}
		assert.NotContains(t, err.Error(), "%", tt.in)
	}
	for _, ok := range []string{"cosine:1,0,100", "triangular:0,1,20", "twophase:1,0,0,5", "step:1,1,1"} {
		_, err := ParseSchedule(ok)
		assert.NoError(t, err, ok)
	}
}

// TestScheduleString: String gives the form ParseSchedule reads back to
// the same schedule.
func TestScheduleString(t *testing.T) {
	for _, in := range []string{"constant:0.1", "step:0.30000000000000004,0.5,10", "cosine:1,0,100",
		"triangular:0,1e-07,20", "twophase:1,0.1,5,15"} {
		s, err := ParseSchedule(in)
		require.NoError(t, err)
		assert.Equal(t, in, s.(interface{ String() string }).String())
	}
}
