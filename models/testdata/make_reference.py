#!/usr/bin/python3
"""Independent reference for package models: PyTorch autograd in float64.

Reads reference_input.json (written by the Go test
`go test ./models -run TestWriteReferenceInput -write-reference-input`),
rebuilds every model from the same layer description, parameters and data,
and writes reference_output.json, which TestPyTorchReference checks without
Python. Run from this directory with Debian's python3-torch (1.13):

    /usr/bin/python3 make_reference.py

Everything here is plain autograd: jvp/vjp/hvp/jacobian/hessian from
torch.autograd.functional; nothing is derived by hand except the layout.
"""
import json
import os

import torch
import torch.nn.functional as Fn
from torch.autograd import functional as AF

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def activation(name, z):
    return {
        "identity": lambda z: z,
        "tanh": torch.tanh,
        "softplus": Fn.softplus,
        "sigmoid": torch.sigmoid,
        "gelu": lambda z: Fn.gelu(z, approximate="none"),
        "leaky_relu": lambda z: Fn.leaky_relu(z, 0.01),
        "relu": torch.relu,
    }[name](z)


def make_predict(c):
    """Returns theta -> predictions (n x K)."""
    X = torch.tensor(c["X"]).reshape(c["N"], c["D"])
    kind = c["Kind"]
    if kind == "network":
        frozen = torch.tensor(c["Frozen"] or [0.0])

        def predict(theta):
            a, off, foff = X, 0, 0
            for L in c["Layers"]:
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

    d = c["D"]

    def predict(theta):
        u, v = theta[:d], theta[d:]
        F = u * v if kind == "diagonal_product" else u * u - v * v
        return (X @ F).reshape(c["N"], 1)
    return predict


def make_loss(c):
    """Returns the summed loss of predictions against the targets."""
    Y = torch.tensor(c["Y"]).reshape(c["N"], c["K"])
    if c["Loss"] == "square":
        return lambda f, Y=Y: 0.5 * ((f - Y) ** 2).sum()
    return lambda f, Y=Y: -(Y * torch.log_softmax(f, dim=-1)).sum()


def reference(c):
    n, K = c["N"], c["K"]
    theta = torch.tensor(c["Theta"])
    v = torch.tensor(c["V"])
    U = torch.tensor(c["U"]).reshape(n, K)
    Y = torch.tensor(c["Y"]).reshape(n, K)
    predict, loss_sum = make_predict(c), make_loss(c)

    def L(th):
        return loss_sum(predict(th)) / n

    f0 = predict(theta).detach()
    th = theta.clone().requires_grad_(True)
    Lval = L(th)
    (grad,) = torch.autograd.grad(Lval, th)
    _, Jv = AF.jvp(predict, theta, v)
    _, JTu = AF.vjp(predict, theta, U)
    _, Hv = AF.hvp(L, theta, v)
    # Generalized Gauss-Newton: J^T Lambda J v / n, Lambda the loss Hessian in f.
    _, LJv = AF.hvp(loss_sum, f0, Jv)
    _, Gv = AF.vjp(predict, theta, LJv)
    Gv = Gv / n
    # diag(G) from the full Jacobian and per-sample output Hessians.
    J = AF.jacobian(predict, theta)  # n x K x p
    diag = torch.zeros_like(theta)
    for i in range(n):
        Lam = AF.hessian(lambda fi, i=i: make_loss_row(c, fi, Y[i]), f0[i])
        diag += torch.einsum("kp,kl,lp->p", J[i], Lam, J[i])
    diag /= n
    # Per-sample gradient norms by a loop over samples.
    norms = []
    for i in range(n):
        th = theta.clone().requires_grad_(True)
        li = make_loss_row(c, predict(th)[i], Y[i])
        (gi,) = torch.autograd.grad(li, th)
        norms.append(float((gi * gi).sum()))
    tolist = lambda t: [float(x) for x in t.reshape(-1)]
    return {
        "Name": c["Name"], "F": tolist(f0), "Loss": float(Lval),
        "Grad": tolist(grad), "JV": tolist(Jv), "JTU": tolist(JTu),
        "HV": tolist(Hv), "GV": tolist(Gv), "DiagG": tolist(diag),
        "PSNorms": norms,
    }


def make_loss_row(c, fi, yi):
    if c["Loss"] == "square":
        return 0.5 * ((fi - yi) ** 2).sum()
    return -(yi * torch.log_softmax(fi, dim=-1)).sum()


def main():
    with open(os.path.join(HERE, "reference_input.json")) as fh:
        cases = json.load(fh)
    out = [reference(c) for c in cases]
    with open(os.path.join(HERE, "reference_output.json"), "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    print("torch", torch.__version__, "wrote", len(out), "cases")


if __name__ == "__main__":
    main()
