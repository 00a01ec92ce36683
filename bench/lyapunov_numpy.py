#!/usr/bin/env python3
"""Reference: the same QR (Benettin) algorithm as `gpurun lyapunov` for the rate network
(MODELS.md §1), in numpy, timed. Used by `gpurun bench lyapunov`; runs on whatever numpy the
user's Python has.

    python3 bench/lyapunov_numpy.py --n 500 --steps 2000 --reorth 1 [--transient 100] [--json]
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


def run(n, steps, reorth, transient, g, dt, seed):
    rng = np.random.default_rng(seed)
    J = rng.standard_normal((n, n)) * (g / np.sqrt(n))
    np.fill_diagonal(J, 0.0)
    h = rng.standard_normal(n)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
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
    lam = np.sort(logs / (steps * dt))[::-1]
    return seconds, lam


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=500)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--reorth", type=int, default=1)
    p.add_argument("--transient", type=int, default=100)
    p.add_argument("--g", type=float, default=2.0)
    p.add_argument("--dt", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    seconds, lam = run(a.n, a.steps, a.reorth, a.transient, a.g, a.dt, a.seed)
    out = {"engine": "numpy", "numpy": np.__version__, "n": a.n, "steps": a.steps, "reorth": a.reorth,
           "seconds": seconds, "lambda1": float(lam[0]), "sum": float(lam.sum())}
    print(json.dumps(out) if a.json else out)


if __name__ == "__main__":
    main()
