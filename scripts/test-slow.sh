#!/usr/bin/env bash
# The slow tier (README, "Slow tier"; CI runs it after scripts/test.sh). Each step runs even when
# an earlier one failed; a table of results at the end; exits non-zero when any step failed.
#   1. slow tests: CNN training accuracy on Fashion-MNIST, theory against simulations at large N
#   2. the release binary (static Swift runtime) carries its kernels: run it with .build hidden
#   3. a scratch package that depends on this one calls the libraries (examples/LibraryExample)
#   4. the GPU bring-up bundle, rehearsed on PoCL in a clean environment
#   5. GPU conformance: validate under Oclgrind with NVIDIA- and AMD-like limits (scripts/oclgrind-check.sh)
set -uo pipefail
cd "$(dirname "$0")/.."
export POCL_CACHE_DIR="$PWD/.pocl-cache"
export GPURUN_KERNEL_CACHE="$PWD/.gpurun-cache"
mkdir -p "$POCL_CACHE_DIR"

results=()
step() {  # step NAME COMMAND...
    local name=$1; shift
    local start=$SECONDS
    echo "== slow tier: $name"
    if "$@"; then results+=("ok    $name ($((SECONDS - start)) s)")
    else results+=("FAIL  $name ($((SECONDS - start)) s)"); fi
}

slow_tests() {
    swift build --build-tests &&
        GPURUN_SLOW_TESTS=1 swift test --skip-build --filter 'TrainingAccuracyTests|TheorySimulationTests'
}

release_build() { swift build -c release --static-swift-stdlib; }

relocated_binary() {
    local bin tmp
    bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/gpurun"
    tmp=$(mktemp -d)
    cp "$bin" "$tmp/"
    mv .build .build-hidden-for-relocation-check
    (cd "$tmp" && ./gpurun devices >/dev/null && ./gpurun validate --only philox)
    local rc=$?
    mv .build-hidden-for-relocation-check .build
    rm -rf "$tmp"
    return $rc
}

step "slow tests" slow_tests
step "release build" release_build
step "relocated release binary" relocated_binary
step "library use" scripts/test-library-use.sh
step "GPU bundle on PoCL" scripts/test-gpu-bundle.sh --skip-build
step "GPU conformance under Oclgrind" scripts/oclgrind-check.sh "$(swift build -c release --static-swift-stdlib --show-bin-path)/gpurun"

echo "== slow tier summary"
printf '%s\n' "${results[@]}"
! printf '%s\n' "${results[@]}" | grep -q '^FAIL'
