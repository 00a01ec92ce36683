// OpenBLAS cblas (libopenblas-dev) and LAPACKE (liblapacke-dev) for the CPU backend.
#ifndef GPURUN_CBLAS_SHIM_H
#define GPURUN_CBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
// OpenBLAS extensions (declared in its cblas.h; repeated here for other cblas.h providers).
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);
#endif
