#!/usr/bin/env bash
# GPU bring-up check, run from the bundle scripts/gpu-bundle.sh makes, on the target machine:
#
#   bash gpu-bundle/gpu-check.sh [OUTDIR]       (OUTDIR default: $OUT, else ./gpu-check-out)
#   bash gpu-bundle/gpu-check.sh --unpack DIR   (only unpack gpurun and lib/ into DIR)
#
# Unpacks the bundled gpurun and its libraries into a temporary folder, writes an ICD file for
# the NVIDIA driver's OpenCL library into a private vendors folder (OCL_ICD_VENDORS), then runs
# each step under its own `timeout`, going on past failures: devices, validate, tune gemm
# (f32, f64), bench matmul (f32, f64, up to 8192, ours against CLBlast and OpenBLAS), bench
# lyapunov at N = 1024, 2048, 4096, bench rnn, bench conv, bench train, one spectrum ensemble.
# Each step's stdout goes to OUTDIR/<step>.json, its stderr to OUTDIR/logs/<step>.log; then
# OUTDIR/summary.md (one page), OUTDIR/steps.tsv and OUTDIR/steps.json. All steps together stay
# under GPU_CHECK_DEADLINE seconds (465: under 8 minutes).
#
# Environment (all optional):
#   GPU_CHECK_ICD=FILE       use this ICD file instead of searching for the NVIDIA library
#   GPU_CHECK_DEVICE=SPEC    the device for every step (default: the first GPU `gpurun devices`
#                            lists, else the first OpenCL device, else opencl:0)
#   GPU_CHECK_QUICK=1        small sizes everywhere (the local PoCL test)
#   GPU_CHECK_QR=LIST        bench lyapunov --qr (default householder,cholesky2)
#   GPU_CHECK_REFERENCES=0   skip the Python reference scripts (default: run them if python3 is found)
#   GPU_CHECK_REF_MAX_N=N    bench lyapunov: numpy reference only up to this N (default 2048)
#   GPU_CHECK_DEADLINE=S     seconds for all steps together (default 465; 1500 with QUICK)
#   GPU_CHECK_CACHE=DIR      keep the PoCL and gpurun kernel caches here (default: the temp folder)
#   GPU_CHECK_KEEP=1         keep the temporary folder
# Exit status: 0 when every step exited 0 with parseable JSON, else 1.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

unpack() {  # unpack DIR: gpurun and lib/*.so.N from the bundle's .gz files
    local dest=$1 f
    mkdir -p "$dest/lib" || return 1
    for f in "$HERE"/lib/*.gz; do gzip -dc "$f" > "$dest/lib/$(basename "$f" .gz)" || return 1; done
    gzip -dc "$HERE/gpurun.gz" > "$dest/gpurun" && chmod +x "$dest/gpurun"
}

if [ "${1:-}" = "--unpack" ]; then
    [ -n "${2:-}" ] || { echo "usage: gpu-check.sh --unpack DIR" >&2; exit 2; }
    unpack "$2"; exit $?
fi
case "${1:-}" in -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
T0=$(now)

OUTDIR=${1:-${OUT:-$PWD/gpu-check-out}}
mkdir -p "$OUTDIR/logs" || { echo "gpu-check: cannot create $OUTDIR" >&2; exit 2; }
OUTDIR=$(cd "$OUTDIR" && pwd)
rm -f "$OUTDIR"/*.json "$OUTDIR/steps.tsv" "$OUTDIR/summary.md" "$OUTDIR"/logs/*.log

RT=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")
[ "${GPU_CHECK_KEEP:-0}" = 1 ] || trap 'rm -rf "$RT"' EXIT
say() { echo "gpu-check: $*"; echo "$*" >> "$RT/found.txt"; }

echo "gpu-check: bundle $HERE, output $OUTDIR"
unpack "$RT" || { echo "gpu-check: cannot unpack the bundle into $RT" >&2; exit 2; }
GPURUN="$RT/gpurun"

QUICK=${GPU_CHECK_QUICK:-0}
[ "$QUICK" = 1 ] && DEADLINE=${GPU_CHECK_DEADLINE:-1500} || DEADLINE=${GPU_CHECK_DEADLINE:-465}

# Caches somewhere writable even under env -i.
CACHE=${GPU_CHECK_CACHE:-$RT/cache}
export POCL_CACHE_DIR="$CACHE/pocl" GPURUN_KERNEL_CACHE="$CACHE/gpurun" CUDA_CACHE_PATH="$CACHE/nv"
mkdir -p "$POCL_CACHE_DIR" "$GPURUN_KERNEL_CACHE" "$CUDA_CACHE_PATH"
[ -n "${HOME:-}" ] || export HOME="$RT/home"

# --- The OpenCL driver: an ICD file in a private vendors folder --------------------------------
VENDORS="$RT/vendors"
mkdir -p "$VENDORS"
driver_dir=""
if [ -n "${GPU_CHECK_ICD:-}" ]; then
    if [ -f "$GPU_CHECK_ICD" ]; then
        cp "$GPU_CHECK_ICD" "$VENDORS/"
        say "ICD (GPU_CHECK_ICD): $GPU_CHECK_ICD -> $(head -1 "$GPU_CHECK_ICD")"
    else
        say "ICD: GPU_CHECK_ICD=$GPU_CHECK_ICD does not exist; no OpenCL driver"
    fi
else
    found=()
    for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
        for f in "$d"/libnvidia-opencl.so.1 "$d"/libnvidia-opencl.so.[0-9]*; do [ -e "$f" ] && found+=("$f"); done
    done
    LDCONFIG=$(command -v ldconfig || ls /sbin/ldconfig /usr/sbin/ldconfig 2>/dev/null | head -1)
    if [ -n "$LDCONFIG" ]; then
        while read -r f; do [ -e "$f" ] && found+=("$f"); done < <("$LDCONFIG" -p 2>/dev/null | awk '/libnvidia-opencl\.so/ && /x86-64/ { print $NF }')
    fi
    for d in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
        for f in "$d"/libnvidia-opencl.so.1 "$d"/libnvidia-opencl.so.[0-9]*; do [ -e "$f" ] && found+=("$f"); done
    done
    for f in /etc/OpenCL/vendors/*.icd; do [ -f "$f" ] && say "system ICD $f: $(head -1 "$f")"; done
    if [ ${#found[@]} -gt 0 ]; then
        seen=" "
        for f in "${found[@]}"; do case "$seen" in *" $f "*) ;; *) say "found $f"; seen+="$f " ;; esac; done
        lib=${found[0]}
        echo "$lib" > "$VENDORS/nvidia.icd"
        driver_dir=$(dirname "$lib")
        say "ICD: $VENDORS/nvidia.icd -> $lib"
    else
        say "ICD: no libnvidia-opencl.so found (searched /usr/local/nvidia, ldconfig -p, /usr/lib/x86_64-linux-gnu, /usr/lib64); OpenCL steps will fail"
    fi
fi
export OCL_ICD_VENDORS="$VENDORS" OPENCL_VENDOR_PATH="$VENDORS"
# Only the bundle's libraries (and the driver's folder, for libcuda next to libnvidia-opencl).
LD_LIBRARY_PATH="$RT/lib${driver_dir:+:$driver_dir}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
say "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
if command -v nvidia-smi >/dev/null 2>&1; then
    while read -r l; do say "nvidia-smi: $l"; done < <(timeout 15 nvidia-smi -L 2>&1 | head -8)
fi

# --- Python for the reference scripts ----------------------------------------------------------
PY=$(command -v python3 || true)
REFS=${GPU_CHECK_REFERENCES:-1}
NOREF="$RT/no-reference"
printf '#!/bin/sh\necho "reference skipped by gpu-check.sh (%s)" >&2\nexit 3\n' \
    "no python3, GPU_CHECK_REFERENCES=0 or N above GPU_CHECK_REF_MAX_N" > "$NOREF"
chmod +x "$NOREF"
if [ -n "$PY" ]; then
    say "python3: $PY ($("$PY" --version 2>&1)); numpy $(timeout 30 "$PY" -c 'import numpy; print(numpy.__version__)' 2>/dev/null || echo missing); torch $(timeout 20 "$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo missing)"
    JSONCHECK="python3 -m json.tool"
else
    say "python3: not found; reference columns will be missing, JSON checked by shape only (non-empty, {...} or [...])"
    REFS=0
    JSONCHECK="shape only (no python3): non-empty, starts with { or [, ends with } or ]"
fi
[ "$REFS" = 1 ] && REFPY=python3 || REFPY=$NOREF
REF_MAX_N=${GPU_CHECK_REF_MAX_N:-2048}

# --- Steps -------------------------------------------------------------------------------------
printf 'step\trc\tseconds\tjson\ttimeout_s\tcommand\n' > "$OUTDIR/steps.tsv"
json_ok() {  # json_ok FILE -> yes / no
    local f=$1
    [ -s "$f" ] || { echo no; return; }
    if [ -n "$PY" ]; then
        "$PY" -m json.tool "$f" >/dev/null 2>&1 && echo yes || echo no
    else
        local first last
        first=$(tr -d ' \t\r\n' < "$f" | head -c 1)
        last=$(tr -d ' \t\r\n' < "$f" | tail -c 1)
        case "$first$last" in "{}"|"[]") echo yes ;; *) echo no ;; esac
    fi
}
shown() {  # the command as the summary shows it: gpurun for the unpacked binary, bundle/ for $HERE
    local s="" a
    for a in "$@"; do
        if [[ "$a" =~ ^[A-Za-z0-9_./:,=+@%-]+$ ]]; then s+="$a "; elif [[ "$a" != *"'"* ]]; then s+="'$a' "; else s+="$(printf '%q' "$a") "; fi
    done
    s=${s//"$GPURUN"/gpurun}; s=${s//"$HERE"/bundle}; s=${s//"$NOREF"/no-reference}; s=${s//"$OUTDIR"/OUTDIR}
    echo "${s% }"
}
STEP_I=0
run_step() {  # run_step NAME TIMEOUT CMD...
    local name=$1 limit=$2 t left rc s j cmd
    shift 2
    STEP_I=$((STEP_I + 1))
    cmd=$(shown "$@")
    left=$(awk -v d="$DEADLINE" -v e="$(elapsed "$T0")" 'BEGIN { printf "%d", d - e - 2 }')
    t=$limit; [ "$left" -lt "$t" ] && t=$left
    if [ "$t" -lt 5 ]; then
        echo "== $STEP_I $name: skipped (deadline of ${DEADLINE}s reached)"
        printf '%s\tskipped\t0\tno\t0\t%s\n' "$name" "$cmd" >> "$OUTDIR/steps.tsv"
        return
    fi
    echo "== $STEP_I $name (timeout ${t}s): $cmd"
    local t1; t1=$(now)
    timeout -k 5 "$t" "$@" > "$OUTDIR/$name.json" 2> "$OUTDIR/logs/$name.log" < /dev/null
    rc=$?
    s=$(elapsed "$t1")
    j=$(json_ok "$OUTDIR/$name.json")
    # The benches skip an engine they cannot open and still exit 0: ask for the device's rows.
    case "$name" in bench-rnn|bench-conv|bench-train|bench-lyapunov-*)
        [ "$j" = yes ] && ! grep -q '"engine" *: *"opencl' "$OUTDIR/$name.json" && j=no-device-rows ;;
    esac
    [ "$rc" = 124 ] || [ "$rc" = 137 ] && echo "   timed out after ${t}s" >> "$OUTDIR/logs/$name.log"
    echo "   rc $rc, ${s}s, JSON $j"
    if [ "$rc" != 0 ] || [ "$j" != yes ]; then tail -n 3 "$OUTDIR/logs/$name.log" | sed 's/^/   | /'; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rc" "$s" "$j" "$t" "$cmd" >> "$OUTDIR/steps.tsv"
}

run_step devices 15 "$GPURUN" devices --json
if [ -n "${GPU_CHECK_DEVICE:-}" ]; then
    DEV=$GPU_CHECK_DEVICE
    say "device: $DEV (GPU_CHECK_DEVICE)"
else
    DEV=$(sed -n 's/.*"defaultDevice" *: *"\(opencl:[0-9][0-9]*\).*/\1/p' "$OUTDIR/devices.json" | head -1)
    if [ -n "$DEV" ]; then
        say "device: $DEV (the first GPU: $(sed -n 's/.*"defaultDevice" *: *"\(.*\)".*/\1/p' "$OUTDIR/devices.json" | head -1))"
    else
        idx=$(sed -n 's/^ *"index" *: *\([0-9][0-9]*\).*/\1/p' "$OUTDIR/devices.json" | head -1)
        DEV=opencl:${idx:-0}
        if [ -n "$idx" ]; then say "device: $DEV (no GPU-type OpenCL device; the first OpenCL device)"
        else say "device: $DEV (no OpenCL device listed; the OpenCL steps will fail)"; fi
    fi
fi
QR=${GPU_CHECK_QR:-householder,cholesky2}
B="$HERE/bench"

if [ "$QUICK" = 1 ]; then
    say "mode: quick (GPU_CHECK_QUICK=1): small sizes"
    VALIDATE=(--only philox); TV=120
    TUNE_BUDGET=5; TT=40
    MM_SIZES=256,512; TM=120
    LY_NS=(32 64 128); LY_STEPS=10; TL=90
    RNN=(--sizes 64,128 --batches 1,8); TR=120
    CONV=(--layers "c3x3:4,8,16,16,8,3,1,1,1,1;dw3x3:4,8,16,16,8,3,1,1,1,8" --min-seconds 0.2); TC=180
    TRAIN=(--batch 8 --min-seconds 0.3); TTR=180
    SPEC=(--n 64 --samples 4); TS=60
else
    say "mode: full (H200 sizes), all steps within ${DEADLINE}s"
    VALIDATE=(); TV=70
    TUNE_BUDGET=25; TT=40
    MM_SIZES=1024,2048,4096,8192; TM=40
    LY_NS=(1024 2048 4096); LY_STEPS=20; TL=30
    RNN=(--sizes 256,1024,4096 --batches 1,64); TR=25
    CONV=(--batch 64 --min-seconds 0.5); TC=30
    TRAIN=(--batch 128 --min-seconds 1); TTR=25
    SPEC=(--n 1024 --samples 32); TS=20
fi

run_step validate "$TV" "$GPURUN" validate --device "$DEV" ${VALIDATE[@]+"${VALIDATE[@]}"} --json
for dt in f32 f64; do
    run_step "tune-gemm-$dt" "$TT" "$GPURUN" tune gemm --device "$DEV" --dtype "$dt" --budget "$TUNE_BUDGET" --json
done
for dt in f32 f64; do
    run_step "bench-matmul-$dt" "$TM" "$GPURUN" bench matmul --device "$DEV" --dtype "$dt" --sizes "$MM_SIZES" --json
done
for n in "${LY_NS[@]}"; do
    py=$REFPY; [ "$n" -gt "$REF_MAX_N" ] && py=$NOREF
    # The largest N gets the time the smaller ones leave (a third more than its share).
    t=$TL; [ "$n" = "${LY_NS[2]}" ] && t=$((TL * 4 / 3))
    run_step "bench-lyapunov-n$n" "$t" "$GPURUN" bench lyapunov --engines "$DEV" --sizes "$n" --steps "$LY_STEPS" \
        --reorth 1,10 --qr "$QR" --reference-script "$B/lyapunov_reference.py" --python "$py" --json
done
run_step bench-rnn "$TR" "$GPURUN" bench rnn --engines "$DEV" "${RNN[@]}" \
    --reference-script "$B/rnn_reference.py" --python "$REFPY" --json
run_step bench-conv "$TC" "$GPURUN" bench conv --engines "$DEV" "${CONV[@]}" \
    --torch-script "$B/conv_torch.py" --python "$REFPY" --json
run_step bench-train "$TTR" "$GPURUN" bench train --engines "$DEV" "${TRAIN[@]}" \
    --reference-script "$B/train_torch.py" --python "$REFPY" --json
run_step spectrum "$TS" "$GPURUN" spectrum --ensemble ginibre "${SPEC[@]}" --device "$DEV" \
    --output "$OUTDIR/spectrum" --json

# --- Summary -----------------------------------------------------------------------------------
total=$(elapsed "$T0")
ok=0 bad=0
while IFS=$'\t' read -r name rc s j t cmd; do
    [ "$name" = step ] && continue
    if [ "$rc" = 0 ] && [ "$j" = yes ]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
done < "$OUTDIR/steps.tsv"

esc() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '%s' "$s"; }
{
    printf '{\n  "device": "%s",\n  "quick": %s,\n  "seconds": %s,\n  "jsonCheck": "%s",\n  "passed": %d,\n  "failed": %d,\n  "steps": [\n' \
        "$(esc "$DEV")" "$([ "$QUICK" = 1 ] && echo true || echo false)" "$total" "$(esc "$JSONCHECK")" "$ok" "$bad"
    first=1
    while IFS=$'\t' read -r name rc s j t cmd; do
        [ "$name" = step ] && continue
        [ "$first" = 1 ] || printf ',\n'
        first=0
        printf '    {"name": "%s", "exit": "%s", "seconds": %s, "json": %s, "timeout": %s, "command": "%s"}' \
            "$name" "$rc" "$s" "$([ "$j" = yes ] && echo true || echo false)" "$t" "$(esc "$cmd")"
    done < "$OUTDIR/steps.tsv"
    printf '\n  ]\n}\n'
} > "$OUTDIR/steps.json"

{
    echo "# gpu-check: $ok passed, $bad failed ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -n), ${total}s)"
    echo
    sed -n '1,2p' "$HERE/MANIFEST.txt" 2>/dev/null | sed 's/^/    /'
    sed 's/^/    /' "$RT/found.txt"
    echo "    JSON check: $JSONCHECK"
    echo
    printf '| %-20s | %-7s | %7s | %-4s | %s\n' step exit seconds json command
    printf '|%s|%s|%s|%s|%s\n' ---------------------- --------- --------- ------ ---------
    while IFS=$'\t' read -r name rc s j t cmd; do
        [ "$name" = step ] && continue
        [ "$rc" = 124 ] || [ "$rc" = 137 ] && rc="$rc(t/o)"
        printf '| %-20s | %-7s | %7s | %-4s | %s\n' "$name" "$rc" "$s" "$j" "$cmd"
    done < "$OUTDIR/steps.tsv"
    if [ "$bad" -gt 0 ]; then
        echo
        echo "Failures (the error line, else the last line, of logs/<step>.log):"
        while IFS=$'\t' read -r name rc s j t cmd; do
            [ "$name" = step ] && continue
            [ "$rc" = 0 ] && [ "$j" = yes ] && continue
            why=$(grep -m 1 'Error:' "$OUTDIR/logs/$name.log" 2>/dev/null)
            [ -n "$why" ] || why=$(grep -v '^ *$' "$OUTDIR/logs/$name.log" 2>/dev/null | tail -n 1)
            echo "  $name (exit $rc): $(echo "$why" | cut -c1-200)"
        done < "$OUTDIR/steps.tsv"
    fi
} > "$OUTDIR/summary.md"
echo
cat "$OUTDIR/summary.md"
[ "$bad" = 0 ]
