#!/usr/bin/env bash
# Builds the GPU bring-up bundle: one git-ignored folder (default gpu-bundle/ at the repo root,
# under 64 MiB) that runs `gpurun` on a bare Linux machine with only a GPU driver: no Swift, no
# apt, no network, maybe no Python.
#
#   scripts/gpu-bundle.sh [--skip-build] [--from-system] [--out DIR]
#
#   --skip-build   reuse the release binary already built (swift build -c release --static-swift-stdlib)
#   --from-system  copy the shared libraries from this machine instead of `dpkg -x` of their .debs
#   --out DIR      the bundle folder (default: gpu-bundle at the repo root; it is emptied first)
#
# What it holds (everything gzip'd: the static-stdlib binary alone is ~78 MB, OpenBLAS ~35 MB):
#   gpu-check.sh      the check to run on the target: `bash gpu-bundle/gpu-check.sh "$OUT"`
#   gpurun.gz         the release binary, Swift runtime and Foundation linked in statically,
#                     debug info stripped (symbols kept for backtraces)
#   lib/*.so.N.gz     every shared library `ldd gpurun` names that a bare machine lacks: the
#                     OpenCL ICD loader, CLBlast, OpenBLAS (+ its libblas/liblapack), LAPACKE,
#                     libtmglib, zlib, libgfortran, libquadmath; taken from `dpkg -x` of the
#                     installed versions' .debs (apt-get download), else copied from this machine
#   bench/*.py        the Python reference scripts the bench subcommands call
#   MANIFEST.txt      the commit, and per file its source, size and sha256
# Not bundled (a bare machine has them): glibc (libc, libm, libdl, libpthread, librt,
# ld-linux), libstdc++ and libgcc_s. Not bundled either: an OpenCL driver (the target's NVIDIA
# one; PoCL here for the local test, scripts/test-gpu-bundle.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

build=1 from=deb out="$ROOT/gpu-bundle"
while [ $# -gt 0 ]; do
    case "$1" in
        --skip-build) build=0 ;;
        --from-system) from=system ;;
        --out) out=$2; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "gpu-bundle: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
LIMIT=$((64 * 1024 * 1024))

# Libraries every bare glibc Linux (the NVIDIA driver's own needs included) already has.
is_base() {
    case "$1" in
        linux-vdso.so.*|ld-linux*.so.*|libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|\
        libutil.so.*|libresolv.so.*|libstdc++.so.*|libgcc_s.so.*) return 0 ;;
    esac
    return 1
}

if [ "$build" = 1 ]; then
    echo "gpu-bundle: swift build -c release --static-swift-stdlib"
    swift build -c release --static-swift-stdlib
fi
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/gpurun"
[ -x "$bin" ] || { echo "gpu-bundle: no release binary at $bin (run without --skip-build)" >&2; exit 1; }
if ldd "$bin" | grep -q 'libswiftCore\.so'; then
    echo "gpu-bundle: $bin links libswiftCore.so dynamically: it was not built with --static-swift-stdlib" >&2
    exit 1
fi

rm -rf "$out"
mkdir -p "$out/lib" "$out/bench"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
debs="$ROOT/.build/gpu-bundle-debs"
mkdir -p "$debs"

manifest="$out/MANIFEST.txt"
{
    echo "gpu-bundle built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
    echo "commit $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo ' (+ uncommitted changes)')"
    echo "swift $(swift --version 2>/dev/null | head -1)"
    echo
    printf '%-22s %10s  %-64s  %s\n' "file" "bytes" "sha256 (uncompressed)" "source"
} > "$manifest"

add() {  # add SRC NAME SOURCE-TEXT: gzip SRC into the bundle as NAME.gz and list it
    local src=$1 name=$2 what=$3
    gzip -9 -n -c "$src" > "$out/$name.gz"
    printf '%-22s %10s  %-64s  %s\n' "$name" "$(stat -c %s "$src")" "$(sha256sum "$src" | cut -d' ' -f1)" "$what" >> "$manifest"
}

# The binary: debug info out (~12 MB), symbols kept.
strip --strip-debug -o "$stage/gpurun" "$bin"
add "$stage/gpurun" gpurun "swift build -c release --static-swift-stdlib, strip --strip-debug"

# dpkg -S of a library path, trying the usrmerge twins (/lib <-> /usr/lib).
owner() {
    local p alt
    for p in "$@"; do
        case "$p" in /usr/lib/*) alt=${p#/usr} ;; /lib/*) alt=/usr$p ;; *) alt=$p ;; esac
        for q in "$p" "$alt"; do
            local o
            o=$(dpkg -S "$q" 2>/dev/null | head -1) || true
            [ -n "$o" ] && { echo "${o%%: *} ${q}"; return 0; }
        done
    done
    return 1
}

missing=0
while read -r soname arrow path _; do
    [ "$arrow" = "=>" ] || continue
    is_base "$soname" && continue
    if [ "$path" = "not" ]; then echo "gpu-bundle: ldd: $soname not found" >&2; missing=1; continue; fi
    real=$(readlink -f "$path")
    got="" what=""
    if [ "$from" = deb ] && own=$(owner "$real" "$path"); then
        pkg=${own%% *} pkgpath=${own#* }
        pkg=${pkg%%,*}
        ver=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || true)
        deb=$(ls "$debs/${pkg%%:*}_"*.deb 2>/dev/null | head -1 || true)
        if [ -z "$deb" ]; then
            (cd "$debs" && apt-get download -q "${pkg}=${ver}" >/dev/null 2>&1) || true
            deb=$(ls "$debs/${pkg%%:*}_"*.deb 2>/dev/null | head -1 || true)
        fi
        if [ -n "$deb" ]; then
            x="$stage/x/${pkg%%:*}"
            [ -d "$x" ] || { mkdir -p "$x" && dpkg -x "$deb" "$x"; }
            if [ -e "$x$pkgpath" ]; then
                cp -L "$x$pkgpath" "$stage/$soname"
                got="$stage/$soname"
                what="dpkg -x $(basename "$deb"):$pkgpath"
                cmp -s "$got" "$real" || what="$what (differs from installed $real!)"
            fi
        fi
    fi
    if [ -z "$got" ]; then
        got=$real
        what="copied from $real$( [ "$from" = deb ] && echo ' (no .deb available)')"
    fi
    add "$got" "lib/$soname" "$what"
    echo "gpu-bundle: $soname <- $what"
done < <(ldd "$bin")
[ "$missing" = 0 ] || exit 1

cp bench/*.py "$out/bench/"
cp scripts/gpu-check.sh "$out/gpu-check.sh"
chmod +x "$out/gpu-check.sh"
for f in "$out"/bench/*.py "$out/gpu-check.sh"; do
    printf '%-22s %10s  %-64s  %s\n' "${f#"$out"/}" "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -d' ' -f1)" "repo copy" >> "$manifest"
done

# Every non-base library the unpacked binary needs must resolve into the bundle.
check=$(mktemp -d)
bash "$out/gpu-check.sh" --unpack "$check" >/dev/null
bad=$(env -i LD_LIBRARY_PATH="$check/lib" ldd "$check/gpurun" | awk -v lib="$check/lib/" '
    /=>/ { name=$1; path=$3
           if (name ~ /^(linux-vdso|ld-linux|libc\.so|libm\.so|libdl\.so|libpthread\.so|librt\.so|libutil\.so|libresolv\.so|libstdc\+\+\.so|libgcc_s\.so)/) next
           if (index(path, lib) != 1) print name " => " path }')
rm -rf "$check"
if [ -n "$bad" ]; then echo "gpu-bundle: not resolved from the bundle:"$'\n'"$bad" >&2; exit 1; fi

size=$(du -sb "$out" | cut -f1)
echo "gpu-bundle: $out: $(ls "$out"/lib | wc -l) libraries, $((size / 1024 / 1024)) MiB ($size bytes; limit 64 MiB)"
echo "total $size bytes" >> "$manifest"
if [ "$size" -ge "$LIMIT" ]; then echo "gpu-bundle: over 64 MiB" >&2; exit 1; fi
