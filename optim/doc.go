// Package optim runs SGD and GD on the flat parameter vector of a
// models.Objective.
//
// One step draws a minibatch of Config.Batch sample indices (Sampling:
// with replacement, without replacement within the step, or consecutive
// slices of a shuffled epoch), evaluates the minibatch gradient g_B and
// updates
//
//	v ← m·v + g_B + λ·θ    (v = g_B + λ·θ when m = 0)
//	θ ← θ − η_t·v
//
// with momentum m, weight decay λ and the learning rate η_t of a Schedule
// (PyTorch's SGD convention). A batch of n or more samples, or Batch 0,
// is full-batch gradient descent: no random draw is made and the run is
// reported as GD (Run.Method).
//
// Determinism: all randomness comes from one PCG stream seeded by
// Config.Seed and the gradient is computed by the model's own kernels,
// whose results do not depend on the thread count, so the same seed gives
// the same trajectory bits whatever GOMAXPROCS is (tested at 1 and 2).
//
// Trackers (Tracking) evaluate full-data quantities every Every steps
// and at the end: loss, gradient norm, λ_max(G) and λ_max(H) by Lanczos,
// Tr G, ‖G‖_F and μ by package analysis, and the distance from a
// reference point. They read the parameters and never touch the random
// stream, so they do not change the trajectory; when off they cost one
// integer comparison per step.
//
// Checkpoints (RunConfig.Checkpoint) hold the step, θ, the momentum
// buffer, the random stream, the epoch permutation, the tracked history and
// the run's fingerprint (Optimizer.Fingerprint: Config, a hash of the data
// and the caller's Config.Fingerprint), written atomically (temp file,
// fsync, rename) every CheckpointEvery steps and at the end. Resume loads
// one, refusing it if any fingerprint field differs, and continues; the
// final parameters and the records Run returns are bit-identical to an
// unbroken run's.
//
// Speed: BenchmarkSGDMLP times SGD steps of the MLP 784-256-256-10 on
// Fashion-MNIST; bench_sgd_vs_torch.py runs it next to PyTorch (float64,
// same thread counts) in one invocation.
package optim
