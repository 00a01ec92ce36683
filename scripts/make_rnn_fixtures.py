#!/usr/bin/env python3
"""Writes the PyTorch GRU/LSTM fixtures that Tests/ComputeTests/ModelTests.swift reads
(MODELS.md §4-5: our GRU and LSTM follow PyTorch's convention and must reproduce it).

Run from anywhere, with torch and numpy installed:  python3 scripts/make_rnn_fixtures.py

For each of torch.nn.GRUCell and torch.nn.LSTMCell (hidden N = 6, input 4, seeded) it saves,
in Tests/ComputeTests/Fixtures/rnn/<gru|lstm>/:
  weight_ih_l0.npy, weight_hh_l0.npy, bias_ih_l0.npy, bias_hh_l0.npy  (float32; the cells'
      state_dict keys weight_ih/... saved under torch.nn.GRU/LSTM's layer-0 names),
  x.npy   [3, 2, 4] float64: the input rows of steps 1, 2, 3 (batch B = 2),
  h0.npy  [2, 6] float64 (and c0.npy for the LSTM): the initial state,
  h.npy   [3, 2, 6] float64 (and c.npy): the state after each step.
The reference steps run in float64 on the float32 weights (the cell cast with .double()), so
the fixture is exact up to float64 round-off for a float64 model loading these files.
"""
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ComputeTests", "Fixtures", "rnn")
HIDDEN, INPUT, BATCH, STEPS = 6, 4, 2, 3


def save(directory, name, array):
    np.save(os.path.join(directory, name), np.ascontiguousarray(array))


def make(kind, cell_type, seed):
    torch.manual_seed(seed)
    cell = cell_type(INPUT, HIDDEN)
    directory = os.path.join(OUT, kind)
    os.makedirs(directory, exist_ok=True)
    for key, value in cell.state_dict().items():
        save(directory, key + "_l0.npy", value.detach().numpy().astype("<f4"))
    cell = cell.double()
    x = torch.randn(STEPS, BATCH, INPUT, dtype=torch.float64)
    h = torch.randn(BATCH, HIDDEN, dtype=torch.float64)
    save(directory, "x.npy", x.numpy())
    save(directory, "h0.npy", h.numpy())
    hs, cs = [], []
    with torch.no_grad():
        if kind == "lstm":
            c = torch.randn(BATCH, HIDDEN, dtype=torch.float64)
            save(directory, "c0.npy", c.numpy())
            for t in range(STEPS):
                h, c = cell(x[t], (h, c))
                hs.append(h.numpy().copy())
                cs.append(c.numpy().copy())
            save(directory, "c.npy", np.stack(cs))
        else:
            for t in range(STEPS):
                h = cell(x[t], h)
                hs.append(h.numpy().copy())
    save(directory, "h.npy", np.stack(hs))


def main():
    make("gru", torch.nn.GRUCell, 1234)
    make("lstm", torch.nn.LSTMCell, 5678)


if __name__ == "__main__":
    main()
