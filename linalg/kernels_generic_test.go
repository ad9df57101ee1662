package linalg

import (
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGenericTableRunsNoAssembly proves that forcing the generic table
// (NOISEGEOM_KERNELS=generic or SetImplementation("generic")) runs no
// assembly: every function entry of the table is the expected Go function
// (compared by code pointer) and is compiled from a .go file, not a .s
// file, and SetImplementation installs exactly this table. An entry added
// to kernels without a generic implementation fails here too.
func TestGenericTableRunsNoAssembly(t *testing.T) {
	want := map[string]any{
		"dot": dotGeneric, "axpy": axpyGeneric, "axpby": axpbyGeneric, "scal": scalGeneric,
		"asum": asumGeneric, "gemvN": gemvNGeneric, "gemvT": gemvTGeneric,
		"gemmKernel": gemmKernelGeneric4x4, "tanh": tanhGeneric, "rot": rotGeneric,
		"fmaLoop": fmaLoopGeneric,
	}
	v := reflect.ValueOf(genericKernels).Elem()
	seen := 0
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		if f.Kind() != reflect.Func {
			continue
		}
		seen++
		require.False(t, f.IsNil(), "generic table: %s is nil", name)
		w, ok := want[name]
		require.True(t, ok, "generic table: entry %s has no expected generic function in this test", name)
		assert.Equal(t, reflect.ValueOf(w).Pointer(), f.Pointer(), "generic table: %s is not %s", name, funcName(w))
		fn := runtime.FuncForPC(f.Pointer())
		file, _ := fn.FileLine(fn.Entry())
		assert.True(t, strings.HasSuffix(file, ".go"), "generic table: %s is %s from %s, not Go code", name, fn.Name(), file)
	}
	assert.Equal(t, len(want), seen, "function entries of the generic table")
	assert.False(t, genericKernels.rotViaAxpby, "generic rotations must not route through axpby")

	defer SetImplementation(Implementation())
	require.NoError(t, SetImplementation("generic"))
	assert.Same(t, genericKernels, impl())
}

func funcName(f any) string { return runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name() }

// TestAssemblyTablesFillEveryEntry checks that each assembly table has every
// entry set, and reports (as a log, not a failure) which ones it leaves to
// the generic Go code.
func TestAssemblyTablesFillEveryEntry(t *testing.T) {
	g := reflect.ValueOf(genericKernels).Elem()
	for _, k := range platformKernels() {
		v := reflect.ValueOf(k).Elem()
		var inherited []string
		for i := range v.NumField() {
			if v.Field(i).Kind() != reflect.Func {
				continue
			}
			name := v.Type().Field(i).Name
			require.False(t, v.Field(i).IsNil(), "%s table: %s is nil", k.name, name)
			if v.Field(i).Pointer() == g.Field(i).Pointer() {
				inherited = append(inherited, name)
			}
		}
		t.Logf("%s: generic entries %v", k.name, inherited)
	}
}
