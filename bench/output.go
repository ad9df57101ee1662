package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteJSON writes the results as a JSON array of Result objects, each
// carrying the machine facts, indented for reading. An empty run is "[]".
func WriteJSON(w io.Writer, rep *Report) error {
	results := rep.Results
	if results == nil {
		results = []Result{}
	}
	b, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ReadJSON decodes what WriteJSON wrote (or several such runs concatenated
// into one array).
func ReadJSON(r io.Reader) ([]Result, error) {
	var results []Result
	if err := json.NewDecoder(r).Decode(&results); err != nil {
		return nil, fmt.Errorf("bench: decoding results: %w", err)
	}
	return results, nil
}

// WriteTable writes a header describing the machine and the measured
// peaks, then one aligned row per result.
func WriteTable(w io.Writer, rep *Report) error {
	var b strings.Builder
	m := rep.Machine
	cpu := m.CPU
	if cpu == "" {
		cpu = "unknown CPU"
	}
	fmt.Fprintf(&b, "# %s, %d CPUs, %s/%s, %s, noisegeom %s\n", cpu, m.NumCPU, m.GOOS, m.GOARCH, m.GoVersion, m.Version)
	fmt.Fprintf(&b, "# caches L1D %s, L2 %s, L3 %s", formatBytes(float64(m.L1D)), formatBytes(float64(m.L2)), formatBytes(float64(m.L3)))
	if len(m.CachesDefaulted) > 0 {
		fmt.Fprintf(&b, " (defaulted: %s)", strings.Join(m.CachesDefaulted, ", "))
	}
	b.WriteString("\n# FMA peak per core:")
	for i, p := range rep.Peaks {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s %.2f GFLOP/s", p.Impl, p.GFLOPS)
	}
	b.WriteString("\n# peak% is GFLOP/s over the table's peak times min(threads, CPUs)\n")

	header := []string{"kernel", "impl", "n", "fits", "threads", "GFLOP/s", "GB/s", "peak%", "ns/op"}
	rows := [][]string{header}
	for _, r := range rep.Results {
		rows = append(rows, []string{
			r.Kernel, r.Impl, strconv.Itoa(r.N), r.Fits, strconv.Itoa(r.Threads),
			fmt.Sprintf("%.3f", r.GFLOPS), fmt.Sprintf("%.3f", r.GBPS),
			fmt.Sprintf("%.1f", 100*r.PeakFraction), formatNs(r.NsPerOp),
		})
	}
	width := make([]int, len(header))
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], len(cell))
		}
	}
	for _, row := range rows {
		for i, cell := range row {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[i]-len(cell))
			if i < 2 { // names left-aligned, numbers right-aligned
				if i == len(row)-1 {
					pad = ""
				}
				b.WriteString(cell + pad)
			} else {
				b.WriteString(pad + cell)
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// formatNs prints a time per call with about four significant digits.
func formatNs(ns float64) string {
	switch {
	case ns < 100:
		return fmt.Sprintf("%.2f", ns)
	case ns < 1e4:
		return fmt.Sprintf("%.1f", ns)
	}
	return fmt.Sprintf("%.0f", ns)
}
