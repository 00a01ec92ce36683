#!/usr/bin/env bash
# Installs what gpurun needs on Debian 12 (apt), builds the release binary and runs a real example.
set -euo pipefail
cd "$(dirname "$0")"

# The last line is for the tests: numpy for the bench references, Open MPI for `sweep --mpi`,
# Oclgrind (a GPU simulator) for the slow tier's GPU-conformance check.
packages=(ocl-icd-opencl-dev opencl-headers libclblast-dev pocl-opencl-icd clinfo
          libopenblas-dev liblapacke-dev dataset-fashion-mnist zlib1g-dev
          python3-numpy openmpi-bin libopenmpi-dev oclgrind)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
command -v swift >/dev/null || { echo "setup.sh: Swift 6 is needed (https://swift.org/install)"; exit 1; }

swift build -c release
.build/release/gpurun devices
# A real example: the full Lyapunov spectrum of a chaotic rate network (g = 3, N = 400), about
# 10-30 s on 2 cores. Writes out/rate-g3/{exponents,convergence,members}.npy and two SVG plots.
.build/release/gpurun lyapunov --model rate --n 400 --g 3 --dt 0.1 --steps 2000 --transient 500 \
    --reorth 5 --seed 1 --output out/rate-g3
