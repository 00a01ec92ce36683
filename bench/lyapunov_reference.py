#!/usr/bin/env python3
"""Reference: the same QR (Benettin) algorithm as `gpurun lyapunov` for the rate network
(docs/models.md M1-M3), in numpy or PyTorch (CPU, float64), timed. Used by `gpurun bench
lyapunov`; runs on whatever numpy and torch the user's Python has. Both libraries start from
the same numpy draws, so their lambda1 agree.

    python3 bench/lyapunov_reference.py --library numpy|torch --n 500 --steps 2000 --reorth 1 [--json]
"""
import argparse
import json
import sys
import time

try:
    import numpy as np
except ImportError:
    print(json.dumps({"error": "numpy is not installed"}))
    sys.exit(3)


def inputs(n, g, seed):
    rng = np.random.default_rng(seed)
    J = rng.standard_normal((n, n)) * (g / np.sqrt(n))
    np.fill_diagonal(J, 0.0)
    h = rng.standard_normal(n)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return J, h, Q


def run_numpy(n, steps, reorth, transient, g, dt, seed):
    J, h, Q = inputs(n, g, seed)
    t0 = time.perf_counter()
    for _ in range(transient):
        h = (1 - dt) * h + dt * (J @ np.tanh(h))
    logs = np.zeros(n)
    for t in range(1, steps + 1):
        d = 1.0 / np.cosh(h) ** 2
        Q = (1 - dt) * Q + dt * (J @ (d[:, None] * Q))
        h = (1 - dt) * h + dt * (J @ np.tanh(h))
        if t % reorth == 0 or t == steps:
            Q, R = np.linalg.qr(Q)
            r = np.diag(R)
            Q *= np.sign(r)
            logs += np.log(np.abs(r))
    seconds = time.perf_counter() - t0
    return seconds, np.sort(logs / (steps * dt))[::-1], {"numpy": np.__version__}


def run_torch(n, steps, reorth, transient, g, dt, seed):
    import torch
    J0, h0, Q0 = inputs(n, g, seed)
    J, h, Q = (torch.from_numpy(x.copy()) for x in (J0, h0, Q0))
    with torch.no_grad():
        t0 = time.perf_counter()
        for _ in range(transient):
            h = (1 - dt) * h + dt * (J @ torch.tanh(h))
        logs = torch.zeros(n, dtype=torch.float64)
        for t in range(1, steps + 1):
            d = 1.0 / torch.cosh(h) ** 2
            Q = (1 - dt) * Q + dt * (J @ (d[:, None] * Q))
            h = (1 - dt) * h + dt * (J @ torch.tanh(h))
            if t % reorth == 0 or t == steps:
                Q, R = torch.linalg.qr(Q)
                r = torch.diagonal(R)
                Q = Q * torch.sign(r)
                logs += torch.log(torch.abs(r))
        seconds = time.perf_counter() - t0
    lam = np.sort(logs.numpy() / (steps * dt))[::-1]
    return seconds, lam, {"torch": torch.__version__, "threads": torch.get_num_threads()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--library", choices=["numpy", "torch"], default="numpy")
    p.add_argument("--n", type=int, default=500)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--reorth", type=int, default=1)
    p.add_argument("--transient", type=int, default=100)
    p.add_argument("--g", type=float, default=2.0)
    p.add_argument("--dt", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    if a.library == "torch":
        try:
            import torch  # noqa: F401
        except ImportError:
            print(json.dumps({"error": "torch is not installed"}))
            sys.exit(3)
    run = run_torch if a.library == "torch" else run_numpy
    seconds, lam, versions = run(a.n, a.steps, a.reorth, a.transient, a.g, a.dt, a.seed)
    out = {"engine": a.library, **versions, "n": a.n, "steps": a.steps, "reorth": a.reorth,
           "seconds": seconds, "lambda1": float(lam[0]), "sum": float(lam.sum())}
    print(json.dumps(out) if a.json else out)


if __name__ == "__main__":
    main()
