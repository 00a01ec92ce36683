#!/usr/bin/env python3
"""Reference for `gpurun bench conv`: conv2d forward and forward + backward (gradients of the
input, the weight and the bias) in PyTorch on the CPU, timed the way ours is (a warm-up, then
the median of repeats over at least --min-seconds).

    --layers "name:N,C,H,W,O,k,stride,padding,dilation,groups;..."   (square kernels, NCHW)

Prints one JSON object: {"results": [{"name", "forwardMs", "totalMs"}], "notes": [...],
"torch": version, "threads": n}. Uses whatever PyTorch this Python has, with its default
thread count; without PyTorch it prints a note, an empty result list, and exits 0.
"""
import argparse
import json
import sys

from median_time import median_time


def parse(spec):
    layers = []
    for item in filter(None, spec.split(";")):
        name, dims = item.split(":")
        n, c, h, w, o, k, s, p, d, g = (int(v) for v in dims.split(","))
        layers.append((name, n, c, h, w, o, k, s, p, d, g))
    return layers


def bench(torch, layer, dtype, min_seconds):
    name, n, c, h, w, o, k, s, p, d, g = layer
    F = torch.nn.functional
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(n, c, h, w, dtype=dtype, generator=gen, requires_grad=True)
    wt = torch.randn(o, c // g, k, k, dtype=dtype, generator=gen, requires_grad=True)
    b = torch.randn(o, dtype=dtype, generator=gen, requires_grad=True)
    with torch.no_grad():
        dy = torch.randn_like(F.conv2d(x, wt, b, s, p, d, g))

    def forward():
        with torch.no_grad():
            F.conv2d(x, wt, b, s, p, d, g)

    def total():
        x.grad = wt.grad = b.grad = None
        F.conv2d(x, wt, b, s, p, d, g).backward(dy)

    return {"name": name, "forwardMs": 1e3 * median_time(forward, min_seconds),
            "totalMs": 1e3 * median_time(total, min_seconds)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", required=True)
    ap.add_argument("--dtype", default="f32", choices=["f32", "f64"])
    ap.add_argument("--min-seconds", type=float, default=1.0)
    a = ap.parse_args()
    try:
        import torch
    except ImportError:
        msg = f"PyTorch is not installed for {sys.executable}; skipping the PyTorch reference"
        print(msg, file=sys.stderr)
        print(json.dumps({"results": [], "notes": [msg], "torch": None, "threads": None}))
        return
    dtype = torch.float32 if a.dtype == "f32" else torch.float64
    results = [bench(torch, layer, dtype, a.min_seconds) for layer in parse(a.layers)]
    print(json.dumps({"results": results, "notes": [], "torch": torch.__version__,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
