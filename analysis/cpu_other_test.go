//go:build !unix

package analysis

// processCPU is unknown here.
func processCPU() float64 { return -1 }
