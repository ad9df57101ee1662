package linalg

import (
	"runtime"

	"github.com/klauspost/cpuid/v2"
)

// CPUInfo describes the processor as linalg sees it.
type CPUInfo struct {
	Brand    string   // marketing name, empty when unknown
	Features []string // the SIMD features linalg looks at that are present
	// Cache sizes in bytes used for Gemm blocking. A cache the CPU does not
	// report is given a default and listed in Defaulted.
	L1D, L2, L3 int
	Defaulted   []string
}

// Default cache sizes when cpuid reports none (common on arm64).
const (
	defaultL1D = 32 << 10
	defaultL2  = 512 << 10
	defaultL3  = 8 << 20
)

// CPU reports the processor's brand, relevant features and cache sizes.
func CPU() CPUInfo {
	info := CPUInfo{Brand: cpuid.CPU.BrandName}
	f := detectFeatures()
	for _, x := range []struct {
		name string
		on   bool
	}{{"avx2", f.AVX2}, {"fma3", f.FMA3}, {"avx512f", f.AVX512F}, {"asimd", f.ASIMD}} {
		if x.on {
			info.Features = append(info.Features, x.name)
		}
	}
	pick := func(name string, v, def int) int {
		if v <= 0 {
			info.Defaulted = append(info.Defaulted, name)
			return def
		}
		return v
	}
	info.L1D = pick("L1D", cpuid.CPU.Cache.L1D, defaultL1D)
	info.L2 = pick("L2", cpuid.CPU.Cache.L2, defaultL2)
	info.L3 = pick("L3", cpuid.CPU.Cache.L3, defaultL3)
	return info
}

// detectFeatures reads the CPU's features from cpuid.
//
// ASIMD (NEON) is architecturally mandatory on AArch64, and Go's arm64 port
// targets AArch64 only, so it is taken as present on GOARCH=arm64 even where
// cpuid cannot read the feature registers (some operating systems expose
// neither HWCAP nor /proc/cpuinfo to it).
func detectFeatures() cpuFeatures {
	return cpuFeatures{
		AVX2:    cpuid.CPU.Supports(cpuid.AVX2),
		FMA3:    cpuid.CPU.Supports(cpuid.FMA3),
		AVX512F: cpuid.CPU.Supports(cpuid.AVX512F),
		ASIMD:   runtime.GOARCH == "arm64" || cpuid.CPU.Supports(cpuid.ASIMD),
	}
}
