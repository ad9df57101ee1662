#!/usr/bin/env python3
"""Peer for BenchmarkEigenSym: LAPACK dsyevd through numpy.linalg.eigh
(Debian python3-numpy links OpenBLAS). Best of `reps` runs per size, values
and vectors, on a seeded random symmetric Gaussian matrix.

Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 eigh_peer.py [reps]
"""
import sys
import time

import numpy as np


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    rng = np.random.default_rng(1)
    for n in (100, 500, 1000):
        a = rng.standard_normal((n, n))
        a = np.tril(a) + np.tril(a, -1).T
        best = float("inf")
        for _ in range(reps):
            t0 = time.perf_counter()
            w, v = np.linalg.eigh(a)
            best = min(best, time.perf_counter() - t0)
        res = np.linalg.norm(a @ v - v * w) / (n * np.linalg.norm(a))
        print(f"numpy.linalg.eigh (dsyevd) n={n}: best {best * 1e3:.2f} ms of {reps}, residual/(n|A|) {res:.2g}")


if __name__ == "__main__":
    main()
