import COpenCL
import OpenCLRuntime

/// Launchers for kernels/reduce_gpu.cl: the plane sums, batch sums and BatchNorm reductions
/// shaped for GPUs (`wg` as in GPUConvKernels).
package enum GPUReduceKernels {
    static func options(_ dtype: DType, _ fp64: Bool) -> String { dtype.kernelOptions(deviceHasFP64: fp64) }

    /// Partials a (and b) [planes] of ACC over `planes` planes of `s` elements, channel = plane % c
    /// (TrainingKernels.planeSums' layout with planes = N·C).
    package static func planeSums(dtype: DType, fp64: Bool, x: Operand, dy: Operand, mean: Operand, planes: Int, c: Int,
                                 s: Int, mode: TrainingKernels.SumMode, a: cl_mem?, b: cl_mem?,
                                 wg: Int) -> KernelInvocation {
        let l = GPUShapes.reduction(length: s, wg: wg)
        return KernelInvocation(
            file: "reduce_gpu.cl", name: "plane_sums_gpu", options: options(dtype, fp64),
            args: x.args + dy.args + mean.args + [.int32(Int32(c)), .int32(Int32(s)), .int32(mode.rawValue),
                                                  .buffer(a), .buffer(b), .local(l * GPUShapes.accBytes(dtype, fp64))],
            global: [l, planes], local: [l, 1], needsFP64: dtype == .f64)
    }

    /// y[p] = mean of plane p.
    package static func globalAvgForward(dtype: DType, fp64: Bool, x: Operand, y: Operand, planes: Int, size: Int,
                                        wg: Int) -> KernelInvocation {
        let l = GPUShapes.reduction(length: size, wg: wg)
        return KernelInvocation(
            file: "reduce_gpu.cl", name: "global_avg_forward_gpu", options: options(dtype, fp64),
            args: x.args + y.args + [.int32(Int32(size)), .local(l * GPUShapes.accBytes(dtype, fp64))],
            global: [l, planes], local: [l, 1], needsFP64: dtype == .f64)
    }

    static func columnSum(file: String = "reduce_gpu.cl", name: String, dtype: DType, fp64: Bool, args: [KernelArg],
                          rows: Int, columns: Int, wg: Int) -> KernelInvocation {
        let (tx, ty) = GPUShapes.columns(rows: rows, columns: columns, wg: wg)
        return KernelInvocation(
            file: file, name: name, options: options(dtype, fp64),
            args: args + [.local(tx * ty * GPUShapes.accBytes(dtype, fp64))],
            global: [roundUp(columns, tx), ty], local: [tx, ty], needsFP64: dtype == .f64)
    }

    /// dst = Σ_b src[b] over `batch` blocks of `count` REALs (+ dst when `accumulate`).
    package static func batchSum(dtype: DType, fp64: Bool, src: Operand, batch: Int, count: Int, dst: Operand,
                                accumulate: Bool, wg: Int) -> KernelInvocation {
        columnSum(name: "batch_sum_gpu", dtype: dtype, fp64: fp64,
                  args: src.args + [.int32(Int32(batch)), .int32(Int32(count))] + dst.args + [.int32(accumulate ? 1 : 0)],
                  rows: batch, columns: count, wg: wg)
    }

    /// dst = Σ_b src[b] over ACC partials.
    package static func batchSumPartials(dtype: DType, fp64: Bool, src: cl_mem?, batch: Int, count: Int, dst: Operand,
                                        wg: Int) -> KernelInvocation {
        columnSum(name: "batch_sum_acc_gpu", dtype: dtype, fp64: fp64,
                  args: [.buffer(src), .int32(Int32(batch)), .int32(Int32(count))] + dst.args,
                  rows: batch, columns: count, wg: wg)
    }

    /// out[c] = Σ_n a[n, c] / m.
    package static func reduceMean(dtype: DType, fp64: Bool, a: cl_mem?, n: Int, c: Int, m: Int, out: Operand,
                                  wg: Int) -> KernelInvocation {
        columnSum(name: "bn_reduce_mean_gpu", dtype: dtype, fp64: fp64,
                  args: [.buffer(a), .int32(Int32(n)), .int32(Int32(c)), .uint64(UInt64(m))] + out.args,
                  rows: n, columns: c, wg: wg)
    }

    /// dβ = Σ_n a, dγ = Σ_n b / √(var + eps).
    package static func reduceBackward(dtype: DType, fp64: Bool, a: cl_mem?, b: cl_mem?, n: Int, c: Int,
                                      variance: Operand, eps: Double, dgamma: Operand, dbeta: Operand,
                                      wg: Int) -> KernelInvocation {
        columnSum(name: "bn_reduce_backward_gpu", dtype: dtype, fp64: fp64,
                  args: [.buffer(a), .buffer(b), .int32(Int32(n)), .int32(Int32(c))] + variance.args
                      + [ElementwiseKernels.scalar(eps, dtype)] + dgamma.args + dbeta.args,
                  rows: n, columns: c, wg: wg)
    }
}
