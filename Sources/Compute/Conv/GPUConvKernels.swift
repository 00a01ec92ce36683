import COpenCL
import OpenCLRuntime

/// Launchers for kernels/conv2d_gpu.cl: the direct convolution shaped for GPUs (`wg` is the
/// device's work-group limit for the kernel, a power of two; `shape` the preferred work-group
/// shapes, tuned per device by `gpurun tune conv`, shrunk to `wg` and to the plane).
package enum GPUConvKernels {
    static func options(_ dtype: DType, _ fp64: Bool) -> String { dtype.kernelOptions(deviceHasFP64: fp64) }

    /// One work-item per output; `bias` nil adds none.
    package static func directForward(dtype: DType, fp64: Bool, x: Operand, w: Operand, bias: Operand?, y: Operand,
                                     _ p: Conv2dParams, wg: Int, shape: ConvDirectParams = .defaults) -> KernelInvocation {
        KernelInvocation(
            file: "conv2d_gpu.cl", name: "conv2d_direct_gpu", options: options(dtype, fp64),
            args: x.args + w.args + (bias ?? y).args + [.int32(bias == nil ? 0 : 1)] + y.args + ConvKernels.geometry(p),
            global: [p.outW, p.outH, p.batch * p.outChannels], local: GPUShapes.plane(width: p.outW, height: p.outH, wg: wg, lx: shape.lx, ly: shape.ly),
            needsFP64: dtype == .f64)
    }

    /// One work-item per input pixel, gathering over the group's outputs.
    package static func directBackwardInput(dtype: DType, fp64: Bool, dy: Operand, w: Operand, dx: Operand,
                                           _ p: Conv2dParams, wg: Int, shape: ConvDirectParams = .defaults) -> KernelInvocation {
        KernelInvocation(
            file: "conv2d_gpu.cl", name: "conv2d_direct_backward_input_gpu", options: options(dtype, fp64),
            args: dy.args + w.args + dx.args + ConvKernels.geometry(p),
            global: [p.width, p.height, p.batch * p.inChannels],
            local: GPUShapes.plane(width: p.width, height: p.height, wg: wg, lx: shape.lx, ly: shape.ly), needsFP64: dtype == .f64)
    }

    /// One work-group per weight, a tree reduction over (n, oh, ow).
    package static func directBackwardWeights(dtype: DType, fp64: Bool, x: Operand, dy: Operand, dw: Operand,
                                             _ p: Conv2dParams, wg: Int, shape: ConvDirectParams = .defaults) -> KernelInvocation {
        let l = GPUShapes.reduction(length: p.batch * p.outH * p.outW, wg: min(wg, shape.reduction))
        return KernelInvocation(
            file: "conv2d_gpu.cl", name: "conv2d_direct_backward_weights_gpu", options: options(dtype, fp64),
            args: x.args + dy.args + dw.args + ConvKernels.geometry(p) + [.local(l * GPUShapes.accBytes(dtype, fp64))],
            global: [l, p.outChannels * p.inPerGroup * p.kernelH * p.kernelW], local: [l, 1], needsFP64: dtype == .f64)
    }
}
