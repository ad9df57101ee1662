//go:build unix

package models

import "syscall"

// processCPU returns the user+system CPU time of the process in seconds
// (0 if unavailable). Benchmarks report it beside wall time because CPU time
// is far less sensitive to other processes competing for the cores.
func processCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + 1e-6*float64(t.Usec) }
	return tv(ru.Utime) + tv(ru.Stime)
}
