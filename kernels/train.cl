// Training ops over REAL (real.h): batch normalisation statistics, forward and backward on
// x viewed as [N, C, S] (S = H*W, 1 for feature vectors), and softmax cross-entropy per row
// (docs/training.md N2–N4).
// Host side: Sources/Kernels/TrainingKernels.swift; CPU twins: CPUTraining in
// Sources/Compute/Training/CPUBackend+Training.swift, whose order of operations these follow
// (per-plane sums in ACC, then a sum over n in order).
#include "real.h"

// Partial sums of one plane (n, c) each; global = { C, N }, partials [N, C].
// mode 0: a = sum x; mode 1: a = sum (x - mean[c])^2; mode 2: a = sum dy, b = sum dy (x - mean[c]).
__kernel void bn_plane_sums(__global const REAL *x, ulong xo, __global const REAL *dy, ulong dyo,
                            __global const REAL *mean, ulong mo, int C, int S, int mode,
                            __global ACC *a, __global ACC *b) {
    const int c = get_global_id(0), n = get_global_id(1);
    if (c >= C) return;
    const ulong base = ((ulong)n * C + c) * (ulong)S;
    __global const REAL *px = x + xo + base;
    ACC sa = 0, sb = 0;
    if (mode == 0) {
        for (int s = 0; s < S; s++) sa += (ACC)px[s];
    } else if (mode == 1) {
        const ACC m = (ACC)mean[mo + c];
        for (int s = 0; s < S; s++) {
            const ACC d = (ACC)px[s] - m;
            sa += d * d;
        }
    } else {
        const ACC m = (ACC)mean[mo + c];
        __global const REAL *pg = dy + dyo + base;
        for (int s = 0; s < S; s++) {
            const ACC g = (ACC)pg[s];
            sa += g;
            sb += g * ((ACC)px[s] - m);
        }
    }
    a[n * C + c] = sa;
    if (mode == 2) b[n * C + c] = sb;
}

// out[c] = (sum over n of a[n, c]) / M; global = { C }.
__kernel void bn_reduce_mean(__global const ACC *a, int N, int C, ulong M, __global REAL *out, ulong oo) {
    const int c = get_global_id(0);
    if (c >= C) return;
    ACC s = 0;
    for (int n = 0; n < N; n++) s += a[n * C + c];
    out[oo + c] = (REAL)(s / (ACC)M);
}

// dbeta[c] = sum dy, dgamma[c] = sum dy * xhat = (sum dy (x - mean)) / sqrt(var + eps); global = { C }.
__kernel void bn_reduce_backward(__global const ACC *a, __global const ACC *b, int N, int C,
                                 __global const REAL *var, ulong vo, REAL eps,
                                 __global REAL *dgamma, ulong gdo, __global REAL *dbeta, ulong bdo) {
    const int c = get_global_id(0);
    if (c >= C) return;
    ACC sa = 0, sb = 0;
    for (int n = 0; n < N; n++) {
        sa += a[n * C + c];
        sb += b[n * C + c];
    }
    const REAL invstd = (REAL)1 / sqrt(var[vo + c] + eps);
    dbeta[bdo + c] = (REAL)sa;
    dgamma[gdo + c] = (REAL)sb * invstd;
}

// y = gamma (x - mean) / sqrt(var + eps) + beta, per channel; one work-item per element.
__kernel void bn_forward(__global const REAL *x, ulong xo, __global const REAL *mean, ulong mo,
                         __global const REAL *var, ulong vo, __global const REAL *gamma, ulong go,
                         __global const REAL *beta, ulong bo, REAL eps, int C, int S, ulong count,
                         __global REAL *y, ulong yo) {
    const ulong i = get_global_id(0);
    if (i >= count) return;
    const int c = (int)((i / (ulong)S) % (ulong)C);
    const REAL invstd = (REAL)1 / sqrt(var[vo + c] + eps);
    y[yo + i] = gamma[go + c] * ((x[xo + i] - mean[mo + c]) * invstd) + beta[bo + c];
}

// Training-mode input gradient, with xhat = (x - mean) / sqrt(var + eps) and M = N*S:
// dx = gamma / sqrt(var + eps) * (dy - dbeta / M - xhat * dgamma / M).
__kernel void bn_backward_input(__global const REAL *x, ulong xo, __global const REAL *dy, ulong dyo,
                                __global const REAL *mean, ulong mo, __global const REAL *var, ulong vo,
                                __global const REAL *gamma, ulong go, __global const REAL *dgamma, ulong gdo,
                                __global const REAL *dbeta, ulong bdo, REAL eps, int C, int S, ulong count,
                                __global REAL *dx, ulong dxo) {
    const ulong i = get_global_id(0);
    if (i >= count) return;
    const int c = (int)((i / (ulong)S) % (ulong)C);
    const REAL invstd = (REAL)1 / sqrt(var[vo + c] + eps);
    const REAL M = (REAL)(count / (ulong)C);
    const REAL xhat = (x[xo + i] - mean[mo + c]) * invstd;
    dx[dxo + i] = gamma[go + c] * invstd * (dy[dyo + i] - dbeta[bdo + c] / M - xhat * dgamma[gdo + c] / M);
}

// One row n of logits z [N, K] per work-item: loss[n] = logsumexp(z_n) - z_n[label],
// correct[n] = 1 when the first maximum of z_n is at the label (else 0), and, when wantGrad,
// dz_n = (softmax(z_n) - onehot(label)) * gradScale. Labels are class indices stored as REAL.
__kernel void softmax_xent(__global const REAL *z, ulong zo, __global const REAL *labels, ulong lo, int N, int K,
                           REAL gradScale, int wantGrad, __global REAL *loss, ulong lso, __global REAL *correct,
                           ulong co, __global REAL *dz, ulong dzo) {
    const int n = get_global_id(0);
    if (n >= N) return;
    __global const REAL *row = z + zo + (ulong)n * K;
    REAL m = row[0];
    int arg = 0;
    for (int k = 1; k < K; k++) {
        if (row[k] > m) {
            m = row[k];
            arg = k;
        }
    }
    ACC s = 0;
    for (int k = 0; k < K; k++) s += exp((ACC)(row[k] - m));
    const int y = (int)labels[lo + n];
    loss[lso + n] = (REAL)(log(s) - (ACC)(row[y] - m));
    correct[co + n] = arg == y ? (REAL)1 : (REAL)0;
    if (wantGrad) {
        __global REAL *g = dz + dzo + (ulong)n * K;
        for (int k = 0; k < K; k++) {
            const ACC p = exp((ACC)(row[k] - m)) / s;
            g[k] = (REAL)((p - (k == y ? (ACC)1 : (ACC)0)) * (ACC)gradScale);
        }
    }
}
