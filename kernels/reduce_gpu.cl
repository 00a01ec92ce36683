// GPU-shaped twins of the one-work-item-a-group reductions of conv2d.cl, train.cl and pool.cl
// (those are shaped for CPU devices such as PoCL). Host side: GPUReduceKernels in
// Sources/OpenCLRuntime/Launchers/GPUKernels.swift; the backends pick these on GPU and
// accelerator devices (KernelShape). Every reduction is a work-group tree in local memory
// (`red`, one ACC per work-item, a power-of-two work-group), no atomics: for a fixed
// work-group size the order of additions is fixed, so results are deterministic. Work-item l
// of a group reads elements l, l + L, l + 2L, ... so neighbouring work-items read neighbouring
// addresses (coalesced). Every work-item reaches every barrier.
#include "real.h"

// Sum over the work-group (dimension 0) of v; every work-item gets the total.
inline ACC group_sum(__local ACC *red, ACC v) {
    const int lid = get_local_id(0), L = get_local_size(0);
    red[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = L / 2; h > 0; h >>= 1) {
        if (lid < h) red[lid] += red[lid + h];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const ACC r = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// bn_plane_sums (train.cl) with one work-group per plane (n, c): global = { L, N*C }, local = { L, 1 }.
// mode 0: a = sum x; mode 1: a = sum (x - mean[c])^2; mode 2: a = sum dy, b = sum dy (x - mean[c]).
// Also the conv bias gradient's partials (mode 0 on dy with C = O, S = OH*OW).
__kernel void plane_sums_gpu(__global const REAL *x, ulong xo, __global const REAL *dy, ulong dyo,
                             __global const REAL *mean, ulong mo, int C, int S, int mode,
                             __global ACC *a, __global ACC *b, __local ACC *red) {
    const int lid = get_local_id(0), L = get_local_size(0);
    const int plane = get_group_id(1), c = plane % C;
    const ulong base = (ulong)plane * (ulong)S;
    __global const REAL *px = x + xo + base;
    const ACC m = mode == 0 ? (ACC)0 : (ACC)mean[mo + c];
    ACC sa = 0, sb = 0;
    if (mode == 0) {
        for (int s = lid; s < S; s += L) sa += (ACC)px[s];
    } else if (mode == 1) {
        for (int s = lid; s < S; s += L) {
            const ACC d = (ACC)px[s] - m;
            sa += d * d;
        }
    } else {
        __global const REAL *pg = dy + dyo + base;
        for (int s = lid; s < S; s += L) {
            const ACC g = (ACC)pg[s];
            sa += g;
            sb += g * ((ACC)px[s] - m);
        }
    }
    sa = group_sum(red, sa);
    if (mode == 2) sb = group_sum(red, sb);
    if (lid == 0) {
        a[plane] = sa;
        if (mode == 2) b[plane] = sb;
    }
}

// y[p] = mean of plane p (global_avg_forward, pool.cl): global = { L, P }, local = { L, 1 }.
__kernel void global_avg_forward_gpu(__global const REAL *x, ulong xo, __global REAL *y, ulong yo, int size,
                                     __local ACC *red) {
    const int lid = get_local_id(0), L = get_local_size(0);
    const int p = get_group_id(1);
    __global const REAL *src = x + xo + (ulong)p * (ulong)size;
    ACC s = 0;
    for (int i = lid; i < size; i += L) s += (ACC)src[i];
    s = group_sum(red, s);
    if (lid == 0) y[yo + p] = (REAL)(s / (ACC)size);
}

// Column sums of a [batch, count] matrix: a TX x TY work-group (local = { TX, TY }, TY a power
// of two) covers TX consecutive columns (coalesced rows); work-item (tx, ty) sums rows ty,
// ty + TY, ... of its column, then the TY partials of a column are added as a tree.
// global = { ceil(count / TX) * TX, TY }. red holds TX*TY ACC.
inline ACC column_tree(__local ACC *red, ACC s) {
    const int tx = get_local_id(0), ty = get_local_id(1), TX = get_local_size(0), TY = get_local_size(1);
    red[ty * TX + tx] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = TY / 2; h > 0; h >>= 1) {
        if (ty < h) red[ty * TX + tx] += red[(ty + h) * TX + tx];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const ACC r = red[tx];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// batch_sum (conv2d.cl): dst[i] = sum_b src[b*count + i] (+ dst[i] when accumulate != 0).
__kernel void batch_sum_gpu(__global const REAL *src, ulong so, int batch, int count, __global REAL *dst, ulong dsto,
                            int accumulate, __local ACC *red) {
    const int i = get_global_id(0), ty = get_local_id(1), TY = get_local_size(1);
    ACC s = 0;
    if (i < count)
        for (int b = ty; b < batch; b += TY) s += (ACC)src[so + (ulong)b * count + i];
    s = column_tree(red, s);
    if (ty == 0 && i < count) dst[dsto + i] = (REAL)(accumulate ? (ACC)dst[dsto + i] + s : s);
}

// Column `col` of a [rows, cols] matrix summed by the group's TY rows of work-items, then
// reduced by column_tree; every work-item of the group must call it (it has barriers).
inline ACC column_total(__global const ACC *a, int rows, int cols, int col, __local ACC *red) {
    const int ty = get_local_id(1), TY = get_local_size(1);
    ACC s = 0;
    if (col < cols)
        for (int r = ty; r < rows; r += TY) s += a[(ulong)r * cols + col];
    return column_tree(red, s);
}

// batch_sum_acc (conv2d.cl): dst[i] = sum_b src[b*count + i] over ACC partials.
__kernel void batch_sum_acc_gpu(__global const ACC *src, int batch, int count, __global REAL *dst, ulong dsto,
                                __local ACC *red) {
    const int i = get_global_id(0);
    const ACC s = column_total(src, batch, count, i, red);
    if (get_local_id(1) == 0 && i < count) dst[dsto + i] = (REAL)s;
}

// bn_reduce_mean (train.cl): out[c] = (sum over n of a[n, c]) / M.
__kernel void bn_reduce_mean_gpu(__global const ACC *a, int N, int C, ulong M, __global REAL *out, ulong oo,
                                 __local ACC *red) {
    const int c = get_global_id(0);
    const ACC s = column_total(a, N, C, c, red);
    if (get_local_id(1) == 0 && c < C) out[oo + c] = (REAL)(s / (ACC)M);
}

// bn_reduce_backward (train.cl): dbeta[c] = sum_n a, dgamma[c] = sum_n b / sqrt(var + eps).
__kernel void bn_reduce_backward_gpu(__global const ACC *a, __global const ACC *b, int N, int C,
                                     __global const REAL *var, ulong vo, REAL eps,
                                     __global REAL *dgamma, ulong gdo, __global REAL *dbeta, ulong bdo,
                                     __local ACC *red) {
    const int c = get_global_id(0), ty = get_local_id(1), TY = get_local_size(1);
    ACC sa = 0, sb = 0;
    if (c < C)
        for (int n = ty; n < N; n += TY) {
            sa += a[(ulong)n * C + c];
            sb += b[(ulong)n * C + c];
        }
    sa = column_tree(red, sa);
    sb = column_tree(red, sb);
    if (ty == 0 && c < C) {
        const REAL invstd = (REAL)1 / sqrt(var[vo + c] + eps);
        dbeta[bdo + c] = (REAL)sa;
        dgamma[gdo + c] = (REAL)sb * invstd;
    }
}
