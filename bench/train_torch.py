#!/usr/bin/env python3
"""Reference for `gpurun bench train`: forward, cross-entropy loss and backward of the CNN of
`gpurun train --model cnn` (two [3x3 conv without bias -> BatchNorm -> ReLU -> 2x2 max pool]
stages with 16 and 32 channels, then Linear 1568 -> 128 -> ReLU -> 10) on a batch of random
28x28 images in PyTorch on the CPU, in training mode, timed as ours is (a warm-up, then the
median of repeats over at least --min-seconds).

Prints one JSON object: {"seconds": per batch, "notes": [...], "torch": version, "threads": n}.
Uses whatever PyTorch this Python has, with its default thread count; without PyTorch it
prints a note and "seconds": null, and exits 0.
"""
import argparse
import json
import sys

from median_time import median_time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--min-seconds", type=float, default=2.0)
    a = ap.parse_args()
    try:
        import torch
        from torch import nn
    except ImportError:
        msg = f"PyTorch is not installed for {sys.executable}; skipping the PyTorch reference"
        print(msg, file=sys.stderr)
        print(json.dumps({"seconds": None, "notes": [msg], "torch": None, "threads": None}))
        return
    torch.manual_seed(1)
    net = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    net.train()
    x = torch.randn(a.batch, 1, 28, 28)
    y = torch.arange(a.batch) % 10
    loss_fn = nn.CrossEntropyLoss()

    def step():
        net.zero_grad(set_to_none=True)
        loss_fn(net(x), y).backward()

    print(json.dumps({"seconds": median_time(step, a.min_seconds), "notes": [], "torch": torch.__version__,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
