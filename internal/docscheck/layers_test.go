package docscheck

import (
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/noisegeom/noisegeom"

// testOnlyLayer marks the packages of the "–" row: imported by tests only.
const testOnlyLayer = -1

// readLayers parses the table under "## Layers" in docs/architecture.md:
// package (relative to the module) → layer.
func readLayers(md string) (map[string]int, error) {
	_, body, ok := strings.Cut(md, "\n## Layers\n")
	if !ok {
		return nil, fmt.Errorf("no '## Layers' section")
	}
	body, _, _ = strings.Cut(body, "\n## ")
	row := regexp.MustCompile("^\\|\\s*(\\d+|–)\\s*\\|([^|]*)\\|")
	pkg := regexp.MustCompile("`([^`]+)`")
	layers := map[string]int{}
	for _, line := range strings.Split(body, "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		layer := testOnlyLayer
		if m[1] != "–" {
			layer, _ = strconv.Atoi(m[1])
		}
		for _, p := range pkg.FindAllStringSubmatch(m[2], -1) {
			if _, dup := layers[p[1]]; dup {
				return nil, fmt.Errorf("package %s is in two rows", p[1])
			}
			layers[p[1]] = layer
		}
	}
	if len(layers) == 0 {
		return nil, fmt.Errorf("the layers table has no rows")
	}
	return layers, nil
}

// layerViolations checks an import graph (package → the module packages it
// imports, outside tests) against layers: every package must be listed,
// and import only packages of a lower layer (test-only packages may not be
// imported at all outside tests).
func layerViolations(graph map[string][]string, layers map[string]int) []string {
	var bad []string
	for p, imports := range graph {
		lp, ok := layers[p]
		if !ok {
			bad = append(bad, fmt.Sprintf("%s is in no row of the layers table", p))
			continue
		}
		for _, q := range imports {
			lq, ok := layers[q]
			switch {
			case !ok:
				bad = append(bad, fmt.Sprintf("%s imports %s, which is in no row", p, q))
			case lq == testOnlyLayer && lp != testOnlyLayer:
				bad = append(bad, fmt.Sprintf("%s (layer %d) imports the test-only package %s", p, lp, q))
			case lp != testOnlyLayer && lq >= lp:
				bad = append(bad, fmt.Sprintf("%s (layer %d) imports %s (layer %d): imports must point to a lower layer", p, lp, q, lq))
			}
		}
	}
	sort.Strings(bad)
	return bad
}

// importGraph lists the module's packages under root with their non-test
// imports of module packages, for one build context.
func importGraph(t *testing.T, root string, ctx build.Context) map[string][]string {
	t.Helper()
	graph := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		pkg, err := ctx.ImportDir(path, 0)
		if err != nil {
			return nil // no Go files for this context
		}
		rel, _ := filepath.Rel(root, path)
		var imports []string
		for _, imp := range pkg.Imports {
			if q, ok := strings.CutPrefix(imp, module+"/"); ok {
				imports = append(imports, q)
			}
		}
		graph[filepath.ToSlash(rel)] = imports
		return nil
	})
	require.NoError(t, err)
	return graph
}

// TestLayers: every package's imports follow docs/architecture.md#layers,
// on amd64 and arm64, with and without the purego and openblas tags.
func TestLayers(t *testing.T) {
	root := repoRoot(t)
	md, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	require.NoError(t, err)
	layers, err := readLayers(string(md))
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, arch := range []string{"amd64", "arm64"} {
		for _, tags := range [][]string{nil, {"purego"}, {"openblas"}} {
			ctx := build.Default
			ctx.GOARCH, ctx.GOOS, ctx.BuildTags, ctx.CgoEnabled = arch, "linux", tags, true
			graph := importGraph(t, root, ctx)
			require.Contains(t, graph, "linalg", "%s %v: packages not found", arch, tags)
			assert.Empty(t, layerViolations(graph, layers), "%s %v", arch, tags)
			for p := range graph {
				seen[p] = true
			}
		}
	}
	// Every row names a package that exists in some build.
	for p := range layers {
		assert.True(t, seen[p], "docs/architecture.md names %s, which has no Go files", p)
	}
}

// TestLayerViolations: the checker finds each kind of violation.
func TestLayerViolations(t *testing.T) {
	layers, err := readLayers("x\n## Layers\n| layer | packages | why |\n|--|--|--|\n| 1 | `a` | |\n| 2 | `b`, `c` | |\n| – | `t` | |\n## Next\n| 3 | `z` | |\n")
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"a": 1, "b": 2, "c": 2, "t": testOnlyLayer}, layers)
	for _, tt := range []struct {
		graph map[string][]string
		want  string
	}{
		{map[string][]string{"b": {"a"}, "a": nil, "t": {"b"}}, ""},
		{map[string][]string{"a": {"b"}}, "a (layer 1) imports b (layer 2)"},
		{map[string][]string{"b": {"c"}}, "b (layer 2) imports c (layer 2)"},
		{map[string][]string{"b": {"t"}}, "imports the test-only package t"},
		{map[string][]string{"d": nil}, "d is in no row"},
		{map[string][]string{"b": {"z"}}, "b imports z, which is in no row"},
	} {
		bad := layerViolations(tt.graph, layers)
		if tt.want == "" {
			assert.Empty(t, bad)
			continue
		}
		require.Len(t, bad, 1, "%v", tt.graph)
		assert.Contains(t, bad[0], tt.want)
	}
	_, err = readLayers("| 1 | `a` | |\n| 2 | `a` | |")
	assert.Error(t, err, "no section")
	_, err = readLayers("\n## Layers\n| 1 | `a` | |\n| 2 | `a` | |\n")
	assert.ErrorContains(t, err, "two rows")
}
