#!/usr/bin/env python3
"""The reference side of `gpurun bench spectrum`: eigenvalues of real Ginibre matrices
(entries N(0, 1/n)) with numpy.linalg.eigvals in a Python loop, generation included, as a
numpy user would write it. Prints one JSON object on stdout.

    python3 bench/eigvals_numpy.py [--n 500] [--samples 200] [--seed 0] [--threads T]

--threads T sets OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS before numpy is
imported (default: numpy's own choice, usually one thread per core).
"""
import argparse
import json
import os
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    if args.n < 1 or args.samples < 1:
        print("--n and --samples must be at least 1", file=sys.stderr)
        return 2
    if args.threads is not None:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    try:
        import numpy as np
    except ImportError:
        print("numpy is not installed for " + sys.executable, file=sys.stderr)
        return 3

    rng = np.random.default_rng(args.seed)
    scale = 1.0 / np.sqrt(args.n)
    generate = eig = 0.0
    start = time.perf_counter()
    for _ in range(args.samples):
        t0 = time.perf_counter()
        a = rng.standard_normal((args.n, args.n)) * scale
        t1 = time.perf_counter()
        w = np.linalg.eigvals(a)
        t2 = time.perf_counter()
        generate += t1 - t0
        eig += t2 - t1
        assert w.shape == (args.n,)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "numpy": np.__version__,
        "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "n": args.n,
        "samples": args.samples,
        "seconds": seconds,
        "generateSeconds": generate,
        "eigvalsSeconds": eig,
        "secondsPerMatrix": seconds / args.samples,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
