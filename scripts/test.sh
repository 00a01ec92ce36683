#!/usr/bin/env bash
# The test command (README, .ci/run): the whole default suite, on the CPU backend and on PoCL.
# Under five minutes on a 2-core machine; the checks that take longer are the slow tier,
# scripts/test-slow.sh, which CI runs after this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Kernel caches inside the work tree: PoCL's (CLBlast compiles ~8 s per routine when cold) and ours.
export POCL_CACHE_DIR="$PWD/.pocl-cache"
export GPURUN_KERNEL_CACHE="$PWD/.gpurun-cache"
mkdir -p "$POCL_CACHE_DIR"

swift build --build-tests
swift test --skip-build
