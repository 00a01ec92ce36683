// Discrete information bottleneck: the self-consistent iterations of Tishby, Pereira & Bialek
// (docs/information-bottleneck.md B8),
//   p(t)   = Σ_x p(x) p(t|x)
//   p(y|t) = Σ_x p(t|x) p(x) p(y|x) / p(t)
//   p(t|x) ∝ p(t) exp(−β KL(p(y|x) ‖ p(y|t))),
// for a grid of β values in one launch: work-group b iterates β_b until the largest change of
// p(t|x) is below tol or max_iter iterations have run. The work-items of a group share the
// loops over t, (t, y) and x; the convergence test is a max-reduction in local memory.
// Layouts (row-major): q [B][nx][nk], pt [B][nk], pyt [B][nk][ny], logits [B][nx][nk].
// The CPU twin (DiscreteIBSweep.cpuIterate) follows the same order of operations.
#include "real.h"

__kernel void ib_iterate(__global const REAL* px, __global const REAL* pyx, __global const REAL* betas,
                         __global REAL* q, __global REAL* pt, __global REAL* pyt, __global REAL* logits,
                         __global int* iters, __global REAL* change,
                         const uint nx, const uint ny, const uint nk, const uint max_iter, const REAL tol,
                         __local ACC* red)
{
    const uint b = get_group_id(0);
    const uint lid = get_local_id(0);
    const uint L = get_local_size(0);
    const ACC beta = (ACC)betas[b];
    __global REAL* qb = q + (size_t)b * nx * nk;
    __global REAL* ptb = pt + (size_t)b * nk;
    __global REAL* pytb = pyt + (size_t)b * nk * ny;
    __global REAL* lb = logits + (size_t)b * nx * nk;

    uint it = 0;
    ACC last = 0;
    while (it < max_iter) {
        for (uint t = lid; t < nk; t += L) {
            ACC s = 0;
            for (uint x = 0; x < nx; ++x) s += (ACC)px[x] * (ACC)qb[x * nk + t];
            ptb[t] = (REAL)s;
        }
        barrier(CLK_GLOBAL_MEM_FENCE);
        for (uint j = lid; j < nk * ny; j += L) {
            const uint t = j / ny, y = j % ny;
            ACC s = 0;
            for (uint x = 0; x < nx; ++x) s += (ACC)qb[x * nk + t] * (ACC)px[x] * (ACC)pyx[x * ny + y];
            pytb[j] = ptb[t] > 0 ? (REAL)(s / (ACC)ptb[t]) : (REAL)0;
        }
        barrier(CLK_GLOBAL_MEM_FENCE);
        ACC worst = 0;
        for (uint x = lid; x < nx; x += L) {
            // Logits log p(t) − β KL; −∞ for an empty cluster or an infinite divergence.
            ACC m = -INFINITY;
            for (uint t = 0; t < nk; ++t) {
                ACC l = -INFINITY;
                if (ptb[t] > 0) {
                    ACC kl = 0;
                    for (uint y = 0; y < ny; ++y) {
                        const ACC a = (ACC)pyx[x * ny + y];
                        if (a > 0) {
                            const ACC c = (ACC)pytb[t * ny + y];
                            kl = c > 0 ? kl + a * log(a / c) : (ACC)INFINITY;
                        }
                    }
                    l = log((ACC)ptb[t]) - beta * kl;
                }
                lb[x * nk + t] = (REAL)l;
                m = fmax(m, (ACC)lb[x * nk + t]);
            }
            if (m == -INFINITY) continue;
            ACC z = 0;
            for (uint t = 0; t < nk; ++t) z += exp((ACC)lb[x * nk + t] - m);
            for (uint t = 0; t < nk; ++t) {
                const REAL v = (REAL)(exp((ACC)lb[x * nk + t] - m) / z);
                worst = fmax(worst, fabs((ACC)v - (ACC)qb[x * nk + t]));
                qb[x * nk + t] = v;
            }
        }
        red[lid] = worst;
        barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
        for (uint s = L / 2; s > 0; s >>= 1) {
            if (lid < s) red[lid] = fmax(red[lid], red[lid + s]);
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        last = red[0];
        barrier(CLK_LOCAL_MEM_FENCE);
        ++it;
        if (last < (ACC)tol) break;
    }
    if (lid == 0) {
        iters[b] = (int)it;
        change[b] = (REAL)last;
    }
}
