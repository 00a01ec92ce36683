#!/usr/bin/env bash
# The test command (README, .ci/run): the whole suite on the CPU backend and on PoCL, then a
# check that a copied release binary runs with the build folder gone.
set -euo pipefail
cd "$(dirname "$0")/.."

# Kernel caches inside the work tree: PoCL's (CLBlast compiles ~8 s per routine when cold) and ours.
export POCL_CACHE_DIR="$PWD/.pocl-cache"
export GPURUN_KERNEL_CACHE="$PWD/.gpurun-cache"
mkdir -p "$POCL_CACHE_DIR"

swift build --build-tests
swift test --skip-build

# The release binary carries its kernels: copy it out, hide the build folder, run it.
swift build -c release
tmp=$(mktemp -d)
cp .build/release/gpurun "$tmp/"
mv .build .build-hidden-for-relocation-check
trap 'mv .build-hidden-for-relocation-check .build 2>/dev/null || true; rm -rf "$tmp"' EXIT
(cd "$tmp" && ./gpurun devices >/dev/null && ./gpurun validate --only philox)
echo "relocated release binary: ok"
