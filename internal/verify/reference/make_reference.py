#!/usr/bin/python3
"""Reference data for `noisegeom verify`, made by implementations independent of noisegeom.

Regenerate (from the repository root, with Debian's python3-numpy, python3-scipy and
python3-torch 1.13; the pyenv python3 on PATH lacks them):

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 verify/reference/make_reference.py

It writes linalg.json, models.json, analysis.json and escape.json beside this script.
Every input is drawn here from numpy's PCG64 with a fixed seed and stored in the files
together with the outputs, so the Go side reads its inputs from the file and no
cross-language random generator is needed. Re-running gives the same inputs; the outputs
may change in the last bits with a different numpy/LAPACK/torch build.

Sources of the reference outputs:
  linalg    numpy.matmul (OpenBLAS dgemm/dgemv), exact rational arithmetic (fractions)
            for norms, numpy.linalg.eigh (LAPACK dsyevd), scipy.linalg.eigh_tridiagonal
            (LAPACK dstemr/dstebz).
  models    PyTorch autograd in float64 (grad, jvp, vjp, hvp; the Gauss-Newton product
            as vjp(hvp of the loss in the outputs, jvp)).
  analysis  numpy forming per-sample gradients (analytic Jacobians), Sigma_1, Sigma, G
            as p x p matrices; the population quantities (closed forms in
            docs/theory.md#gaussian-linear-regression) by exact Gauss-Hermite quadrature
            of E[r^2 x x^T] (3 nodes per dimension integrate the degree-4 polynomials
            exactly), not by the closed forms.
  escape    numpy iterating M_{t+1} = E_B[(I - eta A_B) M (I - eta A_B)] by enumerating
            every minibatch (ordered tuples with replacement, subsets without); the
            critical rate by bisection on the spectral radius of the p^2 x p^2 linear map
            E_B[(I - eta A_B) (x) (I - eta A_B)].
Tolerances are computed on the Go side (verify/*.go) from error bounds; where a bound needs
a quantity only the reference knows (a gap, a sensitivity), the script stores it.
"""
import itertools
import json
import math
import os
import platform
from decimal import Decimal, getcontext
from fractions import Fraction

import numpy as np
import scipy
import scipy.linalg
import torch
import torch.nn.functional as Fn
from torch.autograd import functional as AF

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261126


def short(a, digits=4):
    """Rounds inputs to a few decimals so their JSON is short (both sides parse the same double)."""
    return np.round(a, digits)


def flat(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).reshape(-1)]


def case(name, kind, source, **data):
    out = {"name": name, "kind": kind, "source": source, "data": {}}
    for k, v in data.items():
        if isinstance(v, (np.ndarray, list, tuple)):
            v = flat(v)
        elif isinstance(v, (bool, str)):
            pass
        elif isinstance(v, (int, np.integer)):
            v = int(v)
        else:
            v = float(v)
        out["data"][k] = v
    return out


# ---------------------------------------------------------------- linalg


def linalg_cases(rng):
    cases = []
    # Gemm: C = alpha op(A) op(B) + beta C0; A stored as op(A) (m x k) or its transpose.
    for ta, tb, m, n, k, alpha, beta in [
        ("n", "n", 37, 41, 23, 1.0, 0.0),
        ("n", "t", 37, 41, 23, 1.5, 0.0),
        ("t", "n", 64, 1, 50, -1.0, 0.5),
        ("t", "t", 5, 129, 7, 0.7, -2.0),
        ("n", "t", 67, 3, 90, 1.0, 1.0),
        ("n", "n", 1, 33, 65, 2.0, 0.0),
    ]:
        a = short(rng.standard_normal((k, m) if ta == "t" else (m, k)))
        b = short(rng.standard_normal((n, k) if tb == "t" else (k, n)))
        c0 = short(rng.standard_normal((m, n)))
        opa = a.T if ta == "t" else a
        opb = b.T if tb == "t" else b
        c = alpha * np.matmul(opa, opb) + beta * c0
        cases.append(case(f"linalg/gemm-{ta}{tb}-{m}x{n}x{k}", "gemm", "numpy.matmul (OpenBLAS dgemm)",
                          ta=ta == "t", tb=tb == "t", m=m, n=n, k=k, alpha=alpha, beta=beta,
                          a=a, b=b, c0=c0, c=c))
    # Gemv: y = alpha op(A) x + beta y0, A stored rows x cols.
    for t, rows, cols, alpha, beta in [("n", 53, 31, 1.0, 0.0), ("t", 31, 53, -0.5, 2.0), ("n", 1, 200, 1.0, 1.0)]:
        a = short(rng.standard_normal((rows, cols)))
        opa = a.T if t == "t" else a
        x = short(rng.standard_normal(opa.shape[1]))
        y0 = short(rng.standard_normal(opa.shape[0]))
        y = alpha * np.matmul(opa, x) + beta * y0
        cases.append(case(f"linalg/gemv-{t}-{rows}x{cols}", "gemv", "numpy.matmul (OpenBLAS dgemv)",
                          t=t == "t", rows=rows, cols=cols, alpha=alpha, beta=beta, a=a, x=x, y0=y0, y=y))
    # Nrm2 at extreme scales against exact rational arithmetic.
    getcontext().prec = 60

    def exact_norm(x):
        s = sum((Fraction(float(v)) ** 2 for v in x), Fraction(0))
        return float((Decimal(s.numerator) / Decimal(s.denominator)).sqrt())

    z = rng.standard_normal(100)
    mixed = z * 10.0 ** rng.uniform(-150, 150, 100)
    for name, x, src in [
        ("nrm2-tiny-1e-170", z * 1e-170, "exact rational arithmetic (fractions)"),
        ("nrm2-huge-1e170", z * 1e170, "exact rational arithmetic (fractions)"),
        ("nrm2-subnormal", z * 1e-310, "exact rational arithmetic (fractions)"),
        ("nrm2-mixed-1e-150..1e150", mixed, "exact rational arithmetic (fractions)"),
        ("nrm2-const-3e200-x1000", np.full(1000, -3e200), "closed form |c|·√n (fractions)"),
    ]:
        cases.append(case(f"linalg/{name}", "nrm2", src, x=x, norm=exact_norm(x)))

    # EigenSym vs LAPACK dsyevd (numpy.linalg.eigh).
    def sym_case(name, a, vectors):
        w, z = np.linalg.eigh(a)
        n = a.shape[0]
        lower = [a[i, j] for i in range(n) for j in range(i + 1)]
        data = dict(n=n, lower=lower, values=w)
        if vectors:
            data["vectors"] = z
        return case(name, "eigensym", "numpy.linalg.eigh (LAPACK dsyevd)", **data)

    g = short(rng.standard_normal((50, 50)), 3)
    cases.append(sym_case("linalg/eigensym-50", (g + g.T) / 2, True))
    b = rng.integers(-4, 5, (16, 16)).astype(float)
    b = b + b.T
    rep = np.kron(b, np.eye(3))  # every eigenvalue of b three times
    perm = rng.permutation(48)
    cases.append(sym_case("linalg/eigensym-repeated-48", rep[np.ix_(perm, perm)], True))
    c = rng.integers(-9, 10, (120, 120)).astype(float)
    cases.append(sym_case("linalg/eigensym-dc-120", np.tril(c) + np.tril(c, -1).T, False))

    # Symmetric tridiagonal eigenvalues vs scipy.linalg.eigh_tridiagonal.
    for name, d, e in [
        ("tridiag-random-200", short(rng.standard_normal(200)), short(rng.standard_normal(199))),
        ("tridiag-wilkinson-21", np.abs(np.arange(21) - 10.0), np.ones(20)),
        ("tridiag-graded-60", 2.0 ** -np.arange(60.0), 2.0 ** -(np.arange(59.0) + 0.5)),
    ]:
        w = scipy.linalg.eigh_tridiagonal(d, e, eigvals_only=True)
        cases.append(case(f"linalg/{name}", "tridiag", "scipy.linalg.eigh_tridiagonal (LAPACK dstemr)",
                          n=len(d), d=d, e=e, values=w))

    # Lanczos top-5 of A = diag(d) + U U^T (400 x 400) vs eigh of the formed matrix.
    n, r = 400, 4
    d = short(np.linspace(0.0, 1.0, n) ** 2, 6)
    u = short(rng.standard_normal((n, r)) / np.sqrt(n) * np.array([2.0, 1.6, 1.3, 1.1]), 5)
    a = np.diag(d) + u @ u.T
    w, z = np.linalg.eigh(a)
    top = np.argsort(w)[::-1][:5]
    cases.append(case("linalg/lanczos-top5-400", "lanczos", "numpy.linalg.eigh (LAPACK dsyevd)",
                      n=n, r=r, k=5, d=d, u=u, values=w[top], vectors=z[:, top].T,
                      gaps=[min(abs(w[top[i]] - w[j]) for j in range(n) if j != top[i]) for i in range(5)],
                      norm=float(np.max(np.abs(w)))))
    return cases


# ---------------------------------------------------------------- models


def activation(name, z):
    return {"identity": lambda z: z, "tanh": torch.tanh, "softplus": Fn.softplus}[name](z)


def make_predict(c, X):
    if c["model"] == "network":
        frozen = torch.tensor(np.concatenate([np.asarray(c["frozen"], float), [0.0]]))

        def predict(theta):
            a, off, foff = X, 0, 0
            for L in c["layers"]:
                src, o = (frozen, foff) if L["Frozen"] else (theta, off)
                W = src[o:o + L["In"] * L["Out"]].reshape(L["Out"], L["In"])
                o += L["In"] * L["Out"]
                z = a @ W.T
                if L["Bias"]:
                    z = z + src[o:o + L["Out"]]
                    o += L["Out"]
                if L["Frozen"]:
                    foff = o
                else:
                    off = o
                a = activation(L["Act"], L["Scale"] * z)
            return a
        return predict
    d = X.shape[1]

    def predict(theta):
        u, v = theta[:d], theta[d:]
        F = u * v if c["model"] == "diagonal_product" else u * u - v * v
        return (X @ F).reshape(-1, 1)
    return predict


def layer(i, o, act, bias, frozen=False, scale=1.0):
    return {"In": i, "Out": o, "Act": act, "Bias": bias, "Frozen": frozen, "Scale": scale}


def model_fixtures(rng):
    fx = []
    # Two-layer tanh network, second layer fixed at +-1/sqrt(m).
    d, m, n = 5, 8, 7
    fx.append(dict(fixture="two-layer-tanh-d5-m8", model="network", loss="square", n=n, d=d, K=1,
                   layers=[layer(d, m, "tanh", True), layer(m, 1, "identity", False, True, 1 / math.sqrt(m))],
                   theta=np.concatenate([rng.standard_normal(m * d) / math.sqrt(d), 0.3 * rng.standard_normal(m)]),
                   frozen=rng.choice([-1.0, 1.0], m)))
    # MLP 6-7-5-3 (tanh, softplus) with softmax cross-entropy, one-hot targets.
    sizes, n = [6, 7, 5, 3], 6
    th = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        th += [rng.standard_normal(a * b) / math.sqrt(a), 0.2 * rng.standard_normal(b)]
    y = np.eye(3)[rng.integers(0, 3, n)]
    fx.append(dict(fixture="mlp-ce-6-7-5-3", model="network", loss="cross_entropy", n=n, d=6, K=3,
                   layers=[layer(6, 7, "tanh", True), layer(7, 5, "softplus", True), layer(5, 3, "identity", True)],
                   theta=np.concatenate(th), frozen=[], y=y))
    for kind in ["product", "difference"]:
        d, n = 6, 8
        fx.append(dict(fixture=f"diagonal-{kind}-d6", model="diagonal_" + kind, loss="square", n=n, d=d, K=1,
                       layers=[], theta=rng.standard_normal(2 * d), frozen=[]))
    for f in fx:
        f["x"] = rng.standard_normal((f["n"], f["d"]))
        if "y" not in f:
            f["y"] = rng.standard_normal((f["n"], f["K"]))
        f["v"] = rng.standard_normal(len(f["theta"]))
        f["u"] = rng.standard_normal((f["n"], f["K"]))
    return fx


def models_cases(rng):
    cases = []
    for c in model_fixtures(rng):
        n, K = c["n"], c["K"]
        X = torch.tensor(c["x"])
        Y = torch.tensor(c["y"])
        theta, v, U = torch.tensor(c["theta"]), torch.tensor(c["v"]), torch.tensor(c["u"])
        predict = make_predict(c, X)
        if c["loss"] == "square":
            def loss_sum(f):
                return 0.5 * ((f - Y) ** 2).sum()
        else:
            def loss_sum(f):
                return -(Y * torch.log_softmax(f, dim=-1)).sum()

        def L(th):
            return loss_sum(predict(th)) / n

        th = theta.clone().requires_grad_(True)
        Lval = L(th)
        (grad,) = torch.autograd.grad(Lval, th)
        _, Jv = AF.jvp(predict, theta, v)
        _, JTu = AF.vjp(predict, theta, U)
        _, Hv = AF.hvp(L, theta, v)
        f0 = predict(theta).detach()
        _, LJv = AF.hvp(loss_sum, f0, Jv)
        _, Gv = AF.vjp(predict, theta, LJv)
        Gv = Gv / n
        common = dict(model=c["model"], loss=c["loss"], n=n, d=c["d"], K=K,
                      layers=json.dumps(c["layers"]), theta=c["theta"], frozen=np.asarray(c["frozen"], float),
                      x=c["x"], y=c["y"])
        src = f"PyTorch {torch.__version__.split('a')[0]} autograd"
        p = len(c["theta"])
        for q, extra, out in [
            ("grad", {}, dict(value=float(Lval), out=grad)),
            ("jv", dict(v=c["v"]), dict(out=Jv)),
            ("jtu", dict(u=c["u"]), dict(out=JTu)),
            ("hv", dict(v=c["v"]), dict(out=Hv)),
            ("gv", dict(v=c["v"]), dict(out=Gv)),
        ]:
            cases.append(case(f"models/{c['fixture']}/{q}", "models-" + q, src + (" grad" if q == "grad" else
                              {"jv": " jvp", "jtu": " vjp", "hv": " hvp", "gv": " vjp∘hvp∘jvp"}[q]),
                              **common, **extra, **{k: (w.numpy() if torch.is_tensor(w) else w) for k, w in out.items()},
                              p=p))
    return cases


# ---------------------------------------------------------------- analysis


def explicit_metrics(J, r, n, K, topk):
    """J: (n, K, p) Jacobian, r: (n, K) residuals. Forms Sigma_1, Sigma, G as p x p."""
    p = J.shape[2]
    g = np.einsum("ikp,ik->ip", J, r)  # per-sample gradients
    sigma1 = g.T @ g / n
    grad = g.mean(axis=0)
    sigma = sigma1 - np.outer(grad, grad)
    Jm = J.reshape(n * K, p)
    G = Jm.T @ Jm / n
    twoL = float((r ** 2).sum() / n)
    frob2 = float((G * G).sum())
    mu = np.trace(sigma1 @ G) / (twoL * frob2)
    muc = np.trace(sigma @ G) / (twoL * frob2)
    muiso = np.trace(sigma1) * np.trace(G) / (p * twoL * frob2)
    w, z = np.linalg.eigh(G)
    order = np.argsort(w)[::-1]
    w, z = w[order], z[:, order]
    gs, vsv, vs1v, gaps, snorm = [], [], [], [], []
    for k in range(topk):
        u = z[:, k]
        gs.append(u @ sigma @ u / (twoL * (u @ G @ u)))
        vsv.append(u @ sigma @ u)
        vs1v.append(u @ sigma1 @ u)
        snorm.append(np.linalg.norm(sigma @ u))
        gaps.append(min(abs(w[k] - w[j]) for j in range(len(w)) if j != k))
    return dict(two_l=twoL, mu=mu, mu_c=muc, mu_iso=muiso, tr_sigma1_g=np.trace(sigma1 @ G),
                tr_sigma_g=np.trace(sigma @ G), top_lambda=w[:topk], top_g=gs, top_vsv=vsv, top_vs1v=vs1v,
                top_gap=gaps, top_sigma_u_norm=snorm, lambda_max=w[0])


def analysis_cases(rng):
    cases = []
    # Two-layer tanh net f = c sum_k a_k tanh(w_k.x + b_k), a fixed, c = 1/sqrt(m).
    n, d, m = 10, 4, 6
    W = rng.standard_normal((m, d)) / math.sqrt(d)
    b = 0.3 * rng.standard_normal(m)
    a = rng.choice([-1.0, 1.0], m)
    X = rng.standard_normal((n, d))
    Y = rng.standard_normal((n, 1))
    c = 1 / math.sqrt(m)
    t = np.tanh(X @ W.T + b)
    f = c * t @ a
    r = (f - Y[:, 0]).reshape(n, 1)
    dz = c * a * (1 - t ** 2)  # n x m
    J = np.concatenate([(dz[:, :, None] * X[:, None, :]).reshape(n, m * d), dz], axis=1).reshape(n, 1, -1)
    problems = [("two-layer-tanh-n10-d4-m6",
                 dict(model="network", loss="square", n=n, d=d, K=1, layers=json.dumps([layer(d, m, "tanh", True), layer(m, 1, "identity", False, True, c)]),
                      theta=np.concatenate([W.reshape(-1), b]), frozen=a, x=X, y=Y), J, r)]
    # Two-output network f = V tanh(W x + b), every layer trained (K = 2, no
    # repeated eigenvalues of G, unlike a multi-output linear model's I_K (x) S).
    n, d, m, K = 9, 3, 4, 2
    W = rng.standard_normal((m, d)) / math.sqrt(d)
    b = 0.3 * rng.standard_normal(m)
    V = rng.standard_normal((K, m)) / math.sqrt(m)
    X = rng.standard_normal((n, d))
    Y = rng.standard_normal((n, K))
    h = np.tanh(X @ W.T + b)  # n x m
    r = h @ V.T - Y
    J = np.zeros((n, K, m * d + m + K * m))
    for k in range(K):
        dz = V[k] * (1 - h ** 2)  # n x m: d f_k / d z_j
        J[:, k, :m * d] = (dz[:, :, None] * X[:, None, :]).reshape(n, m * d)
        J[:, k, m * d:m * d + m] = dz
        J[:, k, m * d + m + k * m:m * d + m + (k + 1) * m] = h
    problems.append(("tanh-k2-n9-d3-m4", dict(model="network", loss="square", n=n, d=d, K=K,
                                               layers=json.dumps([layer(d, m, "tanh", True), layer(m, K, "identity", False)]),
                                               theta=np.concatenate([W.reshape(-1), b, V.reshape(-1)]), frozen=np.zeros(0),
                                               x=X, y=Y), J, r))
    for name, inp, J, r in problems:
        ref = explicit_metrics(J, r, inp["n"], inp["K"], 3)
        for path in ["gram", "dense", "matrixfree"]:
            cases.append(case(f"analysis/{name}/{path}", "metrics",
                              "numpy: per-sample gradients, Σ₁, Σ, G as p×p", path=path, topk=3,
                              **inp, **ref))

    # Population closed forms vs exact Gauss-Hermite quadrature.
    def population(S, delta, s2, vs):
        dd = len(delta)
        Lc = np.linalg.cholesky(S)
        nodes, weights = np.polynomial.hermite_e.hermegauss(3)  # probabilists' Hermite: N(0,1)
        weights = weights / weights.sum()
        E_r2xx = np.zeros((dd, dd))
        E_rx = np.zeros(dd)
        E_xx = np.zeros((dd, dd))
        E_r2 = 0.0
        for idx in itertools.product(range(3), repeat=dd + 1):
            zz = nodes[list(idx)]
            wt = np.prod(weights[list(idx)])
            x = Lc @ zz[:dd]
            rr = delta @ x - math.sqrt(s2) * zz[dd]  # r = f - y = delta.x - eps
            E_r2xx += wt * rr * rr * np.outer(x, x)
            E_rx += wt * rr * x
            E_xx += wt * np.outer(x, x)
            E_r2 += wt * rr * rr
        G, sigma1 = E_xx, E_r2xx
        sigma = sigma1 - np.outer(E_rx, E_rx)
        twoL = E_r2
        frob2 = float((G * G).sum())
        out = dict(loss=twoL / 2, mu=np.trace(sigma1 @ G) / (twoL * frob2), mu_c=np.trace(sigma @ G) / (twoL * frob2),
                   mu_iso=np.trace(sigma1) * np.trace(G) / (dd * twoL * frob2),
                   g=[v @ sigma @ v / (twoL * (v @ G @ v)) for v in vs])
        # Sanity: the closed forms (docs/theory.md#gaussian-linear-regression) must agree
        # (not stored: the Go side evaluates them).
        L2 = delta @ S @ delta + s2
        d3 = delta @ S @ S @ S @ delta
        fs = (S * S).sum()
        assert abs(out["mu"] - (1 + 2 * d3 / (L2 * fs))) < 1e-12
        assert abs(out["mu_c"] - (1 + d3 / (L2 * fs))) < 1e-12
        return out

    dd = 4
    Q, _ = np.linalg.qr(rng.standard_normal((dd, dd)))
    S = Q @ np.diag([3.0, 1.0, 0.4, 0.05]) @ Q.T
    S = (S + S.T) / 2
    for name, delta, s2 in [("population/d4-off-optimum", rng.standard_normal(dd) * 0.7, 0.3),
                            ("population/d4-at-optimum", np.zeros(dd), 0.5),
                            ("population/d4-noiseless", rng.standard_normal(dd), 0.0)]:
        vs = [Q[:, 0], Q[:, 3], rng.standard_normal(dd)]
        vs = [v / np.linalg.norm(v) for v in vs]
        out = population(S, delta, s2, vs)
        cases.append(case(name, "population", "numpy: exact Gauss–Hermite quadrature of E[r²xxᵀ] etc.",
                          d=dd, s=S, delta=delta, noise2=s2, v=np.concatenate(vs), nv=len(vs), **out))
    return cases


# ---------------------------------------------------------------- escape


def batches(n, B, replacement):
    if replacement:
        return list(itertools.product(range(n), repeat=B))
    return list(itertools.combinations(range(n), B))


def range_basis(F):
    n, p = F.shape
    A = F.T @ F / n
    w, z = np.linalg.eigh(A)
    order = np.argsort(w)[::-1]
    w, z = w[order], z[:, order]
    rank = int(np.sum(w > 100 * max(n, p) * np.finfo(float).eps * w[0]))
    return A, w, z, rank


def linear_map(F, B, replacement, eta, Ur):
    n = F.shape[0]
    r = Ur.shape[1]
    Fr = F @ Ur
    T = np.zeros((r * r, r * r))
    bs = batches(n, B, replacement)
    for bt in bs:
        Ab = sum(np.outer(Fr[i], Fr[i]) for i in bt) / B
        X = np.eye(r) - eta * Ab
        T += np.kron(X, X)
    return T / len(bs)


def spectral_radius(T):
    return float(np.max(np.abs(np.linalg.eigvals(T))))


def critical_rate(F, B, replacement):
    A, w, z, rank = range_basis(F)
    Ur = z[:, :rank]
    gd = 2 / w[0]

    def rho(eta):
        return spectral_radius(linear_map(F, B, replacement, eta, Ur))

    lo, hi = 0.01 * gd, gd * (1 + 1e-9)
    assert rho(lo) < 1 and rho(hi) >= 1
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if rho(mid) < 1:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 4 * np.finfo(float).eps * hi:
            break
    eta = 0.5 * (lo + hi)
    h = 1e-6 * eta
    sens = eta * (rho(eta + h) - rho(eta - h)) / (2 * h)
    return eta, gd, rank, sens


def escape_cases(rng):
    cases = []
    F63 = rng.standard_normal((6, 3)) * np.array([2.0, 1.0, 0.5])
    F46 = rng.standard_normal((4, 6))
    crit = {}
    for name, F, B, repl in [("n6-p3-b1-repl", F63, 1, True), ("n6-p3-b2-repl", F63, 2, True),
                             ("n6-p3-b2-norepl", F63, 2, False), ("n4-p6-b3-norepl-rankdef", F46, 3, False),
                             ("n4-p6-b2-repl-rankdef", F46, 2, True)]:
        eta, gd, rank, sens = critical_rate(F, B, repl)
        crit[name] = eta
        n, p = F.shape
        cases.append(case(f"escape/critical-{name}", "critical",
                          "numpy: bisection on ρ(E_B[(I−ηA_B)⊗(I−ηA_B)]), all minibatches",
                          n=n, p=p, f=F, batch=B, replacement=repl, eta_sgd=eta, eta_gd=gd, rank=rank, sensitivity=sens))

    def recursion(name, F, B, repl, eta, steps, every, law, radius):
        n, p = F.shape
        A, w, z, rank = range_basis(F)
        if law == "span":
            M = radius ** 2 / rank * z[:, :rank] @ z[:, :rank].T
        else:
            M = radius ** 2 / p * np.eye(p)
        bs = batches(n, B, repl)
        Xs = [np.eye(p) - eta * sum(np.outer(F[i], F[i]) for i in bt) / B for bt in bs]
        Ds, rec = [], []
        for t in range(steps + 1):
            if t % every == 0 or t == steps:
                rec.append(t)
                Ds.append([z[:, k] @ M @ z[:, k] for k in range(p)])
            M = sum(X @ M @ X for X in Xs) / len(Xs)
        xnorm2 = max(np.linalg.norm(X, 2) ** 2 for X in Xs)
        Ur = z[:, :rank]
        rho = spectral_radius(linear_map(F, B, repl, eta, Ur))
        gaps = [min([abs(w[k] - w[j]) for j in range(p) if j != k] + [np.inf]) for k in range(p)]
        cases.append(case(f"escape/{name}", "recursion",
                          "numpy: M ← E_B[(I−ηA_B)M(I−ηA_B)], all minibatches",
                          n=n, p=p, f=F, batch=B, replacement=repl, eta=eta, steps=steps, every=every, law=law,
                          radius=radius, rec_steps=np.array(rec, float), d=np.array(Ds), rho=rho,
                          lambdas=w, gaps=np.array(gaps), rank=rank, xnorm2=xnorm2))

    recursion("exact-sgd-repl-b2-n6-p3-stable", F63, 2, True, 0.8 * crit["n6-p3-b2-repl"], 40, 10, "span", 1.0)
    gd63 = 2 / range_basis(F63)[1][0]
    eta_mid = 0.5 * (crit["n6-p3-b2-repl"] + gd63)  # above SGD's threshold, below GD's
    recursion("exact-sgd-repl-b2-n6-p3-escaping", F63, 2, True, eta_mid, 30, 5, "span", 1.0)
    recursion("exact-sgd-norepl-b2-n6-p3", F63, 2, False, eta_mid, 30, 5, "isotropic", 0.5)
    recursion("exact-gd-n6-p3", F63, 6, False, eta_mid, 30, 5, "span", 1.0)
    recursion("exact-sgd-norepl-b3-n4-p6-rankdef", F46, 3, False, 1.1 * crit["n4-p6-b3-norepl-rankdef"], 25, 5,
              "span", 2.0)
    return cases


def main():
    rng = np.random.default_rng(SEED)
    versions = {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                "torch": torch.__version__, "seed": SEED}
    for group, fn in [("linalg", linalg_cases), ("models", models_cases), ("analysis", analysis_cases),
                      ("escape", escape_cases)]:
        cases = fn(rng)
        with open(os.path.join(HERE, group + ".json"), "w") as fh:
            json.dump({"generator": "verify/reference/make_reference.py", "versions": versions, "cases": cases},
                      fh, separators=(",", ":"))
            fh.write("\n")
        print(group, len(cases), "cases")


if __name__ == "__main__":
    main()
