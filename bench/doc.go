// Package bench is noisegeom's cross-CPU benchmark suite, the engine of
// `noisegeom bench`. It times linalg's kernels for every kernel table this
// binary can run on this CPU (generic, avx2, avx512, neon), at several
// sizes and thread counts, and reports rates that can be compared across
// machines.
//
// # What is measured
//
// Kernels (Kernels lists them; --kernel also takes the groups all, default,
// level1, level2, level3 and gemv):
//
//	level 1, n = vector length:  dot, axpy, axpby, scal, asum, nrm2
//	level 2, n×n matrix:         gemv_n (y = A·x), gemv_t (y = Aᵀ·x), ger, symv
//	level 3, n×n matrices:       gemm (C = A·B), gemm_tn, gemm_nt, syrk (C = A·Aᵀ)
//
// The default suite is dot, axpy, gemv_n, gemv_t, gemm and syrk. Default
// sizes for levels 1 and 2 are derived from linalg.CPU's cache sizes so
// that the operands fill about half of L1D, half of L2, half of L3, and
// four times L3 (at least 64 MiB): one size per regime (DefaultSizes). For
// level 3 they are 256, 512 and 1024 on every CPU. Thread counts default to
// 1 and runtime.NumCPU(); a thread count is the GOMAXPROCS value the kernel
// runs under (only routines that parallelise internally, such as Gemm, use
// more than one core).
//
// Each measurement allocates its operands once per size (random values in
// [-1, 1), seeded), makes one warm-up call, then takes Config.Repeats
// samples of at least Config.MinTime each (the iteration count grows until
// one sample lasts that long) and keeps the best mean time per call. A
// call slower than MinTime is timed once per sample and sampling stops
// when the samples add up to Repeats·MinTime. A size whose time per call,
// extrapolated by flop count from the previous size of the same kernel,
// table and thread count, would exceed Config.MaxOpTime is skipped and
// reported as such, which keeps a slow table from dominating the run.
//
// Rates follow the usual conventions: GFLOP/s counts a multiply-add as two
// flops, Syrk as k·n·(n+1) (the one triangle BLAS must compute), and GB/s
// counts compulsory traffic (every operand element read once, every output
// element written once, and read as well when it is updated). The FMA peak
// of a table is linalg.FMALoop timed over at least 50 ms on one core, best
// of Repeats samples taken before the kernels and as many after them; for t threads the peak is that times min(t, NumCPU), and
// peak_fraction is GFLOP/s over it.
//
// # JSON schema (schema 1)
//
// `noisegeom bench --json` prints a JSON array with one object per
// measurement; WriteJSON writes it and ReadJSON reads it back into Result
// values. Every object is self-contained: it carries the machine facts, so
// that arrays from several machines can be concatenated and still be
// interpreted. Keys:
//
//	schema         int     version of this layout (SchemaVersion); bumped when a key changes meaning
//	kernel         string  kernel name, as above
//	impl           string  kernel table: "generic", "avx2", "avx512" or "neon"
//	n              int     size: vector length (level 1) or matrix order (levels 2, 3)
//	threads        int     GOMAXPROCS during the measurement
//	gflops         number  flops_per_op / ns_per_op (GFLOP/s, 10⁹ flop per second)
//	gbps           number  bytes_per_op / ns_per_op (GB/s, 10⁹ bytes per second)
//	peak_gflops    number  the table's measured single-core FMA peak × min(threads, num_cpu)
//	peak_fraction  number  gflops / peak_gflops (0..1, can exceed 1 only through noise)
//	ns_per_op      number  best mean wall time of one call, in nanoseconds
//	flops_per_op   number  flops of one call (see the conventions above)
//	bytes_per_op   number  compulsory memory traffic of one call, in bytes
//	fits           string  smallest cache holding the operands: "L1", "L2", "L3" or "mem"
//	iters          int     calls per timed sample
//	samples        int     timed samples taken (the best counts)
//	min_time_ns    int     the least duration of a sample that was asked for
//	machine        object  the facts below, identical in every object of one run
//
// The machine object (Machine; also what `noisegeom version --json` prints):
//
//	module, version          main module path and version ("(devel)" when unknown)
//	vcs_revision, vcs_time,  the commit the binary was built from, when the build recorded it
//	  vcs_modified
//	go_version, goos, goarch the toolchain and platform; goarch_level is e.g. "GOAMD64=v3"
//	build_tags               the -tags the binary was built with, e.g. "purego"
//	num_cpu                  runtime.NumCPU()
//	cpu, cpu_features        brand string ("" when unknown) and the SIMD features linalg uses
//	impl_default             the table linalg chose at start-up (or NOISEGEOM_KERNELS forced)
//	impls_available          the tables this binary can run on this CPU, best first
//	noisegeom_kernels        the NOISEGEOM_KERNELS value, when set
//	l1d_bytes, l2_bytes,     the cache sizes used for Gemm blocking and default sizes;
//	  l3_bytes                 caches_defaulted names those the CPU did not report
//
// New keys may appear without a schema change; consumers should ignore keys
// they do not know.
//
// # Comparing runs across CPUs
//
// On each machine, build the same revision and run the suite with the same
// explicit sizes (the default level 1/2 sizes follow each CPU's caches, so
// they differ between CPUs with different caches; the level-3 defaults do
// not):
//
//	go build -o noisegeom ./cmd/noisegeom
//	./noisegeom bench --json --n 1024,32768,1048576,8388608 --kernel level1 > zen4-l1.json
//	./noisegeom bench --json > zen4.json            # the default suite
//
// Concatenate the arrays and line results up by (kernel, n, threads):
//
//	jq -s add zen4.json graviton3.json |
//	  jq -r '.[] | [.machine.cpu, .kernel, .impl, .n, .threads, .gflops, .peak_fraction] | @tsv'
//
// or in Go, ReadJSON each file and group the Results. What to compare:
// gflops for absolute speed; peak_fraction for how well a kernel uses its
// instruction set independently of clock speed and vector width (a Gemm
// near 0.9 on one CPU and 0.6 on another points at the blocking or the
// micro-kernel, not the hardware); gbps with fits = "mem" for memory
// bandwidth; impl to compare a CPU's tables with each other (e.g. avx2
// against avx512 on the same core). Check machine.impls_available,
// build_tags and goarch_level before blaming a kernel: a purego build or a
// forced table runs different code.
//
// Timing hygiene: run on an idle machine, with threads no larger than the
// physical cores you mean to measure; repeat a run and keep the better of
// each pair, or raise --min-time and --repeats; never compare times taken
// under an emulator (qemu) — there only the correctness of the run means
// anything.
package bench
