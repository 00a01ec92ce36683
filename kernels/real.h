// The scalar type of a program: built once per dtype with -DREAL=float or
// -DREAL=double -DREAL_IS_DOUBLE (see DType.kernelOptions). ACC is the accumulator type:
// double wherever the device has fp64 (-DHAS_FP64), else REAL.
#ifndef GPURUN_REAL_H
#define GPURUN_REAL_H

#if defined(REAL_IS_DOUBLE) || defined(HAS_FP64)
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

#ifndef REAL
#define REAL float
#endif

#ifdef HAS_FP64
#define ACC double
#else
#define ACC REAL
#endif

#endif
