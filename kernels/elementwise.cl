// Elementwise maps and reductions over REAL (see real.h). The CPU twins are in
// Sources/Compute/Backend/CPUBackend+Elementwise.swift; the op codes match UnaryOp.
#include "real.h"

// sech^2 computed as 1/cosh^2: 1 - tanh^2 cancels for large |x| (docs/README.md, notation).
inline REAL sech2(REAL x) {
    REAL c = cosh(x);
    return (REAL)1 / (c * c);
}

inline REAL unary_apply(int op, REAL x) {
    switch (op) {
    case 0: return tanh(x);
    case 1: return sech2(x);
    case 2: return (REAL)1 / ((REAL)1 + exp(-x));
    case 3: return exp(x);
    case 4: return log(x);
    case 5: return fabs(x);
    case 6: return x > (REAL)0 ? x : (REAL)0;
    case 7: return x * x;
    case 8: return sqrt(x);
    default: return x;
    }
}

// y[i] = op(x[i])
__kernel void unary(__global const REAL *x, ulong xo, __global REAL *y, ulong yo, ulong n, int op) {
    ulong i = get_global_id(0);
    if (i < n) y[yo + i] = unary_apply(op, x[xo + i]);
}

// y = alpha * x + beta * y. beta == 0 overwrites y (NaN in y does not leak), as BLAS does.
__kernel void axpby(REAL alpha, __global const REAL *x, ulong xo, REAL beta, __global REAL *y, ulong yo, ulong n) {
    ulong i = get_global_id(0);
    if (i < n) y[yo + i] = beta == (REAL)0 ? alpha * x[xo + i] : alpha * x[xo + i] + beta * y[yo + i];
}

// Partial sums of x (or of x*y when y is given): work-item g sums x[g], x[g + G], ...
// into partial[g]; the host adds the G partials. Barrier-free (local memory is slow on PoCL).
__kernel void partial_sum(__global const REAL *x, ulong xo, ulong n, __global ACC *partial) {
    ulong g = get_global_id(0), G = get_global_size(0);
    ACC s = 0;
    for (ulong i = g; i < n; i += G) s += (ACC)x[xo + i];
    partial[g] = s;
}

__kernel void partial_dot(__global const REAL *x, ulong xo, __global const REAL *y, ulong yo, ulong n,
                          __global ACC *partial) {
    ulong g = get_global_id(0), G = get_global_size(0);
    ACC s = 0;
    for (ulong i = g; i < n; i += G) s += (ACC)x[xo + i] * (ACC)y[yo + i];
    partial[g] = s;
}

inline REAL binary_apply(int op, REAL a, REAL b) {
    switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    default: return b > (REAL)0 ? a : (REAL)0;  // maskPositive: the ReLU gradient
    }
}

// z[i] = x[i] op y[i]
__kernel void binary(__global const REAL *x, ulong xo, __global const REAL *y, ulong yo,
                     __global REAL *z, ulong zo, ulong n, int op) {
    ulong i = get_global_id(0);
    if (i < n) z[zo + i] = binary_apply(op, x[xo + i], y[yo + i]);
}

// y[r, c] = v[r] * x[r, c] + beta * y[r, c] for a row-major rows x cols block: diag(v) X + beta Y
// (beta == 0 overwrites).
__kernel void scale_rows(__global const REAL *v, ulong vo, __global const REAL *x, ulong xo,
                         __global REAL *y, ulong yo, ulong cols, ulong n, REAL beta) {
    ulong i = get_global_id(0);
    if (i < n) {
        REAL s = v[vo + i / cols] * x[xo + i];
        y[yo + i] = beta == (REAL)0 ? s : s + beta * y[yo + i];
    }
}

// y[r, c] = v[c] * x[r, c] + beta * y[r, c]: X diag(v) + beta Y.
__kernel void scale_cols(__global const REAL *v, ulong vo, __global const REAL *x, ulong xo,
                         __global REAL *y, ulong yo, ulong cols, ulong n, REAL beta) {
    ulong i = get_global_id(0);
    if (i < n) {
        REAL s = v[vo + i % cols] * x[xo + i];
        y[yo + i] = beta == (REAL)0 ? s : s + beta * y[yo + i];
    }
}

__kernel void fill(__global REAL *y, ulong yo, REAL value, ulong n) {
    ulong i = get_global_id(0);
    if (i < n) y[yo + i] = value;
}
