// GEMM on REAL (see real.h) shaped for GPUs: C = alpha * op(A) * op(B) + beta * C, row-major,
// strided-batched, op(X) = X or X^T. The scheme is the classic one of CLBlast's xgemm and of
// Volkov & Demmel, "Benchmarking GPUs to tune dense linear algebra" (SC'08): a work-group of
// NDIMC x MDIMC work-items computes an MWG x NWG block of C; per KWG-deep step it stages the
// MWG x KWG slice of op(A) and the KWG x NWG slice of op(B) in __local memory (every work-item
// loads a share, coalesced along the stored matrix's contiguous dimension), synchronises, and
// each work-item accumulates an MWI x NWI register tile (MWI = MWG/MDIMC, NWI = NWG/NDIMC).
//
// CONTRACT (host side: Sources/OpenCLRuntime/Launchers/GemmKernels.swift, GemmKernels.tiled):
//   kernel:  gemm_tiled(ulong m, ulong n, ulong k, REAL alpha,
//                       __global const REAL *A, ulong offA, ulong lda, ulong strideA,
//                       __global const REAL *B, ulong offB, ulong ldb, ulong strideB,
//                       REAL beta, __global REAL *C, ulong offC, ulong ldc, ulong strideC)
//   The same argument list and storage conventions as kernels/gemm.cl (read its CONTRACT).
//   Build options: the dtype's (real.h), -DTRANS_A / -DTRANS_B, and the tile macros
//     MWG NWG KWG   block of C per work-group, and depth of one k step
//     MDIMC NDIMC   work-group shape (local size = { NDIMC, MDIMC, 1 })
//     VW            vector width: register columns are VW-wide chunks, read from __local with vloadN
//     VEC_GLOBAL    (defined by the host only when every operand's offset, leading dimension and
//                   stride are multiples of VW) global loads of VW consecutive elements use vloadN
//   Requirements: MWG % MDIMC == 0, NWG % (NDIMC * VW) == 0, MWG, NWG, KWG multiples of VW.
//   NDRange: global = { ceil(n / NWG) * NDIMC, ceil(m / MWG) * MDIMC, batch }, local = { NDIMC, MDIMC, 1 }.
//   __local use: (MWG + NWG) * KWG REALs.
//   Edges: any m, n, k >= 0 (tiles are zero-padded, only in-range C elements are written).
//   k == 0 sets C = beta * C; beta == 0 overwrites C without reading it (as BLAS).
//   Accumulation is in REAL with fma, as BLAS sgemm/dgemm.
#include "real.h"

#ifndef MWG
#define MWG 32
#endif
#ifndef NWG
#define NWG 32
#endif
#ifndef KWG
#define KWG 16
#endif
#ifndef MDIMC
#define MDIMC 8
#endif
#ifndef NDIMC
#define NDIMC 8
#endif
#ifndef VW
#define VW 1
#endif

#define MWI (MWG / MDIMC)
#define NWI (NWG / NDIMC)
#define NVEC (NWI / VW)
#define WGS (MDIMC * NDIMC)

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#if VW == 1
typedef REAL realV;
#define VLOAD(p) (*(p))
#define VSTORE(v, p) (*(p) = (v))
#else
typedef CAT(REAL, VW) realV;
#define VLOAD(p) CAT(vload, VW)(0, (p))
#define VSTORE(v, p) CAT(vstore, VW)((v), 0, (p))
#endif

#if (MWG % MDIMC) != 0 || (NWG % (NDIMC * VW)) != 0 || (MWG % VW) != 0 || (KWG % VW) != 0
#error "gemm_tiled: MWG % MDIMC, NWG % (NDIMC*VW), MWG % VW and KWG % VW must be 0"
#endif

// Copies the TR x TC tile at (r0, c0) of a row-major R x CN matrix (row pitch ld) into local
// memory, element (r, c) to dst[r * sr + c * sc]; zeros outside the matrix. Work-item `tid`
// of the group takes every WGS-th run of VW consecutive elements of a row (coalesced).
inline void load_tile(__local REAL *dst, const uint sr, const uint sc,
                      __global const REAL *src, const ulong ld, const ulong r0, const ulong c0,
                      const ulong R, const ulong CN, const uint TR, const uint TC, const uint tid) {
    const uint tcv = TC / VW;
    for (uint e = tid; e < TR * tcv; e += WGS) {
        const uint r = e / tcv, c = (e % tcv) * VW;
        const ulong gr = r0 + r, gc = c0 + c;
#if defined(VEC_GLOBAL) && VW > 1
        if (gr < R && gc + VW <= CN) {
            REAL tmp[VW];
            VSTORE(VLOAD(src + gr * ld + gc), tmp);
            for (uint v = 0; v < VW; v++) dst[r * sr + (c + v) * sc] = tmp[v];
            continue;
        }
#endif
        for (uint v = 0; v < VW; v++)
            dst[r * sr + (c + v) * sc] = (gr < R && gc + v < CN) ? src[gr * ld + gc + v] : (REAL)0;
    }
}

__kernel __attribute__((reqd_work_group_size(NDIMC, MDIMC, 1)))
void gemm_tiled(const ulong M, const ulong N, const ulong K, const REAL alpha,
                __global const REAL *A, const ulong offA, const ulong lda, const ulong strideA,
                __global const REAL *B, const ulong offB, const ulong ldb, const ulong strideB,
                const REAL beta, __global REAL *C, const ulong offC, const ulong ldc, const ulong strideC) {
    __local REAL Alm[KWG * MWG];  // Alm[kk * MWG + mm] = op(A)(m0 + mm, k0 + kk)
    __local REAL Blm[KWG * NWG];  // Blm[kk * NWG + nn] = op(B)(k0 + kk, n0 + nn)
    const uint tx = get_local_id(0), ty = get_local_id(1);
    const uint tid = ty * NDIMC + tx;
    const ulong m0 = (ulong)get_group_id(1) * MWG, n0 = (ulong)get_group_id(0) * NWG;
    const ulong bi = get_global_id(2);
    A += offA + bi * strideA;
    B += offB + bi * strideB;
    C += offC + bi * strideC;

    // Work-item (tx, ty) owns rows m0 + ty + i*MDIMC and the VW-wide column chunks starting at
    // n0 + (c*NDIMC + tx)*VW: neighbours read neighbouring local words and write neighbouring C.
    REAL acc[MWI][NWI];
#pragma unroll
    for (uint i = 0; i < MWI; i++)
#pragma unroll
        for (uint j = 0; j < NWI; j++) acc[i][j] = 0;

    for (ulong k0 = 0; k0 < K; k0 += KWG) {
#ifdef TRANS_A  // stored k x m
        load_tile(Alm, MWG, 1, A, lda, k0, m0, K, M, KWG, MWG, tid);
#else           // stored m x k
        load_tile(Alm, 1, MWG, A, lda, m0, k0, M, K, MWG, KWG, tid);
#endif
#ifdef TRANS_B  // stored n x k
        load_tile(Blm, 1, NWG, B, ldb, n0, k0, N, K, NWG, KWG, tid);
#else           // stored k x n
        load_tile(Blm, NWG, 1, B, ldb, k0, n0, K, N, KWG, NWG, tid);
#endif
        barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll 4
        for (uint kk = 0; kk < KWG; kk++) {
            REAL a[MWI];
#pragma unroll
            for (uint i = 0; i < MWI; i++) a[i] = Alm[kk * MWG + ty + i * MDIMC];
#pragma unroll
            for (uint c = 0; c < NVEC; c++) {
                REAL b[VW];
                VSTORE(VLOAD(Blm + kk * NWG + (c * NDIMC + tx) * VW), b);
#pragma unroll
                for (uint i = 0; i < MWI; i++)
#pragma unroll
                    for (uint v = 0; v < VW; v++)
                        acc[i][c * VW + v] = fma(a[i], b[v], acc[i][c * VW + v]);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

#pragma unroll
    for (uint i = 0; i < MWI; i++) {
        const ulong gm = m0 + ty + i * MDIMC;
        if (gm >= M) continue;
#pragma unroll
        for (uint c = 0; c < NVEC; c++)
#pragma unroll
            for (uint v = 0; v < VW; v++) {
                const ulong gn = n0 + (c * NDIMC + tx) * VW + v;
                if (gn >= N) continue;
                __global REAL *p = C + gm * ldc + gn;
                *p = beta == (REAL)0 ? alpha * acc[i][c * VW + v] : fma(beta, *p, alpha * acc[i][c * VW + v]);
            }
    }
}
