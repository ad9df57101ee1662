//go:build !unix

package models

func processCPU() float64 { return 0 }
