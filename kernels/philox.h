// Philox4x32-10 (Salmon et al., SC 2011) and the project's word -> float mapping.
// The CPU twin is Sources/Compute/Random/Philox.swift; both must stay bit-identical.
//
// Element layout (docs/random.md P2–P4): element i of (seed, stream) comes from
// block b = offset + i / per_block, counter = (lo32(b), hi32(b), stream, 0),
// key = (lo32(seed), hi32(seed)).
#ifndef GPURUN_PHILOX_H
#define GPURUN_PHILOX_H

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

inline uint4 philox4x32_10(uint4 c, uint2 k) {
    for (int r = 0; r < 10; ++r) {
        uint hi0 = mul_hi(PHILOX_M0, c.x), lo0 = PHILOX_M0 * c.x;
        uint hi1 = mul_hi(PHILOX_M1, c.z), lo1 = PHILOX_M1 * c.z;
        c = (uint4)(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
        k.x += PHILOX_W0;
        k.y += PHILOX_W1;
    }
    return c;
}

inline uint4 philox_block(ulong seed, uint stream, ulong block) {
    return philox4x32_10((uint4)((uint)block, (uint)(block >> 32), stream, 0u),
                         (uint2)((uint)seed, (uint)(seed >> 32)));
}

// Uniform in (0, 1]: the top 24 bits, plus one, times 2^-24 (exact in float).
inline float philox_u01f(uint w) { return (float)((w >> 8) + 1u) * 0x1.0p-24f; }

#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
// Uniform in (0, 1]: 53 bits of (hi:lo), plus one, times 2^-53 (exact in double).
inline double philox_u01d(uint hi, uint lo) {
    ulong bits = (((ulong)hi << 32) | (ulong)lo) >> 11;
    return (double)(bits + 1ul) * 0x1.0p-53;
}
#endif

#endif
