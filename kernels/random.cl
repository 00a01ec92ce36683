// Philox random fills. One work-item writes the elements of one Philox block.
#include "philox.h"

// 4 raw words per block.
__kernel void philox_raw(__global uint *out, ulong n, ulong seed, uint stream, ulong offset) {
    ulong b = get_global_id(0);
    ulong i = b * 4;
    if (i >= n) return;
    uint4 w = philox_block(seed, stream, offset + b);
    out[i] = w.x;
    if (i + 1 < n) out[i + 1] = w.y;
    if (i + 2 < n) out[i + 2] = w.z;
    if (i + 3 < n) out[i + 3] = w.w;
}

// 4 float uniforms per block.
__kernel void philox_uniform_f32(__global float *out, ulong n, ulong seed, uint stream, ulong offset) {
    ulong b = get_global_id(0);
    ulong i = b * 4;
    if (i >= n) return;
    uint4 w = philox_block(seed, stream, offset + b);
    out[i] = philox_u01f(w.x);
    if (i + 1 < n) out[i + 1] = philox_u01f(w.y);
    if (i + 2 < n) out[i + 2] = philox_u01f(w.z);
    if (i + 3 < n) out[i + 3] = philox_u01f(w.w);
}

// 2 float normals per block, Box-Muller on words (x, y); z, w unused.
__kernel void philox_normal_f32(__global float *out, ulong n, ulong seed, uint stream, ulong offset) {
    ulong b = get_global_id(0);
    ulong i = b * 2;
    if (i >= n) return;
    uint4 w = philox_block(seed, stream, offset + b);
    float r = sqrt(-2.0f * log(philox_u01f(w.x)));
    float t = 6.28318530717958647692f * philox_u01f(w.y);
    out[i] = r * cos(t);
    if (i + 1 < n) out[i + 1] = r * sin(t);
}

#ifdef cl_khr_fp64
// 2 double uniforms per block: (x:y) and (z:w).
__kernel void philox_uniform_f64(__global double *out, ulong n, ulong seed, uint stream, ulong offset) {
    ulong b = get_global_id(0);
    ulong i = b * 2;
    if (i >= n) return;
    uint4 w = philox_block(seed, stream, offset + b);
    out[i] = philox_u01d(w.x, w.y);
    if (i + 1 < n) out[i + 1] = philox_u01d(w.z, w.w);
}

// 2 double normals per block, Box-Muller on the two 53-bit uniforms.
__kernel void philox_normal_f64(__global double *out, ulong n, ulong seed, uint stream, ulong offset) {
    ulong b = get_global_id(0);
    ulong i = b * 2;
    if (i >= n) return;
    uint4 w = philox_block(seed, stream, offset + b);
    double r = sqrt(-2.0 * log(philox_u01d(w.x, w.y)));
    double t = 6.28318530717958647692 * philox_u01d(w.z, w.w);
    out[i] = r * cos(t);
    if (i + 1 < n) out[i + 1] = r * sin(t);
}
#endif
