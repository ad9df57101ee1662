package models

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/noisegeom/noisegeom/linalg"
)

// TestModelsRunNoAssemblyOfTheirOwn proves that the package's vector code
// all goes through linalg's kernel table (so that NOISEGEOM_KERNELS=generic
// runs no assembly here, linalg's TestGenericTableRunsNoAssembly covering
// the table): there is no .s file, no function declared without a body
// (an assembly stub), and no dispatch on linalg.Implementation().
func TestModelsRunNoAssemblyOfTheirOwn(t *testing.T) {
	asm, err := filepath.Glob("*.s")
	require.NoError(t, err)
	assert.Empty(t, asm, "assembly files in models")
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		f, err := parser.ParseFile(fset, name, src, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body == nil {
				t.Errorf("%s: func %s has no body (assembly)", name, fd.Name.Name)
			}
		}
		assert.NotContains(t, string(src), "linalg.Implementation()", "%s dispatches on the table's name", name)
	}
}

// TestTanhActivationIsLinalgKernel checks, for every table this CPU runs,
// that the Tanh activation gives the bits of linalg.TanhTo and of the
// scalar linalg.Tanh, with and without derivatives, in place too.
func TestTanhActivationIsLinalgKernel(t *testing.T) {
	defer linalg.SetImplementation(linalg.Implementation())
	rng := rand.New(rand.NewPCG(3, 4))
	z := make([]float64, 37)
	for i := range z {
		z[i] = 3 * rng.NormFloat64()
	}
	z[0], z[1], z[2] = math.Inf(-1), math.Copysign(0, -1), 25
	for _, name := range linalg.Implementations() {
		require.NoError(t, linalg.SetImplementation(name))
		want := make([]float64, len(z))
		linalg.TanhTo(want, z)
		s, d1 := make([]float64, len(z)), make([]float64, len(z))
		Tanh.EvalTo(s, d1, nil, z)
		inPlace := append([]float64(nil), z...)
		Tanh.EvalTo(inPlace, nil, nil, inPlace)
		for i := range z {
			assert.Equal(t, math.Float64bits(want[i]), math.Float64bits(s[i]), "%s: tanh(%v)", name, z[i])
			assert.Equal(t, math.Float64bits(want[i]), math.Float64bits(inPlace[i]), "%s: in place tanh(%v)", name, z[i])
			assert.Equal(t, math.Float64bits(linalg.Tanh(z[i])), math.Float64bits(s[i]), "%s: scalar tanh(%v)", name, z[i])
			assert.Equal(t, 1-s[i]*s[i], d1[i], "%s: tanh'(%v)", name, z[i])
		}
	}
}
