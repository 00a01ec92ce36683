// Shared by the convolution kernels (im2col.cl, conv2d.cl): the geometry of one conv2d as
// kernel arguments, in the order Sources/Kernels/ConvKernels.swift passes them (Conv2dParams):
// batch N, input channels C, height H, width W, output channels O, kernel KH x KW, stride
// SH x SW, padding PH x PW, dilation DH x DW, output OH x OW, groups G. Every tensor is NCHW
// (weights OIHW, with C / G input channels) and fits 32-bit indices per dimension; flat
// offsets are computed in ulong.
#ifndef GPURUN_CONV_H
#define GPURUN_CONV_H

#define CONV_GEOM int N, int C, int H, int W, int O, int KH, int KW, int SH, int SW, int PH, int PW, \
    int DH, int DW, int OH, int OW, int G

// Row segments as REALn vectors (include real.h first). VW is a build option: default 16 for
// float, 8 for double.
#ifndef VW
#ifdef REAL_IS_DOUBLE
#define VW 8
#else
#define VW 16
#endif
#endif
#define CONV_CAT_(a, b) a##b
#define CONV_CAT(a, b) CONV_CAT_(a, b)
#define VEC CONV_CAT(REAL, VW)
#define VLOAD CONV_CAT(vload, VW)
#define VSTORE CONV_CAT(vstore, VW)

// Lanes i < VW of row r at positions p0 + i*S: r[p0 + i*S] inside 0 .. n-1, 0 outside.
inline VEC row_segment(__global const REAL *r, int p0, int S, int n) {
    if (S == 1 && p0 >= 0 && p0 + VW <= n) return VLOAD(0, r + p0);
    REAL t[VW];
    for (int i = 0; i < VW; i++) {
        const int p = p0 + i * S;
        t[i] = p >= 0 && p < n ? r[p] : (REAL)0;
    }
    return VLOAD(0, t);
}

// Stores lanes i < min(VW, n) of v at r.
inline void store_segment(VEC v, __global REAL *r, int n) {
    if (n >= VW) {
        VSTORE(v, 0, r);
    } else {
        REAL t[VW];
        VSTORE(v, 0, t);
        for (int i = 0; i < n; i++) r[i] = t[i];
    }
}

#endif
