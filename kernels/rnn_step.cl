// The pointwise half of a fused RNN step (issue 17): after one GEMM of the state rows with the
// stacked gate weights (G = H W_hhᵀ, [B, gates·N], and X = x W_ihᵀ for driven cells), one
// work-item per (row b, unit j) adds the biases, applies every gate nonlinearity and the update.
// CPU twin: Sources/Dynamics/Models/CPUBackend+RNNStep.swift (same formulas, same order).
// Biases are [networks, gates·N]; row b uses network b when `per_row` is 1, else network 0.
#include "real.h"

inline REAL rnn_sigmoid(REAL x) { return (REAL)1 / ((REAL)1 + exp(-x)); }

// GRU, docs/models.md (M13, M16):
//   r = σ(X_r + G_r + b_r), z = σ(X_z + G_z + b_z), b_r, b_z the summed b_i· + b_h· (gate_bias),
//   n = tanh(X_n + b_in + r ⊙ (G_n + b_hn)),  h' = n + z ⊙ (h − n).
// has_x = 0: x = 0 (the autonomous map), X is not read.
__kernel void gru_update(__global const REAL *g, ulong go, __global const REAL *x, ulong xo, int has_x,
                         __global const REAL *gate_bias, __global const REAL *bias_hh, int per_row,
                         __global REAL *h, ulong ho, uint n, uint rows) {
    uint j = get_global_id(0), b = get_global_id(1);
    if (j >= n || b >= rows) return;
    ulong row = (ulong)b * 3 * n, bias = (per_row ? (ulong)b : 0) * 3 * n;
    REAL xr = 0, xz = 0, xn = 0;
    if (has_x) {
        xr = x[xo + row + j];
        xz = x[xo + row + n + j];
        xn = x[xo + row + 2 * n + j];
    }
    REAL ar = gate_bias[bias + j] + g[go + row + j] + xr;
    REAL az = gate_bias[bias + n + j] + g[go + row + n + j] + xz;
    REAL m = bias_hh[bias + 2 * n + j] + g[go + row + 2 * n + j];
    REAL r = rnn_sigmoid(ar);
    REAL an = gate_bias[bias + 2 * n + j] + xn + r * m;
    REAL z = rnn_sigmoid(az), nn = tanh(an);
    ulong k = ho + (ulong)b * n + j;
    h[k] = nn + z * (h[k] - nn);
}

// LSTM, docs/models.md (M18, M21): gates i, f, g, o in PyTorch's order,
//   a = G + X + (b_ih + b_hh),  c' = σ(a_f) c + σ(a_i) tanh(a_g),  h' = σ(a_o) tanh(c').
// h and c are the two segments of the state ([B, N] each).
__kernel void lstm_update(__global const REAL *g, ulong go, __global const REAL *x, ulong xo, int has_x,
                          __global const REAL *gate_bias, int per_row, __global REAL *h, ulong ho,
                          __global REAL *c, ulong co, uint n, uint rows) {
    uint j = get_global_id(0), b = get_global_id(1);
    if (j >= n || b >= rows) return;
    ulong row = (ulong)b * 4 * n, bias = (per_row ? (ulong)b : 0) * 4 * n;
    REAL a[4];
    for (uint q = 0; q < 4; q++) {
        a[q] = gate_bias[bias + q * n + j] + g[go + row + q * n + j];
        if (has_x) a[q] += x[xo + row + q * n + j];
    }
    ulong k = (ulong)b * n + j;
    REAL cn = rnn_sigmoid(a[1]) * c[co + k] + rnn_sigmoid(a[0]) * tanh(a[2]);
    c[co + k] = cn;
    h[ho + k] = rnn_sigmoid(a[3]) * tanh(cn);
}

// ---- Flows (rate network, gated RNN): Euler steps and RK4 stages around one GEMM each ----
// A stage kernel finishes the previous stage from the GEMM result K (its slope k, x += a_prev k,
// the next stage state y = x0 + c_next k) and prepares the next GEMM's operand P, so a step is
// (kernel, GEMM) per stage plus, for the gated RNN, one closing kernel. Modes: 0 begins a step
// (y = x0 = x), 1 finishes a stage and begins the next, 2 finishes the last stage (no P).

// Rate network, docs/models.md (M1, M4): f(y) = −y + J tanh(y), the
// GEMM gives K = tanh(y) Jᵀ, so k = K − y. `last`: the next GEMM is the step's final one and
// adds a_last J tanh(y) straight into x, so x −= a_last y here (x + a_last (K − y) in total).
__kernel void rate_stage(int mode, int last, REAL a_prev, REAL c_next, REAL a_last, __global REAL *x, ulong xo,
                         __global REAL *x0, __global REAL *y, __global const REAL *k, __global REAL *p, ulong count) {
    ulong i = get_global_id(0);
    if (i >= count) return;
    REAL yi;
    if (mode == 0) {
        yi = x[xo + i];
        x0[i] = yi;
    } else {
        REAL ki = k[i] - y[i];
        x[xo + i] += a_prev * ki;
        yi = x0[i] + c_next * ki;
    }
    y[i] = yi;
    p[i] = tanh(yi);
    if (last) x[xo + i] -= a_last * yi;
}

// Gated RNN, docs/models.md (M7, M11), state (h, z, r) segment-major
// [3, B, N]: the GEMM is a strided batch of the three couplings, P_h = σ_r(r) ⊙ φ(h) times J^h,
// P_z = P_r = φ(h) times J^z, J^r, giving K; the slopes are
//   k_h = σ_z(z) ⊙ (−h + K_h),  k_z = (−z + K_z)/τ_z,  k_r = (−r + K_r)/τ_r,
// σ_·(u) = σ(α_· u − β_·). P and K are [3, B, N] (one network) or [B, 3, N] (`interleaved`:
// network b's three products side by side, so matrix 3b + g is the batch entry). In Euler steps
// y and x0 are x itself (mode 0, GEMM, mode 2 with a_prev = δ).
inline ulong gated_pk(int interleaved, uint g, uint b, uint j, uint n, uint rows) {
    return interleaved ? ((ulong)3 * b + g) * n + j : ((ulong)g * rows + b) * n + j;
}

__kernel void gated_stage(int mode, REAL a_prev, REAL c_next, REAL alpha_z, REAL beta_z, REAL alpha_r, REAL beta_r,
                          REAL inv_tau_z, REAL inv_tau_r, __global REAL *x, ulong xo, __global REAL *x0,
                          __global REAL *y, __global const REAL *k, __global REAL *p, int interleaved, uint n,
                          uint rows) {
    uint j = get_global_id(0), b = get_global_id(1);
    if (j >= n || b >= rows) return;
    ulong seg = (ulong)rows * n, e = (ulong)b * n + j;
    REAL yh, yz, yr;
    if (mode == 0) {
        yh = x[xo + e];
        yz = x[xo + seg + e];
        yr = x[xo + 2 * seg + e];
        x0[e] = yh;
        x0[seg + e] = yz;
        x0[2 * seg + e] = yr;
    } else {
        REAL oh = y[e], oz = y[seg + e], orr = y[2 * seg + e];
        REAL sz = rnn_sigmoid(alpha_z * oz - beta_z);
        REAL kh = sz * (k[gated_pk(interleaved, 0, b, j, n, rows)] - oh);
        REAL kz = (k[gated_pk(interleaved, 1, b, j, n, rows)] - oz) * inv_tau_z;
        REAL kr = (k[gated_pk(interleaved, 2, b, j, n, rows)] - orr) * inv_tau_r;
        x[xo + e] += a_prev * kh;
        x[xo + seg + e] += a_prev * kz;
        x[xo + 2 * seg + e] += a_prev * kr;
        if (mode == 2) return;
        yh = x0[e] + c_next * kh;
        yz = x0[seg + e] + c_next * kz;
        yr = x0[2 * seg + e] + c_next * kr;
    }
    y[e] = yh;
    y[seg + e] = yz;
    y[2 * seg + e] = yr;
    REAL phi = tanh(yh);
    p[gated_pk(interleaved, 0, b, j, n, rows)] = rnn_sigmoid(alpha_r * yr - beta_r) * phi;
    p[gated_pk(interleaved, 1, b, j, n, rows)] = phi;
    p[gated_pk(interleaved, 2, b, j, n, rows)] = phi;
}
