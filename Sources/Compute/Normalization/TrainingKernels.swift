import OpenCLRuntime
import COpenCL

/// Launchers for kernels/train.cl: batch normalisation on x viewed as [N, C, S] and softmax
/// cross-entropy. Partials are ACC (double where the device has fp64).
package enum TrainingKernels {
    static func options(_ dtype: DType, _ fp64: Bool) -> String { dtype.kernelOptions(deviceHasFP64: fp64) }

    /// Which per-plane sums `planeSums` computes (train.cl's mode).
    package enum SumMode: Int32 {
        /// a = Σ x
        case sum = 0
        /// a = Σ (x − mean)²
        case centeredSquares = 1
        /// a = Σ dy, b = Σ dy (x − mean)
        case gradient = 2
    }

    /// Partials a (and b) [N, C], one work-item per plane.
    package static func planeSums(dtype: DType, fp64: Bool, x: Operand, dy: Operand, mean: Operand, n: Int, c: Int,
                                 s: Int, mode: SumMode, a: cl_mem?, b: cl_mem?) -> KernelInvocation {
        KernelInvocation(
            file: "train.cl", name: "bn_plane_sums", options: options(dtype, fp64),
            args: x.args + dy.args + mean.args + [.int32(Int32(c)), .int32(Int32(s)), .int32(mode.rawValue),
                                                  .buffer(a), .buffer(b)],
            global: [c, n], local: [1, 1], needsFP64: dtype == .f64)
    }

    /// out[c] = Σ_n a[n, c] / m.
    package static func reduceMean(dtype: DType, fp64: Bool, a: cl_mem?, n: Int, c: Int, m: Int,
                                  out: Operand) -> KernelInvocation {
        KernelInvocation(
            file: "train.cl", name: "bn_reduce_mean", options: options(dtype, fp64),
            args: [.buffer(a), .int32(Int32(n)), .int32(Int32(c)), .uint64(UInt64(m))] + out.args,
            global: [c], local: [1], needsFP64: dtype == .f64)
    }

    /// dβ = Σ_n a, dγ = Σ_n b / √(var + eps).
    package static func reduceBackward(dtype: DType, fp64: Bool, a: cl_mem?, b: cl_mem?, n: Int, c: Int,
                                      variance: Operand, eps: Double, dgamma: Operand,
                                      dbeta: Operand) -> KernelInvocation {
        KernelInvocation(
            file: "train.cl", name: "bn_reduce_backward", options: options(dtype, fp64),
            args: [.buffer(a), .buffer(b), .int32(Int32(n)), .int32(Int32(c))] + variance.args
                + [ElementwiseKernels.scalar(eps, dtype)] + dgamma.args + dbeta.args,
            global: [c], local: [1], needsFP64: dtype == .f64)
    }

    /// y = γ (x − mean) / √(var + eps) + β, one work-item per element.
    package static func forward(dtype: DType, fp64: Bool, x: Operand, mean: Operand, variance: Operand, gamma: Operand,
                               beta: Operand, eps: Double, c: Int, s: Int, count: Int, y: Operand) -> KernelInvocation {
        KernelInvocation(
            file: "train.cl", name: "bn_forward", options: options(dtype, fp64),
            args: x.args + mean.args + variance.args + gamma.args + beta.args
                + [ElementwiseKernels.scalar(eps, dtype), .int32(Int32(c)), .int32(Int32(s)), .uint64(UInt64(count))]
                + y.args,
            global: [roundUp(count, 64)], local: [64], needsFP64: dtype == .f64)
    }

    /// The training-mode input gradient from dγ and dβ.
    package static func backwardInput(dtype: DType, fp64: Bool, x: Operand, dy: Operand, mean: Operand,
                                     variance: Operand, gamma: Operand, dgamma: Operand, dbeta: Operand, eps: Double,
                                     c: Int, s: Int, count: Int, dx: Operand) -> KernelInvocation {
        KernelInvocation(
            file: "train.cl", name: "bn_backward_input", options: options(dtype, fp64),
            args: x.args + dy.args + mean.args + variance.args + gamma.args + dgamma.args + dbeta.args
                + [ElementwiseKernels.scalar(eps, dtype), .int32(Int32(c)), .int32(Int32(s)), .uint64(UInt64(count))]
                + dx.args,
            global: [roundUp(count, 64)], local: [64], needsFP64: dtype == .f64)
    }

    /// Per-row loss, correctness and (when `gradient` is given) the scaled gradient.
    package static func softmaxCrossEntropy(dtype: DType, fp64: Bool, logits: Operand, labels: Operand, n: Int, k: Int,
                                           gradScale: Double, loss: Operand, correct: Operand,
                                           gradient: Operand?) -> KernelInvocation {
        KernelInvocation(
            file: "train.cl", name: "softmax_xent", options: options(dtype, fp64),
            args: logits.args + labels.args + [.int32(Int32(n)), .int32(Int32(k)), ElementwiseKernels.scalar(gradScale, dtype),
                                               .int32(gradient == nil ? 0 : 1)]
                + loss.args + correct.args + (gradient ?? loss).args,
            global: [roundUp(n, 16)], local: [16], needsFP64: dtype == .f64)
    }
}
