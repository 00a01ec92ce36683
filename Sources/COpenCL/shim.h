// OpenCL ICD loader (ocl-icd-opencl-dev, opencl-headers) and CLBlast (libclblast-dev).
#ifndef GPURUN_COPENCL_SHIM_H
#define GPURUN_COPENCL_SHIM_H
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <clblast_c.h>
#endif
