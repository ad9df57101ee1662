#!/usr/bin/env python3
"""Peer for BenchmarkLanczosTop20: scipy.sparse.linalg.eigsh (ARPACK,
implicitly restarted Lanczos) on the same low-rank-plus-diagonal operator
A = D + U^T diag(s) U of dimension n (default 1e5), rank r (default 100),
k = 20 largest, ncv = 41, tol = 1e-10. Prints the matvec count, the time
and the top eigenvalues so that they can be compared with the Go benchmark.

The operator is built exactly as newLowRankDiagOp in lanczos_bench_test.go:
u[i][c] = sqrt(3)*(2*h(i*n+c) - 1)/sqrt(n), d[c] = h(2**40 + c),
s_i = 10/sqrt(i+1), h = SplitMix64 to [0, 1).

Usage: python3 lanczos_eigsh_peer.py [n] [r] [tol]
Needs python3-numpy and python3-scipy (Debian): run with /usr/bin/python3.
"""
import sys
import time

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix_unit(x):
    """SplitMix64 hash of uint64 array x mapped to [0, 1)."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    r = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-10
    d = splitmix_unit(np.uint64(1 << 40) + np.arange(n, dtype=np.uint64))
    u = np.empty((r, n))
    for i in range(r):
        idx = np.uint64(i * n) + np.arange(n, dtype=np.uint64)
        u[i] = (2 * splitmix_unit(idx) - 1) * (np.sqrt(3) / np.sqrt(n))
    s = 10 / np.sqrt(np.arange(1, r + 1))
    count = [0]

    def matvec(x):
        count[0] += 1
        x = np.ravel(x)
        return d * x + u.T @ (s * (u @ x))

    op = LinearOperator((n, n), matvec=matvec, dtype=np.float64)
    v0 = np.ones(n) / np.sqrt(n)
    t0 = time.perf_counter()
    vals, vecs = eigsh(op, k=20, which="LA", ncv=41, tol=tol, v0=v0)
    dt = time.perf_counter() - t0
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    res = [np.linalg.norm(matvec(vecs[:, i]) - vals[i] * vecs[:, i]) for i in range(len(vals))]
    count[0] -= len(vals)  # the residual checks above are not part of eigsh
    print(f"eigsh n={n} r={r} k=20 ncv=41 tol={tol:g}: matvecs={count[0]} time={dt:.3f}s")
    print("top eigenvalues:", " ".join(f"{v:.12g}" for v in vals[:5]), "...", f"{vals[-1]:.12g}")
    print(f"max residual {max(res):.3g}")


if __name__ == "__main__":
    main()
