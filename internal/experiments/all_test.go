package experiments

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/noisegeom/noisegeom/data"
	"github.com/noisegeom/noisegeom/internal/report"
)

// TestEveryExperimentAtTiny runs every registered experiment whole at the
// tiny scale through the runner (records written and read back) and checks
// what a reader gets: a valid document (unique, safe names; consistent
// shapes), figures with axis labels that carry units, and verdicts that
// state what was measured and expected.
func TestEveryExperimentAtTiny(t *testing.T) {
	docs := captureReports(t)
	for _, e := range All() {
		t.Run(e.Name, func(t *testing.T) {
			cfg := Config{Scale: Tiny, Seed: 1}
			// Only a missing optional dataset may keep an experiment from
			// running; any other planning error fails.
			if _, err := e.Plan(cfg); errors.Is(err, data.ErrNotFound) {
				t.Skipf("needs a dataset that is not installed: %v", err)
			}
			dir := t.TempDir()
			out, err := Run(context.Background(), Options{Out: dir, Experiments: []*Experiment{e}, Config: cfg})
			require.NoError(t, err)
			eo := out.Experiments[0]
			require.Equal(t, StatusDone, eo.Status, eo.Error)
			doc := docs[dir]
			require.NoError(t, report.Validate(doc))
			assert.Empty(t, string(report.MissingGlyphs(doc)), "figure text the PNG font cannot draw")
			require.Len(t, doc.Sections, 1)
			sec := doc.Sections[0]
			assert.Equal(t, e.Name, sec.Name)
			assert.NotEmpty(t, sec.Claim)
			assert.NotEmpty(t, sec.Method)
			require.NotEmpty(t, sec.Figures)
			require.NotEmpty(t, sec.Verdicts)
			for _, f := range sec.Figures {
				for _, label := range []string{f.XLabel, f.YLabel} {
					assert.True(t, strings.Contains(label, "(") && strings.HasSuffix(strings.TrimSpace(label), ")"),
						"figure %s: axis label %q names no unit", f.Name, label)
				}
				assert.NotEmpty(t, f.Series, "figure %s", f.Name)
			}
			for _, v := range sec.Verdicts {
				assert.NotEmpty(t, v.Statement)
				assert.NotEmpty(t, v.Measured, v.Statement)
				assert.NotEmpty(t, v.Expected, v.Statement)
			}
		})
	}
}
