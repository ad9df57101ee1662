package bench

import (
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/noisegeom/noisegeom/linalg"
)

func parseArgs(args ...string) (Config, error) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg.RegisterFlags(fs)
	return cfg, fs.Parse(args)
}

// unavailableTable is a table linalg knows but this binary or CPU cannot
// run, or "" when every known table is available.
func unavailableTable() string {
	for _, name := range knownTables {
		if !slices.Contains(linalg.Implementations(), name) {
			return name
		}
	}
	return ""
}

func TestFlagValidation(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr []string // substrings of the error; none: must parse
	}{
		{args: nil},
		{args: []string{"--n", "1,100", "--threads", "1,2,2", "--kernel", "dot,level3", "--min-time", "1ms", "--repeats", "2"}},
		{args: []string{"--impl", "generic", "--max-op-time", "0"}},
		{args: []string{"--n", "0"}, wantErr: []string{`"0"`, "-n", "positive"}},
		{args: []string{"--n", "-3"}, wantErr: []string{`"-3"`, "-n"}},
		{args: []string{"--n", "ten"}, wantErr: []string{`"ten"`, "not an integer"}},
		{args: []string{"--n", "1,,2"}, wantErr: []string{"empty element"}},
		{args: []string{"--threads", "-1"}, wantErr: []string{`"-1"`, "-threads"}},
		{args: []string{"--threads", "0"}, wantErr: []string{`"0"`, "-threads"}},
		{args: []string{"--kernel", "nope"}, wantErr: []string{`"nope"`, "-kernel", "dot", "gemm"}},
		{args: []string{"--impl", "avx9"}, wantErr: []string{`"avx9"`, "unknown kernel table", "generic"}},
		{args: []string{"--min-time", "0"}, wantErr: []string{`"0"`, "positive"}},
		{args: []string{"--min-time", "-1s"}, wantErr: []string{`"-1s"`, "positive"}},
		{args: []string{"--min-time", "soon"}, wantErr: []string{`"soon"`, "not a duration"}},
		{args: []string{"--repeats", "0"}, wantErr: []string{`"0"`, "-repeats"}},
		{args: []string{"--max-op-time", "x"}, wantErr: []string{`"x"`, "-max-op-time"}},
	}
	if name := unavailableTable(); name != "" {
		tests = append(tests, struct {
			args    []string
			wantErr []string
		}{[]string{"--impl", name}, []string{`"` + name + `"`, "not available", "generic"}})
	}
	for _, tt := range tests {
		cfg, err := parseArgs(tt.args...)
		if len(tt.wantErr) == 0 {
			if err != nil {
				t.Errorf("%q: %v", tt.args, err)
			} else if err := cfg.Validate(); err != nil {
				t.Errorf("%q: Validate: %v", tt.args, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%q: parsed, want an error", tt.args)
			continue
		}
		for _, s := range tt.wantErr {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%q: error %q does not contain %q", tt.args, err, s)
			}
		}
	}
}

func TestFlagValues(t *testing.T) {
	cfg, err := parseArgs("--n", "100, 1", "--threads", "3", "--kernel", "GEMV,dot", "--impl", "generic",
		"--min-time", "2ms", "--repeats", "5", "--max-op-time", "0")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Sizes, []int{100, 1}) || !slices.Equal(cfg.Threads, []int{3}) ||
		!slices.Equal(cfg.Kernels, []string{"gemv", "dot"}) || !slices.Equal(cfg.Impls, []string{"generic"}) ||
		cfg.MinTime != 2*time.Millisecond || cfg.Repeats != 5 || cfg.MaxOpTime >= 0 {
		t.Errorf("parsed %+v", cfg)
	}
	def, _ := parseArgs()
	if !slices.Equal(def.Threads, DefaultThreads()) || !slices.Equal(def.Impls, linalg.Implementations()) ||
		def.Sizes != nil || def.MinTime != DefaultMinTime || def.MaxOpTime != DefaultMaxOpTime {
		t.Errorf("defaults %+v", def)
	}
}

func TestDefaultThreads(t *testing.T) {
	th := DefaultThreads()
	if th[0] != 1 || len(th) > 2 || (len(th) == 2 && th[1] <= 1) {
		t.Errorf("DefaultThreads() = %v", th)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		cfg     Config
		wantErr string
	}{
		{Config{}, ""},
		{Config{Sizes: []int{0}}, "size 0"},
		{Config{Threads: []int{-1}}, "thread count -1"},
		{Config{Impls: []string{"sse9"}}, `"sse9"`},
		{Config{Kernels: []string{"gemmm"}}, `"gemmm"`},
		{Config{MinTime: -time.Second}, "min-time"},
		{Config{Repeats: -1}, "repeats"},
		{Config{Kernels: []string{"gemm"}, Sizes: []int{100000}}, "gemm at n=100000 needs 224 GiB"},
		{Config{Kernels: []string{"dot"}, Sizes: []int{100000}}, ""},
		{Config{Kernels: []string{"dot"}, Sizes: []int{1000}, MaxOperandBytes: 1000}, "dot at n=1000 needs 15.6 KiB"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt.cfg, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%+v: error %v, want %q", tt.cfg, err, tt.wantErr)
		}
	}
}
