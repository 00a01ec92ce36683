import OpenCLRuntime

/// Which kernels this backend launches for the direct convolution, the BatchNorm and bias
/// reductions, global average pooling and the IB iteration: the CPU-shaped ones on CPU devices,
/// the GPU-shaped ones (kernels/conv2d_gpu.cl, reduce_gpu.cl) elsewhere.
extension OpenCLBackend {
    /// The work-group size the GPU kernels ask for; the device and the kernel may allow less.
    package static let preferredWorkGroup = 256

    /// `kernelShapeOverride`, else `KernelShape.forDevice`.
    package var kernelShape: KernelShape { kernelShapeOverride ?? .forDevice(cl.info) }

    /// Launches the GPU kernel `make(l)` with the device's work-group size l, after checking
    /// its local memory against the device's.
    package func runGPU(preferred: Int = preferredWorkGroup, _ make: (Int) -> KernelInvocation) throws {
        try cl.runChecked(try cl.sized(preferred: preferred, make))
    }

    /// The GPU-shaped kernel (`gpu`, given the work-group size) on GPU-type devices, the
    /// CPU-shaped one elsewhere.
    package func runShaped(preferred: Int = preferredWorkGroup, gpu: (Int) -> KernelInvocation,
                           cpu: () -> KernelInvocation) throws {
        if kernelShape == .gpu { try runGPU(preferred: preferred, gpu) } else { try cl.run(cpu()) }
    }
}
