#!/usr/bin/env python3
"""Reference for `gpurun bench rnn`: the rate network's batched step and its Jacobian product
(MODELS.md §1) in numpy and, when installed, PyTorch (CPU), timed the same way as ours.

    step:     H ← (1 − δ) H + δ tanh(H) Jᵀ            (H: B × N, one network)
    jacobian: out = (1 − δ) Q + δ J (sech²(h) ⊙ Q)    (Q: N × B, B tangent vectors)

Prints one JSON object: {"results": [{"engine", "n", "b", "stepsPerSecond", "productsPerSecond"}],
"models": [PyTorch GRUCell and LSTMCell steps, as bench rnn's model rows], "notes": [...]}. Uses whatever numpy/torch this Python has.
"""
import argparse
import json

from median_time import median_time


def bench_numpy(n, b, dt):
    import numpy as np
    rng = np.random.default_rng(1)
    J = rng.standard_normal((n, n)) * (2 / np.sqrt(n))
    H = rng.standard_normal((b, n))
    Q = rng.standard_normal((n, b))
    h = H[0].copy()
    out = np.empty_like(Q)

    def step():
        nonlocal H
        H = (1 - dt) * H + dt * (np.tanh(H) @ J.T)

    def product():
        d = 1.0 / np.cosh(h) ** 2
        np.copyto(out, (1 - dt) * Q + dt * (J @ (d[:, None] * Q)))

    return (median_time(step, 0.5, 5, max_repeats=200),
            median_time(product, 0.5, 5, max_repeats=200))


def bench_torch(n, b, dt):
    import torch
    torch.manual_seed(1)
    J = torch.randn(n, n, dtype=torch.float64) * (2 / n ** 0.5)
    H = torch.randn(b, n, dtype=torch.float64)
    Q = torch.randn(n, b, dtype=torch.float64)
    h = H[0].clone()

    def step():
        nonlocal H
        with torch.no_grad():
            H = (1 - dt) * H + dt * (torch.tanh(H) @ J.T)

    def product():
        with torch.no_grad():
            d = 1.0 / torch.cosh(h) ** 2
            return (1 - dt) * Q + dt * (J @ (d[:, None] * Q))

    return (median_time(step, 0.5, 5, max_repeats=200),
            median_time(product, 0.5, 5, max_repeats=200))


def bench_torch_cells(n, b):
    """PyTorch's GRUCell and LSTMCell stepping B states of N units (float64, no input: a zero
    input of width 1), the counterparts of our fused GRU and LSTM steps (docs/models.md)."""
    import torch
    torch.manual_seed(1)
    out = []
    for name, cell, gates in (("gru", torch.nn.GRUCell, 3), ("lstm", torch.nn.LSTMCell, 4)):
        c = cell(1, n).double()
        x = torch.zeros(b, 1, dtype=torch.float64)
        state = [torch.randn(b, n, dtype=torch.float64)]
        if name == "lstm":
            state.append(torch.randn(b, n, dtype=torch.float64))

        def step():
            with torch.no_grad():
                if name == "gru":
                    state[0] = c(x, state[0])
                else:
                    state[0], state[1] = c(x, (state[0], state[1]))

        t = median_time(step, 0.3, 5, max_repeats=200)
        out.append({"engine": "torch", "model": name, "path": "torch " + cell.__name__, "n": n, "b": b,
                    "launchesPerStep": 0, "stepsPerSecond": 1 / t, "gemmFlopsPerStep": gates * 2.0 * b * n * n})
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="256,512,1024,2048")
    p.add_argument("--batches", default="1,8,64")
    p.add_argument("--dt", type=float, default=0.1)
    a = p.parse_args()
    results, models, notes = [], [], []
    engines = [("numpy", bench_numpy)]
    try:
        import torch  # noqa: F401
        engines.append(("torch", bench_torch))
    except ImportError:
        notes.append("PyTorch is not installed for this Python: skipped")
    for n in map(int, a.sizes.split(",")):
        for b in map(int, a.batches.split(",")):
            for name, fn in engines:
                ts, tp = fn(n, b, a.dt)
                results.append({"engine": name, "n": n, "b": b, "stepsPerSecond": 1 / ts, "productsPerSecond": 1 / tp})
                if name == "torch":
                    models += bench_torch_cells(n, b)
    print(json.dumps({"results": results, "models": models, "notes": notes}))


if __name__ == "__main__":
    main()
