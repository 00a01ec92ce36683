#!/usr/bin/env bash
# Builds and runs examples/LibraryExample, a package that depends on this one by path (as a
# user's project would) and calls the libraries: a rate network's 10 leading Lyapunov
# exponents and one MLP training step. Fails if SwiftPM refuses the dependency.
set -euo pipefail
cd "$(dirname "$0")/../examples/LibraryExample"
out=$(swift run 2>&1) || { echo "$out"; echo "library use: 0 passed, 1 failed"; exit 1; }
echo "$out" | tail -2
echo "$out" | grep -q "^λ1…λ10:" && echo "$out" | grep -q "^MLP loss after one step:" \
    || { echo "library use: 0 passed, 1 failed"; exit 1; }
echo "library use: 1 passed, 0 failed"
