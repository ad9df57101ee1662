#!/usr/bin/python3
"""PyTorch (float64, CPU) timings of the operations of models/bench_test.go.

MLP 784-256-256-10, tanh (or --act relu) hidden layers, softmax cross-entropy, n samples
(default 10 000), parameters and data random. Prints the best of --repeat
wall and process-CPU timings per operation in ms (CPU time is the robust
figure on a loaded machine), for comparison with the wall and cpu-ms/op of

    go test ./models -run XXX -bench MLP -cpu T

Usage: /usr/bin/python3 bench_torch.py [--threads T] [--n N] [--repeat R]
       [--loop-samples S] [--vmap-samples S] [--act tanh|relu]

Per-sample gradient norms are timed (a) by a Python loop over samples
(forward + backward per sample; run over --loop-samples samples and scaled
to n) and (b) with functorch vmap(grad) in chunks of 128 samples (the full
n×p per-sample gradient matrix does not fit in memory), if functorch is
present.
"""
import argparse
import os
import sys
import time


def _threads_from_argv():
    """The --threads value, read before torch is imported."""
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "1"


# Debian's torch calls the system BLAS (libblas.so.3, OpenBLAS pthread build),
# whose thread pool ignores torch.set_num_threads: without these variables a
# "--threads 1" run multiplies matrices on every core. They must be set
# before the library is loaded.
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = _threads_from_argv()

import torch  # noqa: E402

torch.set_default_dtype(torch.float64)


def best_ms(fn, repeat):
    """Best wall time and best process CPU time of repeat calls, in ms."""
    fn()
    ts, cs = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        ts.append(time.perf_counter() - t0)
        cs.append(time.process_time() - c0)
    return 1e3 * min(ts), 1e3 * min(cs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--act", default="tanh", choices=["tanh", "relu"])
    ap.add_argument("--loop-samples", type=int, default=1000)
    ap.add_argument("--vmap-samples", type=int, default=0,
                    help="time vmap on this many samples and scale to n (0: all)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    sizes = [784, 256, 256, 10]
    params = []
    for i in range(3):
        W = torch.randn(sizes[i + 1], sizes[i]) / sizes[i] ** 0.5
        b = torch.zeros(sizes[i + 1])
        params += [W.requires_grad_(), b.requires_grad_()]
    n = a.n
    X = torch.randn(n, 784)
    y = torch.randint(0, 10, (n,))
    V = [torch.randn_like(p) for p in params]
    U = torch.randn(n, 10)

    def forward(ps, x):
        h = x
        for i in range(3):
            h = h @ ps[2 * i].T + ps[2 * i + 1]
            if i < 2:
                h = torch.tanh(h) if a.act == "tanh" else torch.relu(h)
        return h

    def loss(ps, x, y):
        return torch.nn.functional.cross_entropy(forward(ps, x), y, reduction="mean")

    res = {}

    def predict():
        with torch.no_grad():
            forward(params, X)
    res["Predict"] = best_ms(predict, a.repeat)

    def gradient():
        torch.autograd.grad(loss(params, X, y), params)
    res["Gradient"] = best_ms(gradient, a.repeat)

    def vjp():
        torch.autograd.grad(forward(params, X), params, grad_outputs=U)
    res["VJP"] = best_ms(vjp, a.repeat)

    def hvp_double_backward():
        g = torch.autograd.grad(loss(params, X, y), params, create_graph=True)
        dot = sum((gi * vi).sum() for gi, vi in zip(g, V))
        torch.autograd.grad(dot, params)
    res["HVP (double backward)"] = best_ms(hvp_double_backward, a.repeat)

    def jvp_double_vjp():
        # J v by the double-vjp trick (reverse over reverse).
        f = forward(params, X)
        w = torch.zeros_like(f, requires_grad=True)
        g = torch.autograd.grad(f, params, grad_outputs=w, create_graph=True)
        dot = sum((gi * vi).sum() for gi, vi in zip(g, V))
        torch.autograd.grad(dot, w)
    res["JVP (double vjp)"] = best_ms(jvp_double_vjp, a.repeat)

    try:
        import torch.autograd.forward_ad as fwAD

        def jvp_forward_ad():
            with fwAD.dual_level():
                dual = [fwAD.make_dual(p.detach(), v) for p, v in zip(params, V)]
                out = forward(dual, X)
                fwAD.unpack_dual(out).tangent
        res["JVP (forward AD)"] = best_ms(jvp_forward_ad, a.repeat)
    except Exception as e:  # noqa: BLE001
        print("forward AD unavailable:", e)

    m = min(a.loop_samples, n)

    def norms_loop():
        out = torch.empty(m)
        for i in range(m):
            g = torch.autograd.grad(loss(params, X[i:i + 1], y[i:i + 1]), params)
            out[i] = sum((gi * gi).sum() for gi in g)
    res["PerSampleGradNorms (loop, scaled to n)"] = tuple(t * n / m for t in best_ms(norms_loop, 1))

    try:
        from functorch import grad as fgrad, jvp as fjvp, vmap

        detached = [p.detach() for p in params]

        def l1(ps, x, t):
            return loss(ps, x[None], t[None])

        psg = vmap(fgrad(l1), in_dims=(None, 0, 0))

        mv = min(a.vmap_samples or n, n)

        def norms_vmap():
            out = torch.empty(mv)
            for i0 in range(0, mv, 128):
                i1 = min(i0 + 128, mv)
                g = psg(detached, X[i0:i1], y[i0:i1])
                out[i0:i1] = sum((gi * gi).flatten(1).sum(1) for gi in g)
        res["PerSampleGradNorms (functorch vmap, scaled to n)"] = tuple(
            t * n / mv for t in best_ms(norms_vmap, max(1, a.repeat // 2)))

    except Exception as e:  # noqa: BLE001
        print("functorch vmap unavailable:", e)
    try:
        from functorch import grad as fgrad, jvp as fjvp

        detached = [p.detach() for p in params]
        Y1 = torch.nn.functional.one_hot(y, 10).to(torch.float64)

        def loss_ls(ps):
            # nll_loss and log_softmax's backward have no forward-AD rule in
            # 1.13: spell log_softmax out with exp/log/sum.
            f = forward(ps, X)
            f = f - f.max(dim=1, keepdim=True).values.detach()
            return -(Y1 * (f - torch.log(torch.exp(f).sum(dim=1, keepdim=True)))).sum() / n

        def hvp_fwd_over_rev():
            fjvp(lambda *ps: fgrad(loss_ls)(list(ps)), tuple(detached), tuple(V))
        res["HVP (functorch jvp(grad))"] = best_ms(hvp_fwd_over_rev, a.repeat)
    except Exception as e:  # noqa: BLE001
        print("functorch jvp(grad) unavailable:", e)

    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, n {n}, {a.act}, float64")
    print(f"{'operation':45s} {'wall ms':>10s} {'cpu ms':>10s}")
    for k, (w, c) in res.items():
        print(f"{k:45s} {w:10.1f} {c:10.1f}")


if __name__ == "__main__":
    main()
