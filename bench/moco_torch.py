#!/usr/bin/env python3
"""Reference for `gpurun bench ssl`: one MoCo v2 training step in PyTorch on the CPU, as ours
(docs/ssl.md S1-S6): the encoder is the CNN of `gpurun train --model cnn` without its final
linear layer (two [3x3 conv without bias -> BatchNorm -> ReLU -> 2x2 max pool] stages with 16
and 32 channels, Flatten, Linear 1568 -> 128, ReLU), the projection head Linear 128 -> 128,
ReLU, Linear 128 -> --dim; embeddings L2-normalised; the key encoder a copy updated by
theta_k <- m theta_k + (1 - m) theta_q (m = 0.99); InfoNCE at tau = 0.2 against a queue of
--queue unit vectors, which the keys then replace FIFO; SGD (lr 0.03, momentum 0.9, weight
decay 1e-4). Two batches of random 28x28 views; timed as ours is (a warm-up, then the median
of repeats over at least --min-seconds).

Prints one JSON object: {"seconds": per step, "notes": [...], "torch": version, "threads": n}.
Uses whatever PyTorch this Python has, with its default thread count; without PyTorch it prints
a note and "seconds": null, and exits 0.
"""
import argparse
import copy
import json
import sys

from median_time import median_time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--queue", type=int, default=4096)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--min-seconds", type=float, default=2.0)
    a = ap.parse_args()
    try:
        import torch
        from torch import nn
        import torch.nn.functional as F
    except ImportError:
        msg = f"PyTorch is not installed for {sys.executable}; skipping the PyTorch reference"
        print(msg, file=sys.stderr)
        print(json.dumps({"seconds": None, "notes": [msg], "torch": None, "threads": None}))
        return
    torch.manual_seed(1)
    query = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(),
        nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, a.dim))
    query.train()
    key = copy.deepcopy(query)
    for p in key.parameters():
        p.requires_grad = False
    queue = F.normalize(torch.randn(a.queue, a.dim), dim=1)
    state = {"ptr": 0}
    xq = torch.randn(a.batch, 1, 28, 28)
    xk = torch.randn(a.batch, 1, 28, 28)
    labels = torch.zeros(a.batch, dtype=torch.long)
    opt = torch.optim.SGD(query.parameters(), lr=0.03, momentum=0.9, weight_decay=1e-4)
    tau, m = 0.2, 0.99

    def step():
        q = F.normalize(query(xq), dim=1)
        with torch.no_grad():
            k = F.normalize(key(xk), dim=1)
        logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue.t()], dim=1) / tau
        loss = F.cross_entropy(logits, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            for pk, pq in zip(key.parameters(), query.parameters()):
                pk.mul_(m).add_(pq, alpha=1 - m)
            p, n = state["ptr"], a.batch
            first = min(n, a.queue - p)
            queue[p:p + first] = k[:first]
            if first < n:
                queue[:n - first] = k[first:]
            state["ptr"] = (p + n) % a.queue

    seconds = median_time(step, a.min_seconds)
    print(json.dumps({"seconds": seconds, "notes": [], "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
