// GEMM on REAL (see real.h): C = alpha * op(A) * op(B) + beta * C, row-major, strided-batched,
// op(X) = X or X^T. Written for PoCL's CPU device (one work-item a work-group, no barriers,
// register-blocked floatN/doubleN microkernel, operand panels packed into __local, which on a
// CPU device is ordinary per-thread memory), but it is plain OpenCL C 1.2 for any device.
//
// CONTRACT (the host side is written against exactly this):
//   kernel:  gemm(ulong m, ulong n, ulong k, REAL alpha,
//                 __global const REAL *A, ulong offA, ulong lda, ulong strideA,
//                 __global const REAL *B, ulong offB, ulong ldb, ulong strideB,
//                 REAL beta, __global REAL *C, ulong offC, ulong ldc, ulong strideC)
//   Matrix b of the batch (b = 0 .. batch-1) lives at A + offA + b*strideA (likewise B, C); all
//   offsets, strides and leading dimensions are in elements. op(A) is m x k, op(B) is k x n, C is m x n.
//   Stored shapes (row-major): A is m x k (lda >= k), or k x m (lda >= m) with -DTRANS_A;
//                              B is k x n (ldb >= n), or n x k (ldb >= k) with -DTRANS_B; ldc >= n.
//   Transposes are build options: -DTRANS_A and/or -DTRANS_B (four programs a dtype).
//   Build options: the dtype's (real.h) plus -DTRANS_A/-DTRANS_B, optionally tile macros:
//     VW  vector width of the microkernel                  default 16 (float) / 8 (double)
//     TM  rows of C in a register tile                     default 8 (float) / 6 (double)
//     TN  columns of C in a register tile, multiple of VW  default 32 (float) / 16 (double)
//     MB  register tiles a work-item stacks down m         default 16
//     KC  k-block length (panels packed per block)         default 256
//   NDRange: work_dim 3, global = { ceil(n / TN), ceil(m / (TM * MB)), batch }, local = { 1, 1, 1 }
//     (or NULL; the kernel requires 1x1x1). The host must use the same TM, TN, MB it built with.
//   Do not launch when m == 0, n == 0 or batch == 0 (nothing to do; an empty NDRange is invalid);
//   k == 0 must still be launched: it sets C = beta * C (C = 0 when beta == 0).
//   No alignment or size constraints: any m, n, k, lda, ldb, ldc, offsets (edges are zero-padded
//   in the packed panels / clamped, and only in-range C elements are written).
//   beta == 0 overwrites C without reading it (NaN in C does not leak), as BLAS. NaN/Inf in A or B
//   propagate as in a plain dot product (no alpha == 0 or zero-operand shortcuts).
//   Accumulation is in REAL with fma (as BLAS sgemm/dgemm); ACC from real.h is not used. For
//   k > KC the k-blocks after the first add alpha * partial to C, so rounding differs slightly
//   from a single alpha * sum.
//   __local use: KC*TN REALs, plus KC*TM*MB REALs with -DTRANS_A (float defaults: 32 KiB, plus 128 KiB
//   with TRANS_A; double: 32 KiB, plus 192 KiB). The device must allow that much local memory.
#include "real.h"

#ifdef REAL_IS_DOUBLE
#ifndef VW
#define VW 8
#endif
#ifndef TN
#define TN 16
#endif
#ifndef TM
#define TM 6
#endif
#else
#ifndef VW
#define VW 16
#endif
#ifndef TN
#define TN 32
#endif
#ifndef TM
#define TM 8
#endif
#endif
#ifndef MB
#define MB 16
#endif
#ifndef KC
#define KC 256
#endif

#if TN % VW != 0
#error "TN must be a multiple of VW"
#endif

#define GEMM_CAT_(a, b) a##b
#define GEMM_CAT(a, b) GEMM_CAT_(a, b)
#define VEC GEMM_CAT(REAL, VW)
#define VLOAD GEMM_CAT(vload, VW)
#define VSTORE GEMM_CAT(vstore, VW)
#define NV (TN / VW)
#define MS (TM * MB)

__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void gemm(ulong m, ulong n, ulong k, REAL alpha,
          __global const REAL *A, ulong offA, ulong lda, ulong strideA,
          __global const REAL *B, ulong offB, ulong ldb, ulong strideB,
          REAL beta, __global REAL *C, ulong offC, ulong ldc, ulong strideC) {
    __local VEC Bl[KC * NV];
#ifdef TRANS_A
    __local REAL Al[MB * KC * TM];
#endif
    __local REAL *Bs = (__local REAL *)Bl;
    const ulong j0 = get_global_id(0) * TN;
    const ulong i0 = get_global_id(1) * MS;
    const ulong bidx = get_global_id(2);
    if (i0 >= m || j0 >= n) return;
    A += offA + bidx * strideA;
    B += offB + bidx * strideB;
    C += offC + bidx * strideC;
    const bool fullN = j0 + TN <= n;
    const int ntiles = (int)min((ulong)MB, (m - i0 + TM - 1) / TM);

    for (ulong kb = 0;; kb += KC) {
        const int kc = (int)min((ulong)KC, k - kb);
        const bool first = kb == 0;
        // Pack op(B)[kb .. kb+kc, j0 .. j0+TN] into Bl (row p holds TN values), zero-padded past n.
#ifdef TRANS_B
        for (int x = 0; x < TN; x++) {
            if (j0 + x < n) {
                __global const REAL *src = B + (j0 + x) * ldb + kb;
                for (int p = 0; p < kc; p++) Bs[p * TN + x] = src[p];
            } else {
                for (int p = 0; p < kc; p++) Bs[p * TN + x] = 0;
            }
        }
#else
        if (fullN) {
            for (int p = 0; p < kc; p++) {
                __global const REAL *src = B + (kb + p) * ldb + j0;
#pragma unroll
                for (int v = 0; v < NV; v++) Bl[p * NV + v] = VLOAD(v, src);
            }
        } else {
            for (int p = 0; p < kc; p++) {
                __global const REAL *src = B + (kb + p) * ldb + j0;
                for (int x = 0; x < TN; x++) Bs[p * TN + x] = j0 + x < n ? src[x] : (REAL)0;
            }
        }
#endif
#ifdef TRANS_A
        // Pack op(A)[i0 .. i0+MS, kb .. kb+kc] as Al[p][i] (MS values a row), zero past m.
#if MS % VW == 0
        if (i0 + MS <= m) {
            for (int p = 0; p < kc; p++) {
                __global const REAL *src = A + (kb + p) * lda + i0;
#pragma unroll
                for (int v = 0; v < MS / VW; v++) VSTORE(VLOAD(v, src), v, Al + p * MS);
            }
        } else
#endif
        {
            for (int p = 0; p < kc; p++) {
                __global const REAL *src = A + (kb + p) * lda + i0;
                for (int i = 0; i < MS; i++) Al[p * MS + i] = i0 + i < m ? src[i] : (REAL)0;
            }
        }
#endif
        for (int t = 0; t < ntiles; t++) {
            const ulong it = i0 + t * TM;
            VEC acc[TM][NV];
#pragma unroll
            for (int r = 0; r < TM; r++)
#pragma unroll
                for (int v = 0; v < NV; v++) acc[r][v] = (VEC)0;
#ifdef TRANS_A
            __local const REAL *ap = Al + t * TM;
#define A_ELEM(r, p) ap[(p) * MS + (r)]
#else
            __global const REAL *ar[TM];
#pragma unroll
            for (int r = 0; r < TM; r++) ar[r] = A + min(it + r, m - 1) * lda + kb;
#define A_ELEM(r, p) ar[r][p]
#endif
            for (int p = 0; p < kc; p++) {
                VEC b[NV];
#pragma unroll
                for (int v = 0; v < NV; v++) b[v] = Bl[p * NV + v];
#pragma unroll
                for (int r = 0; r < TM; r++) {
                    VEC a = (VEC)(A_ELEM(r, p));
#pragma unroll
                    for (int v = 0; v < NV; v++) acc[r][v] = fma(a, b[v], acc[r][v]);
                }
            }
            // Write back: the first k block applies beta (beta == 0 never reads C),
            // later blocks add to what the first wrote.
#pragma unroll
            for (int r = 0; r < TM; r++) {
                if (it + r >= m) break;
                __global REAL *c = C + (it + r) * ldc + j0;
                if (fullN) {
#pragma unroll
                    for (int v = 0; v < NV; v++) {
                        VEC x = alpha * acc[r][v];
                        if (!first) x += VLOAD(v, c);
                        else if (beta != (REAL)0) x += beta * VLOAD(v, c);
                        VSTORE(x, v, c);
                    }
                } else {
                    REAL tmp[TN];
#pragma unroll
                    for (int v = 0; v < NV; v++) VSTORE(acc[r][v], v, tmp);
                    for (int x = 0; j0 + x < n; x++) {
                        REAL y = alpha * tmp[x];
                        if (!first) y += c[x];
                        else if (beta != (REAL)0) y += beta * c[x];
                        c[x] = y;
                    }
                }
            }
        }
        if (kb + KC >= k) break;
    }
}
