// Max, average and global average pooling over REAL (real.h), forward and backward, on NCHW
// planes (P = N*C planes of H x W; outputs OH x OW). Host side: Sources/Kernels/PoolKernels
// in ConvKernels.swift; CPU twins: CPUPool in Sources/Compute/Conv/CPUBackend+Pool.swift, whose
// order of operations these kernels follow. Windows are clipped to the image; max pooling takes
// the first maximum in row-major order and lets NaN win. The backward kernels gather (each
// input pixel visits the windows that contain it, oh-major), so no atomics are needed.
#include "real.h"

#define POOL_GEOM int H, int W, int KH, int KW, int SH, int SW, int PH, int PW, int OH, int OW

// Index (h*W + w) of the first maximum of window (oh, ow) of plane src.
inline int window_argmax(__global const REAL *src, int oh, int ow, POOL_GEOM) {
    const int h0 = oh * SH - PH, w0 = ow * SW - PW;
    const int ha = max(h0, 0), hb = min(h0 + KH, H), wa = max(w0, 0), wb = min(w0 + KW, W);
    REAL m = -INFINITY;
    int best = ha * W + wa;
    for (int h = ha; h < hb; h++) {
        for (int w = wa; w < wb; w++) {
            const REAL v = src[h * W + w];
            if (v > m || (isnan(v) && !isnan(m))) {
                m = v;
                best = h * W + w;
            }
        }
    }
    return best;
}

// y = max (isMax != 0) or sum / (KH*KW) of each window. NDRange: global = { OW, OH, P }.
__kernel void pool_forward(__global const REAL *x, ulong xo, __global REAL *y, ulong yo, int isMax, POOL_GEOM) {
    const int ow = get_global_id(0), oh = get_global_id(1);
    const ulong p = get_global_id(2);
    if (ow >= OW || oh >= OH) return;
    __global const REAL *src = x + xo + p * (ulong)(H * W);
    const int h0 = oh * SH - PH, w0 = ow * SW - PW;
    const int ha = max(h0, 0), hb = min(h0 + KH, H), wa = max(w0, 0), wb = min(w0 + KW, W);
    REAL r;
    if (isMax) {
        r = -INFINITY;
        for (int h = ha; h < hb; h++)
            for (int w = wa; w < wb; w++) {
                const REAL v = src[h * W + w];
                if (v > r || (isnan(v) && !isnan(r))) r = v;
            }
    } else {
        r = (REAL)0;
        for (int h = ha; h < hb; h++)
            for (int w = wa; w < wb; w++) r += src[h * W + w];
        r /= (REAL)(KH * KW);
    }
    y[yo + p * (ulong)(OH * OW) + oh * OW + ow] = r;
}

// dx[h, w] = sum over windows (oh, ow) containing (h, w), oh-major: dy[oh, ow] if (h, w) is the
// window's first maximum in x (isMax != 0), else dy[oh, ow] / (KH*KW). Overwrites dx; x is
// only read when isMax != 0. NDRange: global = { W, H, P }.
__kernel void pool_backward(__global const REAL *x, ulong xo, __global const REAL *dy, ulong dyo,
                            __global REAL *dx, ulong dxo, int isMax, POOL_GEOM) {
    const int w = get_global_id(0), h = get_global_id(1);
    const ulong p = get_global_id(2);
    if (w >= W || h >= H) return;
    __global const REAL *src = x + xo + p * (ulong)(H * W);
    __global const REAL *g = dy + dyo + p * (ulong)(OH * OW);
    // Windows oh with oh*SH - PH <= h < oh*SH - PH + KH.
    const int oha = max(0, (h + PH - KH + SH) / SH), ohb = min(OH - 1, (h + PH) / SH);
    const int owa = max(0, (w + PW - KW + SW) / SW), owb = min(OW - 1, (w + PW) / SW);
    const REAL divisor = (REAL)(KH * KW);
    REAL s = (REAL)0;
    for (int oh = oha; oh <= ohb; oh++) {
        for (int ow = owa; ow <= owb; ow++) {
            if (isMax) {
                if (window_argmax(src, oh, ow, H, W, KH, KW, SH, SW, PH, PW, OH, OW) == h * W + w) s += g[oh * OW + ow];
            } else {
                s += g[oh * OW + ow] / divisor;
            }
        }
    }
    dx[dxo + p * (ulong)(H * W) + h * W + w] = s;
}

// y[p] = mean of plane p, summed in ACC. NDRange: global = { P }.
__kernel void global_avg_forward(__global const REAL *x, ulong xo, __global REAL *y, ulong yo, int P, int size) {
    const int p = get_global_id(0);
    if (p >= P) return;
    __global const REAL *src = x + xo + (ulong)p * size;
    ACC s = 0;
    for (int i = 0; i < size; i++) s += (ACC)src[i];
    y[yo + p] = (REAL)(s / (ACC)size);
}

// dx[p, i] = dy[p] / size. NDRange: global = { size, P }.
__kernel void global_avg_backward(__global const REAL *dy, ulong dyo, __global REAL *dx, ulong dxo, int size) {
    const int i = get_global_id(0);
    const ulong p = get_global_id(1);
    if (i < size) dx[dxo + p * (ulong)size + i] = dy[dyo + p] / (REAL)size;
}
