package bench

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func sampleReport() *Report {
	m := &Machine{
		Module: "github.com/noisegeom/noisegeom", Version: DevelVersion, GoVersion: "go1.26.0",
		GOOS: "linux", GOARCH: "amd64", NumCPU: 2, CPU: "Test CPU", CPUFeatures: []string{"avx2", "fma3"},
		Impl: "avx2", Impls: []string{"avx2", "generic"}, L1D: 32 << 10, L2: 1 << 20, L3: 8 << 20,
		CachesDefaulted: []string{"L3"},
	}
	return &Report{
		Machine: m,
		Peaks:   []Peak{{"avx2", 50}, {"generic", 10}},
		Results: []Result{
			{Schema: 1, Kernel: "gemm", Impl: "avx2", N: 512, Threads: 2, GFLOPS: 40.5, GBPS: 0.25,
				PeakGFLOPS: 100, PeakFraction: 0.405, NsPerOp: 6.6e6, FlopsPerOp: 2.68e8, BytesPerOp: 6.3e6,
				Fits: "L3", Iters: 4, Samples: 3, MinTimeNs: 2e7, Machine: m},
			{Schema: 1, Kernel: "dot", Impl: "generic", N: 1024, Threads: 1, GFLOPS: 3.25, GBPS: 26,
				PeakGFLOPS: 10, PeakFraction: 0.325, NsPerOp: 630.1, FlopsPerOp: 2048, BytesPerOp: 16384,
				Fits: "L1", Iters: 38000, Samples: 3, MinTimeNs: 2e7, Machine: m},
		},
	}
}

func TestJSONRoundTrip(t *testing.T) {
	rep := sampleReport()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rep.Results) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, rep.Results)
	}
}

// TestJSONSchema pins the documented keys and their JSON types, as a
// consumer in another language would see them.
func TestJSONSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &objs); err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 {
		t.Fatalf("%d objects, want 2", len(objs))
	}
	numbers := []string{"schema", "n", "threads", "gflops", "gbps", "peak_gflops", "peak_fraction",
		"ns_per_op", "flops_per_op", "bytes_per_op", "iters", "samples", "min_time_ns"}
	strs := []string{"kernel", "impl", "fits"}
	machineNumbers := []string{"num_cpu", "l1d_bytes", "l2_bytes", "l3_bytes"}
	machineStrs := []string{"module", "version", "go_version", "goos", "goarch", "cpu", "impl_default"}
	machineLists := []string{"cpu_features", "impls_available", "caches_defaulted"}
	for i, o := range objs {
		for _, k := range numbers {
			if _, ok := o[k].(float64); !ok {
				t.Errorf("object %d: %q = %#v, want a number", i, k, o[k])
			}
		}
		for _, k := range strs {
			if _, ok := o[k].(string); !ok {
				t.Errorf("object %d: %q = %#v, want a string", i, k, o[k])
			}
		}
		m, ok := o["machine"].(map[string]any)
		if !ok {
			t.Fatalf("object %d: machine = %#v, want an object", i, o["machine"])
		}
		for _, k := range machineNumbers {
			if _, ok := m[k].(float64); !ok {
				t.Errorf("object %d: machine.%s = %#v, want a number", i, k, m[k])
			}
		}
		for _, k := range machineStrs {
			if _, ok := m[k].(string); !ok {
				t.Errorf("object %d: machine.%s = %#v, want a string", i, k, m[k])
			}
		}
		for _, k := range machineLists {
			if _, ok := m[k].([]any); !ok {
				t.Errorf("object %d: machine.%s = %#v, want an array", i, k, m[k])
			}
		}
		if len(o) != len(numbers)+len(strs)+1 {
			t.Errorf("object %d has %d keys, want %d: update the schema docs and SchemaVersion", i, len(o), len(numbers)+len(strs)+1)
		}
	}
}

func TestJSONEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &Report{Machine: &Machine{}}); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(buf.String()); got != "[]" {
		t.Errorf("empty run = %q, want []", got)
	}
	if _, err := ReadJSON(strings.NewReader("{")); err == nil {
		t.Error("ReadJSON accepted truncated input")
	}
}

// TestCurrentMachineJSON: the live machine's lists encode as arrays, never
// null, so that consumers need no special case.
func TestCurrentMachineJSON(t *testing.T) {
	b, err := json.Marshal(CurrentMachine())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("null")) {
		t.Errorf("machine JSON has a null: %s", b)
	}
}

func TestWriteTable(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var rows []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "#") {
			rows = append(rows, l)
		}
	}
	if len(rows) != 3 {
		t.Fatalf("table has %d rows, want header + 2:\n%s", len(rows), out)
	}
	for _, col := range []string{"kernel", "impl", "n", "fits", "threads", "GFLOP/s", "GB/s", "peak%", "ns/op"} {
		if !strings.Contains(rows[0], col) {
			t.Errorf("header %q lacks %q", rows[0], col)
		}
	}
	if got := strings.Fields(rows[1]); !reflect.DeepEqual(got, []string{"gemm", "avx2", "512", "L3", "2", "40.500", "0.250", "40.5", "6600000"}) {
		t.Errorf("row 1 = %q", got)
	}
	if got := strings.Fields(rows[2]); !reflect.DeepEqual(got, []string{"dot", "generic", "1024", "L1", "1", "3.250", "26.000", "32.5", "630.1"}) {
		t.Errorf("row 2 = %q", got)
	}
	if len(rows[0]) != len(rows[1]) || len(rows[1]) != len(rows[2]) {
		t.Errorf("rows not aligned:\n%s", strings.Join(rows, "\n"))
	}
	for _, s := range []string{"Test CPU", "avx2 50.00 GFLOP/s", "generic 10.00", "defaulted: L3"} {
		if !strings.Contains(out, s) {
			t.Errorf("header lacks %q:\n%s", s, out)
		}
	}
}
