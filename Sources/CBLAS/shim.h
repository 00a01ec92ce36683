// OpenBLAS cblas (libopenblas-dev) and LAPACKE (liblapacke-dev) for the CPU backend.
#ifndef GPURUN_CBLAS_SHIM_H
#define GPURUN_CBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
// OpenBLAS extensions (declared in its cblas.h; repeated here for other cblas.h providers).
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);
// Exported by DYNAMIC_ARCH builds of OpenBLAS: re-select the kernel family (reads
// OPENBLAS_CORETYPE). Used once at start-up, before any BLAS call, when 0.3.21 misdetects a CPU.
void gotoblas_dynamic_init(void);
void gotoblas_dynamic_quit(void);
#endif
