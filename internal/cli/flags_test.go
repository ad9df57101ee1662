package cli

import (
	"bytes"
	"flag"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parsesByHand lists the commands that do not parse through parseFlags,
// and why their flags need no generic check.
var parsesByHand = map[string]string{
	"merge": "takes positional directories between its flags; has no float flags",
}

// commandFlagSets runs every registered command with --help and collects
// the FlagSet it parses, so that a new command or flag is covered without
// editing the tests.
func commandFlagSets(t *testing.T) map[string]*flag.FlagSet {
	t.Helper()
	var seen *flag.FlagSet
	flagSetHook = func(fs *flag.FlagSet) { seen = fs }
	t.Cleanup(func() { flagSetHook = nil })
	sets := map[string]*flag.FlagSet{}
	for _, name := range commandNames() {
		seen = nil
		env := &Env{Prog: "noisegeom", Stdout: io.Discard, Stderr: io.Discard}
		require.Equal(t, ExitOK, commands[name].Run(env, []string{"--help"}), name)
		if seen == nil {
			if _, ok := parsesByHand[name]; !ok {
				t.Errorf("%s does not parse its flags with parseFlags: its floats are not checked", name)
			}
			continue
		}
		sets[name] = seen
	}
	return sets
}

// isFloatFlag reports whether f holds a float64.
func isFloatFlag(f *flag.Flag) bool {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	_, ok = g.Get().(float64)
	return ok
}

// TestEveryFloatFlagRejectsNonFinite gives NaN and ±Inf to every float
// flag of every command: each is a usage error naming the flag.
func TestEveryFloatFlagRejectsNonFinite(t *testing.T) {
	floats := 0
	for name, fs := range commandFlagSets(t) {
		fs.VisitAll(func(f *flag.Flag) {
			if !isFloatFlag(f) {
				return
			}
			floats++
			for _, v := range []string{"NaN", "nan", "Inf", "+Inf", "-Inf", "infinity"} {
				var stderr bytes.Buffer
				env := &Env{Prog: "noisegeom", Stdout: io.Discard, Stderr: &stderr}
				code, done := parseFlags(env, fs, "", []string{"--" + f.Name, v})
				assert.True(t, done, "%s --%s %s accepted", name, f.Name, v)
				assert.Equal(t, ExitUsage, code, "%s --%s %s", name, f.Name, v)
				assert.Contains(t, stderr.String(), "--"+f.Name+" ", "%s --%s %s: the error does not name the flag", name, f.Name, v)
			}
			// A finite value still parses.
			code, done := parseFlags(&Env{Prog: "noisegeom", Stdout: io.Discard, Stderr: io.Discard}, fs, "", []string{"--" + f.Name, f.DefValue})
			assert.False(t, done, "%s --%s %s (the default) refused: exit %d", name, f.Name, f.DefValue, code)
		})
	}
	assert.GreaterOrEqual(t, floats, 2, "found too few float flags; is the enumeration broken?")
}

// infFlag is a float64 flag for which Inf is meaningful.
type infFlag float64

func (f *infFlag) String() string   { return strconv.FormatFloat(float64(*f), 'g', -1, 64) }
func (f *infFlag) Get() any         { return float64(*f) }
func (f *infFlag) InfiniteOK() bool { return true }
func (f *infFlag) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	*f = infFlag(v)
	return err
}

func TestInfiniteOKFlag(t *testing.T) {
	cases := []struct {
		value string
		ok    bool
	}{{"Inf", true}, {"-Inf", true}, {"3", true}, {"NaN", false}}
	for _, c := range cases {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		var v infFlag
		fs.Var(&v, "limit", "a limit (Inf: none)")
		_, done := parseFlags(&Env{Prog: "p", Stdout: io.Discard, Stderr: io.Discard}, fs, "", []string{"--limit", c.value})
		assert.Equal(t, !c.ok, done, "--limit %s", c.value)
		if c.ok {
			assert.False(t, math.IsNaN(float64(v)))
		}
	}
}

// TestCommandsRejectBadValues runs whole commands: bad float values and
// flags that mean nothing in the combination given are usage errors
// reported before any file is opened (the named files do not exist).
func TestCommandsRejectBadValues(t *testing.T) {
	missing := "/nonexistent/m.csv"
	cases := []struct {
		args []string
		want string // substring of stderr
	}{
		{[]string{"spectrum", "--matrix", missing, "--density", "--sigma", "NaN"}, "--sigma NaN"},
		{[]string{"spectrum", "--matrix", missing, "--density", "--sigma", "Inf"}, "--sigma +Inf"},
		{[]string{"spectrum", "--matrix", missing, "--density", "--sigma", "-1"}, "--sigma must be ≥ 0"},
		{[]string{"spectrum", "--matrix", missing, "--tol", "0"}, "--tol must be positive"},
		{[]string{"spectrum", "--matrix", missing, "--tol", "-Inf"}, "--tol -Inf"},
		{[]string{"spectrum", "--matrix", missing, "--sigma", "0.1"}, "--sigma needs --density"},
		{[]string{"spectrum", "--matrix", missing, "--log"}, "--log needs --density"},
		{[]string{"spectrum", "--matrix", missing, "--trace-budget", "10"}, "--trace-budget needs --trace"},
		{[]string{"spectrum", "--matrix", "/nonexistent/m.npz"}, "unsupported matrix format"},
		{[]string{"data", "--synthetic", "--teacher", "linear", "--noise", "NaN"}, "--noise NaN"},
		{[]string{"data", "--synthetic", "--teacher", "linear", "--noise", "-0.5"}, "--noise -0.5"},
		{[]string{"data", "--file", missing, "--n", "5"}, "--n needs --synthetic"},
		{[]string{"data", "--synthetic", "--outputs", "3"}, "--outputs needs a --teacher"},
		{[]string{"data", "--file", missing, "--split", "test"}, "--split needs --dataset"},
		{[]string{"data", "--dataset", "fashion-mnist", "--data-dir", "/nonexistent", "--split", "val"}, `--split "val"`},
		{[]string{"data", "--dataset", "fashion-mnist", "--data-dir", "/nonexistent", "--header", "yes"}, "--header needs --file"},
		{[]string{"data", "--file", missing, "--dtype", "f4"}, "--dtype needs an --export ending in .npy"},
		{[]string{"data", "--file", missing, "--dtype", "f4", "--export", "x.csv"}, "--dtype needs an --export ending in .npy"},
		{[]string{"data", "--file", missing, "--no-spectrum", "--top", "3"}, "--top needs the sample spectrum"},
		{[]string{"data", "--file", missing, "--classes", "0,-1"}, "class -1 is negative"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := Main("noisegeom", c.args, &stdout, &stderr)
		assert.Equal(t, ExitUsage, code, "%q: %s", c.args, stderr.String())
		assert.Contains(t, stderr.String(), c.want, "%q", c.args)
		assert.NotContains(t, stderr.String(), "no such file", "%q read a file before validating", c.args)
		assert.Empty(t, stdout.String(), "%q", c.args)
	}
}

// TestHelpOnce: --help prints the usage once, on stdout, for every command.
func TestHelpOnce(t *testing.T) {
	for _, name := range commandNames() {
		var stdout, stderr bytes.Buffer
		require.Equal(t, ExitOK, Main("noisegeom", []string{name, "--help"}, &stdout, &stderr), name)
		assert.Empty(t, stderr.String(), "%s --help wrote to stderr", name)
		out := stdout.String()
		assert.NotEmpty(t, out, name)
		if first := strings.SplitN(out, "\n", 2)[0]; len(first) > 0 {
			assert.Equal(t, 1, strings.Count(out, first), "%s --help repeats %q", name, first)
		}
	}
}
