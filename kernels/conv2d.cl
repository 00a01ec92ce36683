// Direct conv2d kernels over REAL (real.h), for small channel counts and thin groups, and the
// helpers of the im2col + GEMM path (bias, bias gradient, batch reduction). Geometry
// arguments: conv.h. Host side: Sources/Kernels/ConvKernels.swift (launchers),
// Sources/Compute/Conv/OpenCLBackend+Conv.swift (path choice); the CPU twins are in
// Sources/Compute/Conv/CPUConvDirect.swift and CPUBackend+Conv.swift.
// No atomics and no barriers: every output element is written by exactly one work-item. The
// direct forward and input-gradient kernels are register-blocked for CPU devices such as PoCL
// (one work-item a work-group): a work-item holds VW neighbouring outputs of a row for OB
// channels as REALn vectors and loads each input row segment once for all OB channels.
// Build options: the dtype's (real.h), OB (channels per work-item: 1, 2, 4 or 8, default 4),
// VW (vector width, conv.h).
#include "real.h"
#include "conv.h"

#ifndef OB
#define OB 4
#endif

// y[n, o, oh, ow] = bias[o] + sum_{c, kh, kw} w[o, c, kh, kw] * x[n, g*C/G + c, ih, iw]. hasBias == 0
// ignores bias (pass any buffer). A work-item computes outputs ow0 .. ow0+VW-1 of row oh for the
// OB channels o0 .. o0+OB-1 of one group (fewer at the group's end).
// NDRange: global = { ceil(OW / VW), OH, N * G * ceil((O/G) / OB) }, local = { 1, 1, 1 }.
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void conv2d_direct(__global const REAL *x, ulong xo, __global const REAL *w, ulong wo,
                   __global const REAL *bias, ulong bo, int hasBias, __global REAL *y, ulong yo, CONV_GEOM) {
    const int ow0 = get_global_id(0) * VW, oh = get_global_id(1), z = get_global_id(2);
    const int Cg = C / G, Og = O / G, blocks = (Og + OB - 1) / OB;
    const int n = z / (G * blocks), g = z / blocks % G, o0 = g * Og + z % blocks * OB;
    const int nob = min(OB, (g + 1) * Og - o0), taps = Cg * KH * KW;
    if (ow0 >= OW || oh >= OH) return;
    __global const REAL *xp = x + xo + ((ulong)n * C + (ulong)g * Cg) * (ulong)(H * W);
    __global const REAL *wp = w + wo + (ulong)o0 * (ulong)taps;
    VEC acc[OB];
#pragma unroll
    for (int b = 0; b < OB; b++) acc[b] = (VEC)0;
    for (int c = 0; c < Cg; c++) {
        for (int kh = 0; kh < KH; kh++) {
            const int ih = oh * SH - PH + kh * DH;
            if (ih < 0 || ih >= H) continue;
            __global const REAL *xr = xp + (c * H + ih) * W;
            for (int kw = 0; kw < KW; kw++) {
                const VEC xv = row_segment(xr, ow0 * SW - PW + kw * DW, SW, W);
                const int t = (c * KH + kh) * KW + kw;
#pragma unroll
                for (int b = 0; b < OB; b++) acc[b] = fma((VEC)(wp[min(b, nob - 1) * taps + t]), xv, acc[b]);
            }
        }
    }
#pragma unroll
    for (int b = 0; b < OB; b++) {
        if (b >= nob) break;
        const VEC v = hasBias ? acc[b] + (VEC)(bias[bo + o0 + b]) : acc[b];
        store_segment(v, y + yo + ((ulong)n * O + o0 + b) * (ulong)(OH * OW) + oh * OW + ow0, OW - ow0);
    }
}

// dx[n, c, ih, iw] = sum over the group's outputs o and the (kh, kw) with ih = oh*SH - PH + kh*DH,
// iw = ow*SW - PW + kw*DW of w[o, c % (C/G), kh, kw] * dy[n, o, oh, ow]. A work-item computes VW
// pixels of row ih that share a residue r modulo SW, iw = r + SW*(q0 + i), for OB input channels
// of one group: for each kw either every lane or none has a contributing ow, and the lanes' ow
// are consecutive, so dy is read as contiguous row segments.
// NDRange: global = { SW * ceil(ceil(W / SW) / VW), H, N * G * ceil((C/G) / OB) }, local = { 1, 1, 1 }.
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void conv2d_direct_backward_input(__global const REAL *dy, ulong dyo, __global const REAL *w, ulong wo,
                                  __global REAL *dx, ulong dxo, CONV_GEOM) {
    const int segments = ((W + SW - 1) / SW + VW - 1) / VW;
    const int r = get_global_id(0) / segments, q0 = get_global_id(0) % segments * VW;
    const int ih = get_global_id(1), z = get_global_id(2);
    const int Cg = C / G, Og = O / G, blocks = (Cg + OB - 1) / OB;
    const int n = z / (G * blocks), g = z / blocks % G, c0 = z % blocks * OB;
    const int ncb = min(OB, Cg - c0);
    if (r >= SW || r + SW * q0 >= W || ih >= H) return;
    VEC acc[OB];
#pragma unroll
    for (int b = 0; b < OB; b++) acc[b] = (VEC)0;
    for (int o = g * Og; o < (g + 1) * Og; o++) {
        __global const REAL *dp = dy + dyo + ((ulong)n * O + o) * (ulong)(OH * OW);
        __global const REAL *wp = w + wo + ((ulong)o * Cg + c0) * (ulong)(KH * KW);
        for (int kh = 0; kh < KH; kh++) {
            const int th = ih + PH - kh * DH;
            if (th < 0 || th % SH != 0 || th / SH >= OH) continue;
            __global const REAL *dr = dp + th / SH * OW;
            for (int kw = 0; kw < KW; kw++) {
                // Lane i: tw = t0 + SW*(q0 + i), a multiple of SW for all lanes or none.
                const int t0 = r + PW - kw * DW;
                if ((t0 % SW + SW) % SW != 0) continue;
                const VEC dv = row_segment(dr, t0 / SW + q0, 1, OW);
                const int t = kh * KW + kw;
#pragma unroll
                for (int b = 0; b < OB; b++) acc[b] = fma((VEC)(wp[min(b, ncb - 1) * KH * KW + t]), dv, acc[b]);
            }
        }
    }
#pragma unroll
    for (int b = 0; b < OB; b++) {
        if (b >= ncb) break;
        __global REAL *row = dx + dxo + ((ulong)n * C + (ulong)g * Cg + c0 + b) * (ulong)(H * W) + ih * W;
        if (SW == 1) {
            store_segment(acc[b], row + q0, W - q0);
        } else {
            REAL t[VW];
            VSTORE(acc[b], 0, t);
            for (int i = 0; i < VW && r + SW * (q0 + i) < W; i++) row[r + SW * (q0 + i)] = t[i];
        }
    }
}

// Lane numbers 0 .. VW-1, for masks.
__constant int conv_lanes[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
#ifdef REAL_IS_DOUBLE
#define LANES CONV_CAT(convert_long, VW)(CONV_CAT(vload, VW)(0, conv_lanes))
#define LANE_MASK(k) (LANES >= (CONV_CAT(long, VW))(k))
#else
#define LANES CONV_CAT(vload, VW)(0, conv_lanes)
#define LANE_MASK(k) (LANES >= (CONV_CAT(int, VW))(k))
#endif

// dw[o, c, kh, kw] = sum_{n, oh, ow} dy[n, o, oh, ow] * x[n, g*C/G + c, ih, iw]: one work-item per
// weight, over the output rows and columns whose input position is inside the image. With
// stride 1 and rows of at least VW such columns, a row is multiplied VW at a time into one
// REALn accumulator, its last partial segment overlapping the previous one with the overlap
// masked off; otherwise each row is summed in REAL. The lanes and the rows are added in ACC.
// NDRange: global = { KH*KW, C/G, O }.
__kernel void conv2d_direct_backward_weights(__global const REAL *x, ulong xo, __global const REAL *dy, ulong dyo,
                                             __global REAL *dw, ulong dwo, CONV_GEOM) {
    const int k = get_global_id(0), cc = get_global_id(1), o = get_global_id(2);
    const int Cg = C / G;
    if (k >= KH * KW || cc >= Cg || o >= O) return;
    const int kh = k / KW, kw = k - kh * KW, g = o / (O / G);
    const int base_h = kh * DH - PH, base_w = kw * DW - PW;
    const int oh0 = base_h >= 0 ? 0 : (SH - 1 - base_h) / SH;
    const int oh1 = min(OH, H - 1 - base_h < 0 ? 0 : (H - 1 - base_h) / SH + 1);
    const int ow0 = base_w >= 0 ? 0 : (SW - 1 - base_w) / SW;
    const int ow1 = min(OW, W - 1 - base_w < 0 ? 0 : (W - 1 - base_w) / SW + 1);
    const bool vector = SW == 1 && ow1 - ow0 >= VW;
    const int vend = ow0 + (ow1 - ow0) / VW * VW, rem = (ow1 - ow0) % VW;
    ACC s = 0;
    VEC v = (VEC)0;
    for (int n = 0; n < N; n++) {
        __global const REAL *dp = dy + dyo + ((ulong)n * O + o) * (ulong)(OH * OW);
        __global const REAL *xp = x + xo + ((ulong)n * C + (ulong)g * Cg + cc) * (ulong)(H * W);
        for (int oh = oh0; oh < oh1; oh++) {
            __global const REAL *xr = xp + (oh * SH + base_h) * W;
            __global const REAL *dr = dp + oh * OW;
            if (vector) {
                for (int ow = ow0; ow < vend; ow += VW) v = fma(VLOAD(0, dr + ow), VLOAD(0, xr + ow + base_w), v);
                if (rem) {
                    const VEC p = VLOAD(0, dr + ow1 - VW) * VLOAD(0, xr + ow1 - VW + base_w);
                    v += select((VEC)0, p, LANE_MASK(VW - rem));
                }
            } else {
                REAL r = 0;
                for (int ow = ow0; ow < ow1; ow++) r = fma(dr[ow], xr[ow * SW + base_w], r);
                s += (ACC)r;
            }
        }
    }
    REAL t[VW];
    VSTORE(v, 0, t);
    for (int i = 0; i < VW; i++) s += (ACC)t[i];
    dw[dwo + ((ulong)o * Cg + cc) * (ulong)(KH * KW) + k] = (REAL)s;
}

// y[n, o, :, :] += bias[o]. NDRange: global = { OH*OW, N*O }.
__kernel void conv2d_bias_add(__global const REAL *bias, ulong bo, __global REAL *y, ulong yo, int O, int plane) {
    const int i = get_global_id(0);
    const ulong no = get_global_id(1);
    if (i < plane) y[yo + no * (ulong)plane + i] += bias[bo + (int)(no % O)];
}

// partial[n*O + o] = sum_i dy[n, o, i] in ACC: the bias gradient before the sum over n
// (batch_sum). NDRange: global = { O, N }.
__kernel void conv2d_bias_partials(__global const REAL *dy, ulong dyo, __global ACC *partial, int O, int plane) {
    const int o = get_global_id(0), n = get_global_id(1);
    if (o >= O) return;
    __global const REAL *p = dy + dyo + ((ulong)n * O + o) * (ulong)plane;
    ACC s = 0;
    for (int i = 0; i < plane; i++) s += (ACC)p[i];
    partial[(ulong)n * O + o] = s;
}

// dst[i] = sum_b src[b*count + i] (+ dst[i] when accumulate != 0): reduces a strided batch of
// per-image weight gradients. NDRange: global = { count }.
__kernel void batch_sum(__global const REAL *src, ulong so, int batch, int count, __global REAL *dst, ulong dsto,
                        int accumulate) {
    const int i = get_global_id(0);
    if (i >= count) return;
    ACC s = accumulate ? (ACC)dst[dsto + i] : (ACC)0;
    for (int b = 0; b < batch; b++) s += (ACC)src[so + (ulong)b * count + i];
    dst[dsto + i] = (REAL)s;
}

// batch_sum over ACC partials (the bias gradient). NDRange: global = { count }.
__kernel void batch_sum_acc(__global const ACC *src, int batch, int count, __global REAL *dst, ulong dsto) {
    const int i = get_global_id(0);
    if (i >= count) return;
    ACC s = 0;
    for (int b = 0; b < batch; b++) s += src[(ulong)b * count + i];
    dst[dsto + i] = (REAL)s;
}
