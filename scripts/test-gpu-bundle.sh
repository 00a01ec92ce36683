#!/usr/bin/env bash
# Tests the GPU bring-up bundle here, without a GPU: builds it (scripts/gpu-bundle.sh), checks
# its size and that the bundled gpurun resolves every non-base library from the bundle, then runs
# it the way the target will, in a clean environment, on PoCL with small sizes:
#
#   env -i PATH=/usr/bin:/bin HOME=$tmp GPU_CHECK_ICD=/etc/OpenCL/vendors/pocl.icd GPU_CHECK_QUICK=1 \
#       ./gpu-bundle/gpu-check.sh OUTDIR
#
# and checks that every step ran, exited 0 and left one parseable JSON file in OUTDIR.
#
#   scripts/test-gpu-bundle.sh [--reuse] [--skip-build] [--keep]
#     --reuse       use gpu-bundle/ as it is (no scripts/gpu-bundle.sh)
#     --skip-build  scripts/gpu-bundle.sh --skip-build (reuse the release binary)
#     --keep        keep the temporary folder (OUTDIR, logs)
# Ends with `gpu bundle: N passed, M failed`; exits non-zero when anything failed.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
reuse=0 keep=0 bundle_args=()
for a in "$@"; do
    case "$a" in
        --reuse) reuse=1 ;;
        --skip-build) bundle_args+=(--skip-build) ;;
        --keep) keep=1 ;;
        *) echo "test-gpu-bundle: unknown argument $a" >&2; exit 2 ;;
    esac
done
BUNDLE="$ROOT/gpu-bundle"
ICD=/etc/OpenCL/vendors/pocl.icd
STEPS=(devices validate tune-gemm-f32 tune-gemm-f64 bench-matmul-f32 bench-matmul-f64
       bench-lyapunov-n32 bench-lyapunov-n64 bench-lyapunov-n128 bench-rnn bench-conv bench-train spectrum)

tmp=$(mktemp -d)
[ "$keep" = 1 ] && echo "test-gpu-bundle: keeping $tmp" || trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
rows=()
row() {  # row CHECK RESULT DETAIL
    rows+=("$(printf '%-22s %-5s %s' "$1" "$2" "$3")")
    if [ "$2" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

if [ "$reuse" = 0 ]; then
    if ! scripts/gpu-bundle.sh ${bundle_args[@]+"${bundle_args[@]}"}; then
        echo "test-gpu-bundle: scripts/gpu-bundle.sh failed"; echo "gpu bundle: 0 passed, 1 failed"; exit 1
    fi
fi
[ -f "$BUNDLE/gpu-check.sh" ] || { echo "test-gpu-bundle: no bundle at $BUNDLE"; echo "gpu bundle: 0 passed, 1 failed"; exit 1; }

# Size: under 64 MiB.
size=$(du -sb "$BUNDLE" | cut -f1)
[ "$size" -lt $((64 * 1024 * 1024)) ] && r=ok || r=FAIL
row "bundle size" "$r" "$((size / 1024 / 1024)) MiB ($size bytes), limit 64 MiB"

# No symlinks (a copy of the work tree may drop them) and the files gpu-check.sh needs.
links=$(find "$BUNDLE" -type l | wc -l)
missing=""
for f in gpu-check.sh gpurun.gz MANIFEST.txt lib/libOpenCL.so.1.gz lib/libclblast.so.1.gz lib/libopenblas.so.0.gz \
         lib/liblapacke.so.3.gz lib/libz.so.1.gz lib/libgfortran.so.5.gz lib/libquadmath.so.0.gz \
         bench/lyapunov_reference.py bench/rnn_reference.py bench/conv_torch.py bench/train_torch.py bench/median_time.py; do
    [ -f "$BUNDLE/$f" ] || missing="$missing $f"
done
[ "$links" = 0 ] && [ -z "$missing" ] && r=ok || r=FAIL
row "bundle contents" "$r" "$(ls "$BUNDLE"/lib | wc -l) libraries, $links symlinks${missing:+, missing:$missing}"

# ldd: every library but glibc/libstdc++/libgcc_s from the bundle.
un="$tmp/unpacked"
if bash "$BUNDLE/gpu-check.sh" --unpack "$un"; then
    lddout=$(env -i LD_LIBRARY_PATH="$un/lib" ldd "$un/gpurun" 2>&1)
    bad=$(awk -v lib="$un/lib/" '
        /not found/ { print $1 " not found"; next }
        /=>/ { if ($1 ~ /^(linux-vdso|ld-linux|libc\.so|libm\.so|libdl\.so|libpthread\.so|librt\.so|libutil\.so|libresolv\.so|libstdc\+\+\.so|libgcc_s\.so)/) next
               if (index($3, lib) != 1) print $1 " => " $3 }' <<< "$lddout" | tr '\n' ' ')
    nb=$(grep -c "$un/lib/" <<< "$lddout")
    [ -z "$bad" ] && r=ok || r=FAIL
    row "ldd from bundle" "$r" "$nb libraries from the bundle; base: $(awk '/=>/ && index($3, "'"$un/lib/"'") != 1 { printf "%s ", $1 }' <<< "$lddout")${bad:+; NOT from bundle: $bad}"
else
    row "ldd from bundle" FAIL "gpu-check.sh --unpack failed"
fi

# The run, as on the target.
out="$tmp/out"
mkdir -p "$tmp/home"
[ -f "$ICD" ] || echo "test-gpu-bundle: warning: no $ICD (apt-get install pocl-opencl-icd)"
echo "test-gpu-bundle: env -i PATH=/usr/bin:/bin HOME=$tmp/home GPU_CHECK_ICD=$ICD GPU_CHECK_QUICK=1 ./gpu-bundle/gpu-check.sh $out"
t0=$(date +%s)
timeout -k 10 1800 env -i PATH=/usr/bin:/bin HOME="$tmp/home" GPU_CHECK_ICD="$ICD" GPU_CHECK_QUICK=1 \
    ./gpu-bundle/gpu-check.sh "$out" > "$tmp/gpu-check.out" 2>&1
rc=$?
echo "test-gpu-bundle: gpu-check.sh exited $rc after $(( $(date +%s) - t0 ))s$( [ "$keep" = 1 ] && echo "; its output: $tmp/gpu-check.out")"
[ -s "$out/summary.md" ] && { echo; sed 's/^/  /' "$out/summary.md"; }
[ -s "$out/summary.md" ] && r=ok || r=FAIL
row "summary.md" "$r" "$( [ -s "$out/summary.md" ] && head -1 "$out/summary.md" | sed 's/^# //')"

for s in "${STEPS[@]}"; do
    line=$(awk -F'\t' -v s="$s" '$1 == s' "$out/steps.tsv" 2>/dev/null)
    if [ -z "$line" ]; then row "$s" FAIL "did not run"; continue; fi
    IFS=$'\t' read -r _ src secs sj _ _ <<< "$line"
    f="$out/$s.json"
    if [ -s "$f" ] && python3 -m json.tool "$f" >/dev/null 2>&1; then j=parsed; else j="no JSON"; fi
    [ "$j" = parsed ] && [ "$sj" != yes ] && j="parsed, but gpu-check says: $sj"
    log="$out/logs/$s.log"
    why=""
    if [ "$src" != 0 ]; then
        if grep -qE "Unexpected argument 'tune'|Unknown (sub)?command|Unknown option|Error: Unexpected argument" "$log" 2>/dev/null; then
            why="command or option does not exist yet: $(grep -m1 -E 'Error:' "$log" | cut -c1-90)"
        elif grep -q -- '--qr:' "$log" 2>/dev/null; then
            why="QR method not known yet: $(grep -m1 -- '--qr' "$log" | cut -c1-90)"
        elif [ "$src" = 124 ] || [ "$src" = 137 ]; then
            why="timed out"
        else
            why=$(grep -v '^ *$' "$log" 2>/dev/null | tail -n 1 | cut -c1-100)
        fi
    fi
    [ "$src" = 0 ] && [ "$j" = parsed ] && r=ok || r=FAIL
    row "$s" "$r" "exit $src, ${secs}s, $j${why:+; $why}"
done

echo
printf '%-22s %-5s %s\n' check result detail
printf '%-22s %-5s %s\n' ---------------------- ----- ------
printf '%s\n' "${rows[@]}"
echo
echo "gpu bundle: $passed passed, $failed failed"
[ "$failed" = 0 ]
