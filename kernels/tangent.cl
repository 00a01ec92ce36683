// Tangent products of a whole batch of members (issue 17 point 2): a strided batch of diagonal row
// scalings, so the segment blocks of every member's Q ([B, S, k], member b's block at b·S·k,
// segment s at rows s·N of it) are scaled in one launch, whatever B.
// CPU twin: Sources/Dynamics/Models/TangentOps.swift (same formula).
//   y[b, i, c] = alpha · v[b, i] · x[b, i, c] + beta · y[b, i, c],  b < batch, i < rows, c < cols,
// with block b of each operand at its offset + b · its stride; has_v = 0 reads no v (v = 1).
// beta = 0 overwrites y (y is not read). y may be x (each element is read and written by one
// work-item).
#include "real.h"

__kernel void scale_blocks(__global const REAL *v, ulong vo, ulong vs, int has_v,
                           __global const REAL *x, ulong xo, ulong xs,
                           __global REAL *y, ulong yo, ulong ys,
                           ulong rows, ulong cols, ulong total, REAL alpha, REAL beta) {
    ulong e = get_global_id(0);
    if (e >= total) return;
    ulong per = rows * cols;
    ulong b = e / per, r = e - b * per;
    ulong i = r / cols;
    REAL s = alpha * x[xo + b * xs + r];
    if (has_v) s *= v[vo + b * vs + i];
    ulong k = yo + b * ys + r;
    y[k] = beta == (REAL)0 ? s : s + beta * y[k];
}
