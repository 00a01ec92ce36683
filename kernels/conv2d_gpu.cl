// GPU-shaped twins of the direct conv2d kernels of conv2d.cl (which are register-blocked for
// CPU devices, one work-item a group). Host side: GPUConvKernels in
// Sources/OpenCLRuntime/Launchers/GPUKernels.swift. Geometry arguments: conv.h. Forward and
// input gradient: one work-item per output element, 2-D work-groups along (column, row) so that
// neighbouring work-items read and write neighbouring addresses; every work-item of a group
// reads the same weight (a broadcast). Weight gradient: one work-group per weight, its
// work-items striding over (n, oh, ow) with ow fastest (coalesced), then a tree reduction in
// local memory; no atomics, a fixed order for a fixed work-group size.
#include "real.h"
#include "conv.h"

// y[n, o, oh, ow] = bias[o] + sum_{c, kh, kw} w[o, c, kh, kw] * x[n, g*C/G + c, ih, iw] in ACC.
// global = { OW, OH, N*O } rounded up to the local size.
__kernel void conv2d_direct_gpu(__global const REAL *x, ulong xo, __global const REAL *w, ulong wo,
                                __global const REAL *bias, ulong bo, int hasBias, __global REAL *y, ulong yo,
                                CONV_GEOM) {
    const int ow = get_global_id(0), oh = get_global_id(1), z = get_global_id(2);
    if (ow >= OW || oh >= OH || z >= N * O) return;
    const int n = z / O, o = z % O, Cg = C / G, g = o / (O / G);
    __global const REAL *xp = x + xo + ((ulong)n * C + (ulong)g * Cg) * (ulong)(H * W);
    __global const REAL *wp = w + wo + (ulong)o * (ulong)(Cg * KH * KW);
    ACC s = hasBias ? (ACC)bias[bo + o] : (ACC)0;
    for (int c = 0; c < Cg; c++) {
        for (int kh = 0; kh < KH; kh++) {
            const int ih = oh * SH - PH + kh * DH;
            if (ih < 0 || ih >= H) continue;
            __global const REAL *xr = xp + ((ulong)c * H + ih) * W;
            for (int kw = 0; kw < KW; kw++) {
                const int iw = ow * SW - PW + kw * DW;
                if (iw >= 0 && iw < W) s += (ACC)wp[(c * KH + kh) * KW + kw] * (ACC)xr[iw];
            }
        }
    }
    y[yo + ((ulong)n * O + o) * (ulong)(OH * OW) + (ulong)oh * OW + ow] = (REAL)s;
}

// dx[n, c, ih, iw] = sum over the group's outputs o and the (kh, kw) with ih = oh*SH - PH + kh*DH,
// iw = ow*SW - PW + kw*DW of w[o, c % (C/G), kh, kw] * dy[n, o, oh, ow] (a gather, overwrites dx).
// global = { W, H, N*C } rounded up to the local size.
__kernel void conv2d_direct_backward_input_gpu(__global const REAL *dy, ulong dyo, __global const REAL *w, ulong wo,
                                               __global REAL *dx, ulong dxo, CONV_GEOM) {
    const int iw = get_global_id(0), ih = get_global_id(1), z = get_global_id(2);
    if (iw >= W || ih >= H || z >= N * C) return;
    const int n = z / C, c = z % C, Cg = C / G, Og = O / G, g = c / Cg, cc = c % Cg;
    ACC s = 0;
    for (int o = g * Og; o < (g + 1) * Og; o++) {
        __global const REAL *dp = dy + dyo + ((ulong)n * O + o) * (ulong)(OH * OW);
        __global const REAL *wp = w + wo + ((ulong)o * Cg + cc) * (ulong)(KH * KW);
        for (int kh = 0; kh < KH; kh++) {
            const int th = ih + PH - kh * DH;
            if (th < 0 || th % SH != 0 || th / SH >= OH) continue;
            __global const REAL *dr = dp + (ulong)(th / SH) * OW;
            for (int kw = 0; kw < KW; kw++) {
                const int tw = iw + PW - kw * DW;
                if (tw < 0 || tw % SW != 0 || tw / SW >= OW) continue;
                s += (ACC)wp[kh * KW + kw] * (ACC)dr[tw / SW];
            }
        }
    }
    dx[dxo + ((ulong)n * C + c) * (ulong)(H * W) + (ulong)ih * W + iw] = (REAL)s;
}

// dw[o, c, kh, kw] = sum_{n, oh, ow} dy[n, o, oh, ow] * x[n, g*C/G + c, ih, iw]: work-group j of
// dimension 1 computes weight j = (o*C/G + c)*KH*KW + kh*KW + kw. global = { L, O*(C/G)*KH*KW },
// local = { L, 1 } (L a power of two); red holds L ACC.
__kernel void conv2d_direct_backward_weights_gpu(__global const REAL *x, ulong xo, __global const REAL *dy, ulong dyo,
                                                 __global REAL *dw, ulong dwo, CONV_GEOM, __local ACC *red) {
    const int lid = get_local_id(0), L = get_local_size(0);
    const int j = get_group_id(1), Cg = C / G;
    const int k = j % (KH * KW), cc = j / (KH * KW) % Cg, o = j / (KH * KW * Cg);
    const int kh = k / KW, kw = k % KW, g = o / (O / G);
    const int plane = OH * OW, total = N * plane;
    ACC s = 0;
    for (int e = lid; e < total; e += L) {
        const int n = e / plane, r = e % plane, oh = r / OW, ow = r % OW;
        const int ih = oh * SH - PH + kh * DH, iw = ow * SW - PW + kw * DW;
        if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
            const REAL d = dy[dyo + ((ulong)n * O + o) * (ulong)plane + r];
            const REAL v = x[xo + ((ulong)n * C + (ulong)g * Cg + cc) * (ulong)(H * W) + (ulong)ih * W + iw];
            s += (ACC)d * (ACC)v;
        }
    }
    red[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = L / 2; h > 0; h >>= 1) {
        if (lid < h) red[lid] += red[lid + h];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) dw[dwo + j] = (REAL)red[0];
}
