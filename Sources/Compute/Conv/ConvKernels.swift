import OpenCLRuntime
import COpenCL

/// Launchers for kernels/im2col.cl and kernels/conv2d.cl (geometry arguments in conv.h's order)
/// and, in `PoolKernels`, kernels/pool.cl. Every kernel checks its bounds, so global sizes are
/// simply rounded up to the local size.
package enum ConvKernels {
    /// conv.h's CONV_GEOM: N C H W O KH KW SH SW PH PW DH DW OH OW G, with `batch` images.
    static func geometry(_ p: Conv2dParams, batch: Int? = nil) -> [KernelArg] {
        [batch ?? p.batch, p.inChannels, p.height, p.width, p.outChannels, p.kernelH, p.kernelW, p.strideH, p.strideW,
         p.padH, p.padW, p.dilationH, p.dilationW, p.outH, p.outW, p.groups].map { .int32(Int32($0)) }
    }

    static func options(_ dtype: DType, _ fp64: Bool) -> String { dtype.kernelOptions(deviceHasFP64: fp64) }

    /// Column matrices [C·kH·kW, outH·outW] of `images` images, back to back (im2col.cl): one
    /// work-item per row.
    package static func im2col(dtype: DType, fp64: Bool, x: Operand, col: Operand, images: Int,
                              _ p: Conv2dParams) -> KernelInvocation {
        KernelInvocation(
            file: "im2col.cl", name: "im2col", options: options(dtype, fp64, channels: 1),
            args: x.args + col.args + geometry(p),
            global: [p.inChannels * p.kernelH * p.kernelW, images], local: [16, 1], needsFP64: dtype == .f64)
    }

    /// dx of `images` images from their column-matrix gradients (gather, overwrites dx): one
    /// work-item per VW pixels of a row.
    package static func col2im(dtype: DType, fp64: Bool, col: Operand, dx: Operand, images: Int,
                              _ p: Conv2dParams) -> KernelInvocation {
        let vw = blocking(channels: 1, dtype: dtype).width
        return KernelInvocation(
            file: "im2col.cl", name: "col2im", options: options(dtype, fp64, channels: 1),
            args: col.args + dx.args + geometry(p),
            global: [p.strideW * (((p.width + p.strideW - 1) / p.strideW + vw - 1) / vw), p.height, images * p.inChannels],
            local: [1, 8, 1], needsFP64: dtype == .f64)
    }

    /// Register blocking of the direct kernels: channels per work-item (8 from 8 channels, 4
    /// from 2, else 1; a partial block repeats its last channel and drops it) and the vector
    /// width VW along a row (16 floats or 8 doubles: one AVX-512 register). Few values, so few
    /// programs to build: conv2d.cl is built three times a dtype, im2col.cl once.
    package static func blocking(channels: Int, dtype: DType) -> (channels: Int, width: Int) {
        (channels >= 8 ? 8 : channels >= 2 ? 4 : 1, dtype == .f32 ? 16 : 8)
    }

    /// Build options of conv2d.cl and im2col.cl with `channels` per work-item.
    static func options(_ dtype: DType, _ fp64: Bool, channels: Int) -> String {
        let (ob, vw) = blocking(channels: channels, dtype: dtype)
        return options(dtype, fp64) + " -DOB=\(ob) -DVW=\(vw)"
    }

    /// VW outputs along a row for OB output channels per work-item; `bias` nil adds none.
    package static func directForward(dtype: DType, fp64: Bool, x: Operand, w: Operand, bias: Operand?, y: Operand,
                                     _ p: Conv2dParams) -> KernelInvocation {
        let (ob, vw) = blocking(channels: p.outPerGroup, dtype: dtype)
        return KernelInvocation(
            file: "conv2d.cl", name: "conv2d_direct", options: options(dtype, fp64, channels: p.outPerGroup),
            args: x.args + w.args + (bias ?? y).args + [.int32(bias == nil ? 0 : 1)] + y.args + geometry(p),
            global: [(p.outW + vw - 1) / vw, p.outH, p.batch * p.groups * ((p.outPerGroup + ob - 1) / ob)],
            local: [1, 1, 1], needsFP64: dtype == .f64)
    }

    /// VW pixels of a row (one residue class modulo the stride) for OB input channels per
    /// work-item, gathering over the group's outputs.
    package static func directBackwardInput(dtype: DType, fp64: Bool, dy: Operand, w: Operand, dx: Operand,
                                           _ p: Conv2dParams) -> KernelInvocation {
        let (cb, vw) = blocking(channels: p.inPerGroup, dtype: dtype)
        return KernelInvocation(
            file: "conv2d.cl", name: "conv2d_direct_backward_input",
            options: options(dtype, fp64, channels: p.inPerGroup),
            args: dy.args + w.args + dx.args + geometry(p),
            global: [p.strideW * (((p.width + p.strideW - 1) / p.strideW + vw - 1) / vw), p.height,
                     p.batch * p.groups * ((p.inPerGroup + cb - 1) / cb)],
            local: [1, 1, 1], needsFP64: dtype == .f64)
    }

    /// One work-item per weight, summing over the batch and the output plane.
    package static func directBackwardWeights(dtype: DType, fp64: Bool, x: Operand, dy: Operand, dw: Operand,
                                             _ p: Conv2dParams) -> KernelInvocation {
        KernelInvocation(
            file: "conv2d.cl", name: "conv2d_direct_backward_weights",
            options: options(dtype, fp64, channels: 1),
            args: x.args + dy.args + dw.args + geometry(p),
            global: [p.kernelH * p.kernelW, p.inPerGroup, p.outChannels], local: [1, 1, 1], needsFP64: dtype == .f64)
    }

    /// y[n, o, :, :] += bias[o] over `p.batch` images.
    package static func biasAdd(dtype: DType, fp64: Bool, bias: Operand, y: Operand, _ p: Conv2dParams) -> KernelInvocation {
        let plane = p.outH * p.outW
        return KernelInvocation(
            file: "conv2d.cl", name: "conv2d_bias_add", options: options(dtype, fp64, channels: 1),
            args: bias.args + y.args + [.int32(Int32(p.outChannels)), .int32(Int32(plane))],
            global: [plane, p.batch * p.outChannels], local: [64, 1], needsFP64: dtype == .f64)
    }

    /// partial [N, O] of ACC (double where the device has fp64): dy summed over each plane.
    package static func biasPartials(dtype: DType, fp64: Bool, dy: Operand, partial: cl_mem?,
                                    _ p: Conv2dParams) -> KernelInvocation {
        KernelInvocation(
            file: "conv2d.cl", name: "conv2d_bias_partials", options: options(dtype, fp64, channels: 1),
            args: dy.args + [.buffer(partial), .int32(Int32(p.outChannels)), .int32(Int32(p.outH * p.outW))],
            global: [p.outChannels, p.batch], local: [1, 1], needsFP64: dtype == .f64)
    }

    /// dst = Σ_b src[b] over `batch` blocks of `count` REALs (+ dst when `accumulate`).
    package static func batchSum(dtype: DType, fp64: Bool, src: Operand, batch: Int, count: Int, dst: Operand,
                                accumulate: Bool) -> KernelInvocation {
        KernelInvocation(
            file: "conv2d.cl", name: "batch_sum", options: options(dtype, fp64, channels: 1),
            args: src.args + [.int32(Int32(batch)), .int32(Int32(count))] + dst.args + [.int32(accumulate ? 1 : 0)],
            global: [count], local: [64], needsFP64: dtype == .f64)
    }

    /// dst = Σ_b src[b] over ACC partials (biasPartials' output).
    package static func batchSumPartials(dtype: DType, fp64: Bool, src: cl_mem?, batch: Int, count: Int,
                                        dst: Operand) -> KernelInvocation {
        KernelInvocation(
            file: "conv2d.cl", name: "batch_sum_acc", options: options(dtype, fp64, channels: 1),
            args: [.buffer(src), .int32(Int32(batch)), .int32(Int32(count))] + dst.args,
            global: [count], local: [64], needsFP64: dtype == .f64)
    }
}

/// Launchers for kernels/pool.cl.
package enum PoolKernels {
    static func geometry(_ p: Pool2dParams) -> [KernelArg] {
        [p.height, p.width, p.kernelH, p.kernelW, p.strideH, p.strideW, p.padH, p.padW, p.outH, p.outW]
            .map { .int32(Int32($0)) }
    }

    /// Max (`isMax`) or average pooling, one work-item per output.
    package static func forward(isMax: Bool, dtype: DType, fp64: Bool, x: Operand, y: Operand,
                               _ p: Pool2dParams) -> KernelInvocation {
        KernelInvocation(
            file: "pool.cl", name: "pool_forward", options: ConvKernels.options(dtype, fp64),
            args: x.args + y.args + [.int32(isMax ? 1 : 0)] + geometry(p),
            global: [p.outW, p.outH, p.batch * p.channels], local: [16, 1, 1], needsFP64: dtype == .f64)
    }

    /// Gradient of max pooling (x given) or average pooling (x ignored), one work-item per pixel.
    package static func backward(isMax: Bool, dtype: DType, fp64: Bool, x: Operand, dy: Operand, dx: Operand,
                                _ p: Pool2dParams) -> KernelInvocation {
        KernelInvocation(
            file: "pool.cl", name: "pool_backward", options: ConvKernels.options(dtype, fp64),
            args: x.args + dy.args + dx.args + [.int32(isMax ? 1 : 0)] + geometry(p),
            global: [p.width, p.height, p.batch * p.channels], local: [16, 1, 1], needsFP64: dtype == .f64)
    }

    /// y[p] = mean of plane p over `planes` planes of `size` elements.
    package static func globalAvgForward(dtype: DType, fp64: Bool, x: Operand, y: Operand, planes: Int,
                                        size: Int) -> KernelInvocation {
        KernelInvocation(
            file: "pool.cl", name: "global_avg_forward", options: ConvKernels.options(dtype, fp64),
            args: x.args + y.args + [.int32(Int32(planes)), .int32(Int32(size))],
            global: [planes], local: [1], needsFP64: dtype == .f64)
    }

    package static func globalAvgBackward(dtype: DType, fp64: Bool, dy: Operand, dx: Operand, planes: Int,
                                         size: Int) -> KernelInvocation {
        KernelInvocation(
            file: "pool.cl", name: "global_avg_backward", options: ConvKernels.options(dtype, fp64),
            args: dy.args + dx.args + [.int32(Int32(size))],
            global: [size, planes], local: [64, 1], needsFP64: dtype == .f64)
    }
}
