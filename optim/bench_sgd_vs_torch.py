#!/usr/bin/python3
"""SGD steps per second: noisegeom (optim.BenchmarkSGDMLP) against PyTorch.

MLP 784-256-256-10, tanh, square loss ½‖f − y‖² averaged over the batch,
float64, plain SGD (lr 0.01), batches of 1, 32 and 256 drawn with replacement
from 10 000 Fashion-MNIST training images scaled to [0, 1] with one-hot
targets. Both sides run in this one invocation, at 1 and 2 threads
(GOMAXPROCS via -cpu; torch.set_num_threads). Each figure is the best of
--repeats timings of --seconds each.

Debian's torch does its matrix products in the system OpenBLAS, which ignores
torch.set_num_threads and reads OPENBLAS_NUM_THREADS once, at load: so each
thread count runs torch in its own child process with that variable set, or
a "1-thread" torch would use every core.

Run from the repository root with the system Python that has torch 1.13:
    /usr/bin/python3 optim/bench_sgd_vs_torch.py
"""
import argparse
import gzip
import json
import os
import re
import struct
import subprocess
import sys
import time

import numpy as np
import torch


def load_fashion(n, seed=1):
    for d in (os.environ.get("NOISEGEOM_DATA", ""), "/usr/share/datasets"):
        path = os.path.join(d, "fashion-mnist", "train-images-idx3-ubyte.gz")
        if d and os.path.exists(path):
            with gzip.open(path) as f:
                _, count, rows, cols = struct.unpack(">IIII", f.read(16))
                x = np.frombuffer(f.read(), dtype=np.uint8).reshape(count, rows * cols)
            with gzip.open(path.replace("images-idx3", "labels-idx1")) as f:
                f.read(8)
                labels = np.frombuffer(f.read(), dtype=np.uint8)
            idx = np.random.default_rng(seed).choice(count, n, replace=False)
            x = x[idx].astype(np.float64) / 255.0
            y = np.eye(10)[labels[idx]]
            return x, y
    rng = np.random.default_rng(seed)
    return rng.random((n, 784)), np.eye(10)[rng.integers(0, 10, n)]


def torch_rate(x, y, batch, threads, seconds, repeats):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.Tanh(),
        torch.nn.Linear(256, 256), torch.nn.Tanh(),
        torch.nn.Linear(256, 10)).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(1)

    def step():
        idx = torch.randint(0, X.shape[0], (batch,), generator=gen)
        xb, yb = X[idx], Y[idx]
        opt.zero_grad(set_to_none=True)
        loss = 0.5 * ((model(xb) - yb) ** 2).sum(1).mean()
        loss.backward()
        opt.step()

    for _ in range(10):
        step()
    best = 0.0
    for _ in range(repeats):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            step()
            n += 1
        best = max(best, n / (time.perf_counter() - t0))
    return best


def go_rates(seconds, repeats):
    out = subprocess.run(
        ["go", "test", "-run", "^$", "-bench", "BenchmarkSGDMLP", "-cpu", "1,2",
         "-benchtime", f"{seconds}s", "-count", str(repeats), "./optim"],
        capture_output=True, text=True, check=True).stdout
    rates = {}
    for m in re.finditer(r"BenchmarkSGDMLP/batch=(\d+)(?:-(\d+))?\s+\d+\s+\S+ ns/op.*?([\d.]+) steps/s", out):
        key = (int(m.group(1)), int(m.group(2) or 1))
        rates[key] = max(rates.get(key, 0.0), float(m.group(3)))
    return rates


def torch_child(threads, seconds, repeats):
    """Run the torch side for one thread count in a fresh process."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    out = subprocess.run(
        [sys.executable, __file__, "--torch-only", str(threads), "--seconds", str(seconds),
         "--repeats", str(repeats)], env=env, capture_output=True, text=True, check=True).stdout
    return {int(k): v for k, v in json.loads(out).items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--torch-only", type=int, default=0, metavar="T",
                    help="internal: print torch's steps/s at T threads as JSON")
    args = ap.parse_args()
    x, y = load_fashion(10000)
    if args.torch_only:
        print(json.dumps({b: torch_rate(x, y, b, args.torch_only, args.seconds, args.repeats)
                          for b in (1, 32, 256)}))
        return
    go = go_rates(args.seconds, args.repeats)
    print(f"torch {torch.__version__}, float64; steps/s, best of {args.repeats}")
    print(f"{'threads':>7} {'batch':>6} {'noisegeom':>10} {'torch':>10} {'ratio':>6}")
    for threads in (1, 2):
        rates = torch_child(threads, args.seconds, args.repeats)
        for batch in (1, 32, 256):
            t = rates[batch]
            g = go.get((batch, threads), float("nan"))
            print(f"{threads:>7} {batch:>6} {g:>10.1f} {t:>10.1f} {g / t:>6.2f}")


if __name__ == "__main__":
    main()
