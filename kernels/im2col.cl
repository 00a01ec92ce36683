// im2col and col2im over REAL (real.h) for the im2col + GEMM path of conv2d
// (Sources/Compute/Conv/OpenCLBackend+Conv.swift). The CPU twins are CPUConv.im2col and
// CPUConv.col2im in Sources/Compute/Conv/CPUBackend+Conv.swift. Rows are moved VW values at a
// time (conv.h's row segments); no atomics.
//
// The column matrix of one image is [C*KH*KW, OH*OW]: row (c*KH + kh)*KW + kw, column
// oh*OW + ow holds x[c, oh*SH - PH + kh*DH, ow*SW - PW + kw*DW] (0 outside the image), so the
// rows of group g are g*(C/G)*KH*KW .. (g+1)*(C/G)*KH*KW - 1. A chunk of images is stored back
// to back: image b at col + co + b*C*KH*KW*OH*OW, reading x + xo + b*C*H*W.
#include "real.h"
#include "conv.h"

// One work-item writes one row (c, kh, kw) of one image's column matrix.
// NDRange: global = { C*KH*KW, images }, any local size (the kernel checks bounds).
__kernel void im2col(__global const REAL *x, ulong xo, __global REAL *col, ulong co, CONV_GEOM) {
    const int row = get_global_id(0);
    const ulong b = get_global_id(1);
    const int rows = C * KH * KW;
    if (row >= rows) return;
    const int kw = row % KW, t = row / KW, kh = t % KH, c = t / KH;
    __global const REAL *xp = x + xo + (b * C + c) * (ulong)(H * W);
    __global REAL *dst = col + co + (b * rows + row) * (ulong)(OH * OW);
    const int iw0 = kw * DW - PW;
    for (int oh = 0; oh < OH; oh++) {
        const int ih = oh * SH - PH + kh * DH;
        __global REAL *d = dst + oh * OW;
        if (ih < 0 || ih >= H) {
            for (int ow = 0; ow < OW; ow += VW) store_segment((VEC)0, d + ow, OW - ow);
        } else {
            __global const REAL *xr = xp + ih * W;
            for (int ow = 0; ow < OW; ow += VW) store_segment(row_segment(xr, ow * SW + iw0, SW, W), d + ow, OW - ow);
        }
    }
}

// The adjoint of im2col, as a gather: every pixel of dx sums the column entries that im2col
// copied from it, kh-major then kw (the order CPUConv.col2im adds them in), and overwrites dx.
// A work-item computes VW pixels of row ih sharing a residue r modulo SW, iw = r + SW*(q0 + i):
// for each kw every lane or none has a source column, and the lanes' columns are consecutive.
// NDRange: global = { SW * ceil(ceil(W / SW) / VW), H, images*C }.
__kernel void col2im(__global const REAL *col, ulong co, __global REAL *dx, ulong dxo, CONV_GEOM) {
    const int segments = ((W + SW - 1) / SW + VW - 1) / VW;
    const int r = get_global_id(0) / segments, q0 = get_global_id(0) % segments * VW;
    const int ih = get_global_id(1);
    const ulong bc = get_global_id(2);
    if (r >= SW || r + SW * q0 >= W || ih >= H) return;
    const int plane = OH * OW;
    __global const REAL *src = col + co + bc * (ulong)(KH * KW * plane);
    VEC acc = (VEC)0;
    for (int kh = 0; kh < KH; kh++) {
        const int th = ih + PH - kh * DH;
        if (th < 0 || th % SH != 0 || th / SH >= OH) continue;
        __global const REAL *cr = src + kh * KW * plane + th / SH * OW;
        for (int kw = 0; kw < KW; kw++) {
            const int t0 = r + PW - kw * DW;
            if ((t0 % SW + SW) % SW != 0) continue;
            acc += row_segment(cr + kw * plane, t0 / SW + q0, 1, OW);
        }
    }
    __global REAL *row = dx + dxo + bc * (ulong)(H * W) + ih * W;
    if (SW == 1) {
        store_segment(acc, row + q0, W - q0);
    } else {
        REAL t[VW];
        VSTORE(acc, 0, t);
        for (int i = 0; i < VW && r + SW * (q0 + i) < W; i++) row[r + SW * (q0 + i)] = t[i];
    }
}
