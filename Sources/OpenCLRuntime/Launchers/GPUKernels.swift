import COpenCL

/// Work-group shapes of the GPU kernels, from the problem and the device's limit `wg` (a power
/// of two from `CLContext.workGroupSize`).
public enum GPUShapes {
    /// The smallest power of two ≥ n (1 for n ≤ 1).
    public static func pow2(atLeast n: Int) -> Int {
        var l = 1
        while l < n { l *= 2 }
        return l
    }

    /// A 1-D group for a reduction over `length` elements: no wider than the data.
    public static func reduction(length: Int, wg: Int) -> Int { min(wg, pow2(atLeast: length)) }

    /// A TX × TY group for column sums of a [rows, columns] matrix: TX ≤ 16 consecutive columns,
    /// TY a power of two along the rows, TX·TY ≤ wg.
    public static func columns(rows: Int, columns: Int, wg: Int) -> (tx: Int, ty: Int) {
        let tx = min(16, wg, pow2(atLeast: columns))
        return (tx, max(1, min(wg / tx, pow2(atLeast: rows))))
    }

    /// A 2-D group over a width × height plane: up to 32 along the width, 8 along the height.
    public static func plane(width: Int, height: Int, wg: Int) -> [Int] {
        let lx = min(32, wg, pow2(atLeast: width))
        return [lx, max(1, min(wg / lx, 8, pow2(atLeast: height))), 1]
    }

    /// Bytes of one ACC: double where the device has fp64, else the dtype's.
    static func accBytes(_ dtype: DType, _ fp64: Bool) -> Int { fp64 ? 8 : dtype.byteSize }
}

/// Launchers for kernels/conv2d_gpu.cl: the direct convolution shaped for GPUs (`wg` is the
/// device's work-group limit for the kernel, a power of two).
public enum GPUConvKernels {
    static func options(_ dtype: DType, _ fp64: Bool) -> String { dtype.kernelOptions(deviceHasFP64: fp64) }

    /// One work-item per output; `bias` nil adds none.
    public static func directForward(dtype: DType, fp64: Bool, x: Operand, w: Operand, bias: Operand?, y: Operand,
                                     _ p: Conv2dParams, wg: Int) -> KernelInvocation {
        KernelInvocation(
            file: "conv2d_gpu.cl", name: "conv2d_direct_gpu", options: options(dtype, fp64),
            args: x.args + w.args + (bias ?? y).args + [.int32(bias == nil ? 0 : 1)] + y.args + ConvKernels.geometry(p),
            global: [p.outW, p.outH, p.batch * p.outChannels], local: GPUShapes.plane(width: p.outW, height: p.outH, wg: wg),
            needsFP64: dtype == .f64)
    }

    /// One work-item per input pixel, gathering over the group's outputs.
    public static func directBackwardInput(dtype: DType, fp64: Bool, dy: Operand, w: Operand, dx: Operand,
                                           _ p: Conv2dParams, wg: Int) -> KernelInvocation {
        KernelInvocation(
            file: "conv2d_gpu.cl", name: "conv2d_direct_backward_input_gpu", options: options(dtype, fp64),
            args: dy.args + w.args + dx.args + ConvKernels.geometry(p),
            global: [p.width, p.height, p.batch * p.inChannels],
            local: GPUShapes.plane(width: p.width, height: p.height, wg: wg), needsFP64: dtype == .f64)
    }

    /// One work-group per weight, a tree reduction over (n, oh, ow).
    public static func directBackwardWeights(dtype: DType, fp64: Bool, x: Operand, dy: Operand, dw: Operand,
                                             _ p: Conv2dParams, wg: Int) -> KernelInvocation {
        let l = GPUShapes.reduction(length: p.batch * p.outH * p.outW, wg: wg)
        return KernelInvocation(
            file: "conv2d_gpu.cl", name: "conv2d_direct_backward_weights_gpu", options: options(dtype, fp64),
            args: x.args + dy.args + dw.args + ConvKernels.geometry(p) + [.local(l * GPUShapes.accBytes(dtype, fp64))],
            global: [l, p.outChannels * p.inPerGroup * p.kernelH * p.kernelW], local: [l, 1], needsFP64: dtype == .f64)
    }
}

/// Launchers for kernels/reduce_gpu.cl: the plane sums, batch sums and BatchNorm reductions
/// shaped for GPUs (`wg` as in GPUConvKernels).
public enum GPUReduceKernels {
    static func options(_ dtype: DType, _ fp64: Bool) -> String { dtype.kernelOptions(deviceHasFP64: fp64) }

    /// Partials a (and b) [planes] of ACC over `planes` planes of `s` elements, channel = plane % c
    /// (TrainingKernels.planeSums' layout with planes = N·C).
    public static func planeSums(dtype: DType, fp64: Bool, x: Operand, dy: Operand, mean: Operand, planes: Int, c: Int,
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
    public static func globalAvgForward(dtype: DType, fp64: Bool, x: Operand, y: Operand, planes: Int, size: Int,
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
    public static func batchSum(dtype: DType, fp64: Bool, src: Operand, batch: Int, count: Int, dst: Operand,
                                accumulate: Bool, wg: Int) -> KernelInvocation {
        columnSum(name: "batch_sum_gpu", dtype: dtype, fp64: fp64,
                  args: src.args + [.int32(Int32(batch)), .int32(Int32(count))] + dst.args + [.int32(accumulate ? 1 : 0)],
                  rows: batch, columns: count, wg: wg)
    }

    /// dst = Σ_b src[b] over ACC partials.
    public static func batchSumPartials(dtype: DType, fp64: Bool, src: cl_mem?, batch: Int, count: Int, dst: Operand,
                                        wg: Int) -> KernelInvocation {
        columnSum(name: "batch_sum_acc_gpu", dtype: dtype, fp64: fp64,
                  args: [.buffer(src), .int32(Int32(batch)), .int32(Int32(count))] + dst.args,
                  rows: batch, columns: count, wg: wg)
    }

    /// out[c] = Σ_n a[n, c] / m.
    public static func reduceMean(dtype: DType, fp64: Bool, a: cl_mem?, n: Int, c: Int, m: Int, out: Operand,
                                  wg: Int) -> KernelInvocation {
        columnSum(name: "bn_reduce_mean_gpu", dtype: dtype, fp64: fp64,
                  args: [.buffer(a), .int32(Int32(n)), .int32(Int32(c)), .uint64(UInt64(m))] + out.args,
                  rows: n, columns: c, wg: wg)
    }

    /// dβ = Σ_n a, dγ = Σ_n b / √(var + eps).
    public static func reduceBackward(dtype: DType, fp64: Bool, a: cl_mem?, b: cl_mem?, n: Int, c: Int,
                                      variance: Operand, eps: Double, dgamma: Operand, dbeta: Operand,
                                      wg: Int) -> KernelInvocation {
        columnSum(name: "bn_reduce_backward_gpu", dtype: dtype, fp64: fp64,
                  args: [.buffer(a), .buffer(b), .int32(Int32(n)), .int32(Int32(c))] + variance.args
                      + [ElementwiseKernels.scalar(eps, dtype)] + dgamma.args + dbeta.args,
                  rows: n, columns: c, wg: wg)
    }
}
