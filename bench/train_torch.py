#!/usr/bin/env python3
"""Reference for `gpurun bench train`: training steps of the CNN of `gpurun train --model cnn`
(two [3x3 conv without bias -> BatchNorm -> ReLU -> 2x2 max pool] stages with 16 and 32
channels, then Linear 1568 -> 128 -> ReLU -> 10) on a batch of random 28x28 images in PyTorch on
the CPU, in training mode, timed as ours is (a warm-up, then the median of repeats over at least
--min-seconds). The steps (--steps, comma-separated):
  fwd+bwd     forward, cross-entropy loss and backward;
  adam        the same and torch.optim.Adam(lr=1e-3).step();
  masked-sgd  the same and an SGD step (lr 0.01, momentum 0.9) through masks that prune half of
              the conv and linear weights by global magnitude: grad *= mask, step, weight *= mask.

Prints one JSON object: {"times": {step: seconds per batch}, "notes": [...], "torch": version,
"threads": n}. Uses whatever PyTorch this Python has, with its default thread count; without
PyTorch it prints a note and "times": null, and exits 0.
"""
import argparse
import json
import sys

from median_time import median_time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--min-seconds", type=float, default=2.0)
    ap.add_argument("--steps", default="fwd+bwd")
    a = ap.parse_args()
    try:
        import torch
        from torch import nn
    except ImportError:
        msg = f"PyTorch is not installed for {sys.executable}; skipping the PyTorch reference"
        print(msg, file=sys.stderr)
        print(json.dumps({"times": None, "notes": [msg], "torch": None, "threads": None}))
        return
    torch.manual_seed(1)

    def make():
        net = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
        net.train()
        return net

    x = torch.randn(a.batch, 1, 28, 28)
    y = torch.arange(a.batch) % 10
    loss_fn = nn.CrossEntropyLoss()

    def fwd_bwd(net):
        net.zero_grad(set_to_none=True)
        loss_fn(net(x), y).backward()

    def timed(name):
        net = make()
        if name == "fwd+bwd":
            return median_time(lambda: fwd_bwd(net), a.min_seconds)
        if name == "adam":
            opt = torch.optim.Adam(net.parameters(), lr=1e-3)

            def step():
                fwd_bwd(net)
                opt.step()
            return median_time(step, a.min_seconds)
        if name == "masked-sgd":
            weights = [m.weight for m in net if isinstance(m, (nn.Conv2d, nn.Linear))]
            flat = torch.cat([w.detach().abs().flatten() for w in weights])
            threshold = flat.kthvalue(int(round(0.5 * flat.numel()))).values
            masks = [(w.detach().abs() > threshold).float() for w in weights]
            with torch.no_grad():
                for w, m in zip(weights, masks):
                    w.mul_(m)
            opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

            def step():
                fwd_bwd(net)
                for w, m in zip(weights, masks):
                    w.grad.mul_(m)
                opt.step()
                with torch.no_grad():
                    for w, m in zip(weights, masks):
                        w.mul_(m)
            return median_time(step, a.min_seconds)
        raise SystemExit(f"unknown step {name}")

    times = {name: timed(name) for name in a.steps.split(",")}
    print(json.dumps({"times": times, "notes": [], "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
