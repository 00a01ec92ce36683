import Compute
import OpenCLRuntime
import COpenCL

/// Launcher for kernels/ib.cl: the discrete IB iterations for a batch of β values, one
/// work-group of `local` work-items (a power of two) per β.
package enum IBKernels {
    /// Buffers of one batched solve; layouts as in kernels/ib.cl.
    package struct Buffers {
        package var px, pyx, betas, q, pt, pyt, logits, iters, change: cl_mem?
        package init(px: cl_mem?, pyx: cl_mem?, betas: cl_mem?, q: cl_mem?, pt: cl_mem?, pyt: cl_mem?, logits: cl_mem?,
                    iters: cl_mem?, change: cl_mem?) {
            self.px = px
            self.pyx = pyx
            self.betas = betas
            self.q = q
            self.pt = pt
            self.pyt = pyt
            self.logits = logits
            self.iters = iters
            self.change = change
        }
    }

    /// The work-group size for a problem: the smallest power of two covering the widest loop
    /// (x, or (t, y) pairs), at most 64.
    package static func localSize(nx: Int, ny: Int, clusters: Int) -> Int {
        let widest = max(nx, clusters * ny, clusters, 1)
        var l = 1
        while l < widest && l < 64 { l *= 2 }
        return l
    }

    /// The GPU work-group size: the smallest power of two covering the widest loop, at most
    /// `limit` (the device's work-group size for ib_iterate, a power of two).
    package static func gpuLocalSize(nx: Int, ny: Int, clusters: Int, limit: Int) -> Int {
        min(limit, GPUShapes.pow2(atLeast: max(nx, clusters * ny, clusters, 1)))
    }

    package static func iterate(dtype: DType, fp64: Bool, buffers: Buffers, batch: Int, nx: Int, ny: Int, clusters: Int,
                               maxIterations: Int, tolerance: Double, local: Int) -> KernelInvocation {
        let accBytes = fp64 ? 8 : dtype.byteSize
        return KernelInvocation(
            file: "ib.cl", name: "ib_iterate", options: dtype.kernelOptions(deviceHasFP64: fp64),
            args: [.buffer(buffers.px), .buffer(buffers.pyx), .buffer(buffers.betas), .buffer(buffers.q),
                   .buffer(buffers.pt), .buffer(buffers.pyt), .buffer(buffers.logits), .buffer(buffers.iters),
                   .buffer(buffers.change), .uint32(UInt32(nx)), .uint32(UInt32(ny)), .uint32(UInt32(clusters)),
                   .uint32(UInt32(maxIterations)), ElementwiseKernels.scalar(tolerance, dtype), .local(local * accBytes)],
            global: [batch * local], local: [local], needsFP64: dtype == .f64)
    }
}
