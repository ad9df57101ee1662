#!/usr/bin/python3
"""PyTorch 1.13 peer of the issue-6 speed benchmark (noisegeom analysis).

Computes mu, mu_c and the directional alignment g along the top-k
eigenvectors of G = J^T J / n for the two-layer tanh network of
analysis.fashionObjective (d = 784, m = 512, second layer frozen with
scale c = 1/sqrt(m), square loss with the one-half convention) on the
Fashion-MNIST subset, data and parameters that the Go test
TestTorchExport exports as .npy files, through the n x n Gram matrix
K = J J^T, and checks the values against the Go result (go.json).

Per-sample gradients: the gradient of f(x_i) with respect to W is the
outer product c * delta_i x_i^T with delta_i = a * (1 - tanh(W x_i)^2)
(hand-derived; checked here against torch.autograd on a few samples).
Variants of K, all in float64 on the CPU:

  structured  K = c^2 (X X^T) * (Delta Delta^T): the per-layer formula,
              two matrix products (the fastest PyTorch way; default).
  persample   per-sample gradients materialized in blocks of parameters
              (n x 784*kb) and K accumulated by J_b J_b^T: what a
              per-sample-gradient implementation does (slow: 2 n^2 p flops).

--compare-persample also times per-sample gradients on a block of samples
by an autograd loop, by functorch vmap and by the hand formula.

Top-k eigenpairs of K: scipy's ARPACK eigsh on K (default), or
torch.lobpcg, or the full torch.linalg.eigh.

Usage (from anywhere; runs the Go side itself unless --go-dir is given):

  /usr/bin/python3 analysis/testdata/align_torch.py [--n 10000] [--reps 3]

The timed PyTorch region starts from X, y, W, a already in memory as
float64 tensors and ends with mu, mu_c and g, like the Go timing of
FromObjective. Exit status 1 when the values differ by more than --rtol.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=10000, help="samples (default 10000)")
    p.add_argument("--k", type=int, default=20, help="top eigenvectors (must match the Go side: 20)")
    p.add_argument("--reps", type=int, default=3, help="timed runs per side; the best counts")
    p.add_argument("--threads", type=int, default=2, help="torch/BLAS threads (default 2)")
    p.add_argument("--variant", default="structured", choices=["structured", "persample"])
    p.add_argument("--eig", default="eigsh", choices=["eigsh", "lobpcg", "eigh"])
    p.add_argument("--eig-tol", type=float, default=1e-10,
                   help="eigsh/lobpcg tolerance (Go's Lanczos: residual <= 1e-10 ||K||)")
    p.add_argument("--block", type=int, default=16,
                   help="persample: hidden units per parameter block (n*784*block doubles)")
    p.add_argument("--compare-persample", type=int, default=0, metavar="S",
                   help="also time per-sample gradients of S samples by loop, vmap and hand formula")
    p.add_argument("--go-dir", help="directory written by TestTorchExport (skip running Go)")
    p.add_argument("--rtol", type=float, default=1e-8, help="relative tolerance of the comparison")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout (report on stderr)")
    return p.parse_args()


ARGS = parse_args()
# BLAS threads must be fixed before numpy/torch load OpenBLAS.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402
import scipy.sparse.linalg as sla  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(ARGS.threads)
torch.set_default_dtype(torch.float64)
OUT = sys.stderr if ARGS.json else sys.stdout


def say(*a):
    print(*a, file=OUT, flush=True)


def run_go(directory, n, reps):
    env = dict(os.environ, NOISEGEOM_TORCH_DIR=directory, NOISEGEOM_TORCH_N=str(n),
               NOISEGEOM_TORCH_REPS=str(reps))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(var, None)
    go = "/usr/local/go/bin/go" if os.path.exists("/usr/local/go/bin/go") else "go"
    cmd = [go, "test", "-run", "^TestTorchExport$", "-count=1", "./analysis/"]
    say("running:", " ".join(cmd), "(n = %d, %d timed runs)" % (n, reps))
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=OUT, stderr=OUT)


def load(directory):
    with open(os.path.join(directory, "go.json")) as f:
        meta = json.load(f)
    t = {name: torch.from_numpy(np.load(os.path.join(directory, name + ".npy")))
         for name in ("X", "y", "W", "a")}
    return meta, t


def forward(X, W, a, c):
    """Hidden activations, predictions f and Delta (n x m, delta_i = a * tanh'(W x_i))."""
    h = torch.tanh(X @ W.T)
    f = c * (h @ a)
    delta = (1 - h * h) * a
    return f, delta


def gram_structured(X, delta, c):
    K = X @ X.T
    K.mul_(delta @ delta.T)
    K.mul_(c * c)
    return K


def gram_persample(X, delta, c, block):
    n, m = delta.shape
    K = torch.zeros(n, n)
    for k0 in range(0, m, block):
        k1 = min(k0 + block, m)
        # Row i: the per-sample gradient of f(x_i) wrt W[k0:k1, :], c * delta_ik x_i.
        jb = (c * delta[:, k0:k1, None] * X[:, None, :]).reshape(n, -1)
        K.addmm_(jb, jb.T)
    return K


def top_eigen(K, k, how, tol):
    """Top-k eigenpairs of the symmetric K, largest first: (values, vectors n x k)."""
    if how == "eigh":
        vals, vecs = torch.linalg.eigh(K)
        return vals.flip(0)[:k], vecs.flip(1)[:, :k]
    if how == "lobpcg":
        vals, vecs = torch.lobpcg(K, k=k, largest=True, tol=tol)
        return vals, vecs
    Kn = K.numpy()
    vals, vecs = sla.eigsh(Kn, k=k, which="LA", tol=tol, v0=np.ones(Kn.shape[0]))
    order = np.argsort(vals)[::-1]
    return torch.from_numpy(vals[order].copy()), torch.from_numpy(vecs[:, order].copy())


def metrics(t, c, k, variant, eig, tol, block):
    """mu, mu_c, lambda_t = kappa_t/n and g_t from the data and theta (square loss, K = 1)."""
    X, y, W, a = t["X"], t["y"], t["W"], t["a"]
    n = X.shape[0]
    f, delta = forward(X, W, a, c)
    r = f - y
    if variant == "structured":
        K = gram_structured(X, delta, c)
    else:
        K = gram_persample(X, delta, c, block)
    two_l = float(r @ r) / n
    frob_g2 = float((K * K).sum()) / n**2
    rowsq = (K * K).sum(1)
    tr_s1g = float((r * r) @ rowsq) / n**2
    kr = K @ r
    grad_g_grad = float(kr @ kr) / n**3
    mu = tr_s1g / (two_l * frob_g2)
    mu_c = (tr_s1g - grad_g_grad) / (two_l * frob_g2)
    kappa, A = top_eigen(K, k, eig, tol)
    ra = r[:, None] * A  # r_i a_i
    s2 = (ra * ra).sum(0)
    rsum = ra.sum(0)
    g = (s2 - rsum * rsum / n) / two_l
    return {"loss": two_l / 2, "mu": mu, "mu_c": mu_c, "lambda": (kappa / n).tolist(), "g": g.tolist()}


def check_gradient_formula(t, c, count=3):
    """Compare c * delta_i x_i^T with torch.autograd on the first samples."""
    X, W, a = t["X"], t["W"].clone().requires_grad_(True), t["a"]
    _, delta = forward(X[:count], t["W"], a, c)
    worst = 0.0
    for i in range(count):
        f = c * (torch.tanh(W @ X[i]) @ a)
        (gw,) = torch.autograd.grad(f, W)
        hand = c * torch.outer(delta[i], X[i])
        worst = max(worst, float((gw - hand).abs().max() / gw.abs().max()))
    return worst


def compare_persample(t, c, s):
    """Seconds for the per-sample gradients of s samples by three methods."""
    import functorch

    X, W, a = t["X"][:s], t["W"], t["a"]
    out = {}
    Wg = W.clone().requires_grad_(True)
    start = time.perf_counter()
    for i in range(s):
        torch.autograd.grad(c * (torch.tanh(Wg @ X[i]) @ a), Wg)
    out["autograd loop"] = time.perf_counter() - start

    def fi(w, x):
        return c * (torch.tanh(w @ x) @ a)

    start = time.perf_counter()
    functorch.vmap(functorch.grad(fi), in_dims=(None, 0))(W, X)
    out["functorch vmap"] = time.perf_counter() - start
    start = time.perf_counter()
    _, delta = forward(X, W, a, c)
    (c * delta[:, :, None] * X[:, None, :]).reshape(s, -1)
    out["hand formula"] = time.perf_counter() - start
    return out


def main():
    tmp = None
    directory = ARGS.go_dir
    if directory is None:
        tmp = tempfile.TemporaryDirectory(prefix="align_torch_")
        directory = tmp.name
        run_go(directory, ARGS.n, ARGS.reps)
    meta, t = load(directory)
    n, c, k = meta["n"], meta["scale"], meta["top_k"]
    if k != ARGS.k:
        say("note: the Go side used k = %d" % k)
    go_res = meta["result"]
    say("torch %s, %d threads, n = %d, p = %d, variant %s, eigen-solver %s (tol %g)"
        % (torch.__version__, torch.get_num_threads(), n, go_res["p"], ARGS.variant, ARGS.eig, ARGS.eig_tol))
    say("hand-derived per-sample gradient vs autograd: max rel diff %.2e" % check_gradient_formula(t, c))
    if ARGS.compare_persample:
        for name, sec in compare_persample(t, c, ARGS.compare_persample).items():
            say("per-sample gradients of %d samples by %-15s %.3f s" % (ARGS.compare_persample, name, sec))

    seconds, cpu, res = [], [], None
    for _ in range(ARGS.reps):
        start, cpu0 = time.perf_counter(), time.process_time()
        res = metrics(t, c, k, ARGS.variant, ARGS.eig, ARGS.eig_tol, ARGS.block)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu0)

    # Compare with Go.
    go_top = [d for d in go_res["directional"] if d["kind"] == "top"]
    pairs = [("mu", res["mu"], go_res["mu"]), ("mu_c", res["mu_c"], go_res["mu_c"]),
             ("loss", res["loss"], go_res["loss"])]
    for i, d in enumerate(go_top):
        pairs.append(("lambda_%d" % (i + 1), res["lambda"][i], d["lambda"]))
        pairs.append(("g_%d" % (i + 1), res["g"][i], d["g"]))
    worst = ("", 0.0)
    for name, pv, gv in pairs:
        rel = abs(pv - gv) / max(abs(gv), 1e-300)
        if rel > worst[1]:
            worst = (name, rel)
    match = worst[1] <= ARGS.rtol and len(go_top) == k
    say("mu   torch %.15g  go %.15g" % (res["mu"], go_res["mu"]))
    say("mu_c torch %.15g  go %.15g" % (res["mu_c"], go_res["mu_c"]))
    for i, d in enumerate(go_top[:5]):
        say("g_%-2d torch %.15g  go %.15g  (lambda %.6g)" % (i + 1, res["g"][i], d["g"], d["lambda"]))
    say("max relative difference over mu, mu_c, loss, %d lambdas and g: %.2e (%s) -> %s (rtol %g)"
        % (len(go_top), worst[1], worst[0], "MATCH" if match else "MISMATCH", ARGS.rtol))
    go_best, torch_best = min(meta["seconds"]), min(seconds)
    say("Go      (GOMAXPROCS %d): %s s, best %.3f s" % (meta["gomaxprocs"], ", ".join("%.3f" % s for s in meta["seconds"]), go_best))
    say("PyTorch (%d threads):    %s s, best %.3f s" % (ARGS.threads, ", ".join("%.3f" % s for s in seconds), torch_best))
    say("PyTorch / Go = %.2f   (load average %s)" % (torch_best / go_best, " ".join("%.2f" % x for x in os.getloadavg())))
    go_cpu = [x for x in meta.get("cpu_seconds", []) if x >= 0]
    if go_cpu:
        say("CPU seconds (user+sys, all threads): Go best %.3f, PyTorch best %.3f, ratio %.2f"
            % (min(go_cpu), min(cpu), min(cpu) / min(go_cpu)))
    if ARGS.json:
        json.dump({"n": n, "variant": ARGS.variant, "eig": ARGS.eig, "threads": ARGS.threads,
                   "seconds": seconds, "best_seconds": torch_best, "go_seconds": meta["seconds"],
                   "cpu_seconds": cpu, "go_cpu_seconds": meta.get("cpu_seconds"),
                   "match": match, "max_rel_diff": worst[1], "worst": worst[0]}, sys.stdout)
        print()
    if tmp is not None:
        tmp.cleanup()
    return 0 if match else 1


if __name__ == "__main__":
    sys.exit(main())
