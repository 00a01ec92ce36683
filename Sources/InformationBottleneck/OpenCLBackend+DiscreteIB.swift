import Compute
import OpenCLRuntime

/// One launch of kernels/ib.cl for the whole β batch (IBKernels.iterate); on GPUs with the
/// device's work-group size (up to 256) instead of at most 64.
extension OpenCLBackend: DiscreteIBOps {
    public func discreteIBIterate<T: Scalar>(_ p: DiscreteIBProblem, betas: [Double], initial: [T], clusters k: Int,
                                             maxIterations: Int, tolerance: Double) throws -> DiscreteIBSweep.Result<T> {
        try checkDType(T.self, "the IB sweep")
        let b = betas.count, nx = p.nx, ny = p.ny
        let elements = nx + nx * ny + b * (1 + 2 * nx * k + k + k * ny + 1)
        try cl.checkFits(totalBytes: elements * MemoryLayout<T>.size + b * MemoryLayout<Int32>.size)
        let px = try cl.buffer(p.px.map { T($0) }), pyx = try cl.buffer(p.pyGivenX.map { T($0) })
        let bs = try cl.buffer(betas.map { T($0) }), q = try cl.buffer(initial)
        let pt: CLBuffer<T> = try cl.buffer(count: b * k), pyt: CLBuffer<T> = try cl.buffer(count: b * k * ny)
        let logits: CLBuffer<T> = try cl.buffer(count: b * nx * k)
        let iters: CLBuffer<Int32> = try cl.buffer(count: b), change: CLBuffer<T> = try cl.buffer(count: b)
        let buffers = IBKernels.Buffers(px: px.mem, pyx: pyx.mem, betas: bs.mem, q: q.mem, pt: pt.mem, pyt: pyt.mem,
                                        logits: logits.mem, iters: iters.mem, change: change.mem)
        if kernelShape == .gpu {
            try runGPU { limit in
                IBKernels.iterate(dtype: T.dtype, fp64: cl.info.fp64, buffers: buffers, batch: b, nx: nx, ny: ny,
                                  clusters: k, maxIterations: maxIterations, tolerance: tolerance,
                                  local: IBKernels.gpuLocalSize(nx: nx, ny: ny, clusters: k, limit: limit))
            }
        } else {
            try cl.run(IBKernels.iterate(dtype: T.dtype, fp64: cl.info.fp64, buffers: buffers, batch: b, nx: nx, ny: ny,
                                         clusters: k, maxIterations: maxIterations, tolerance: tolerance,
                                         local: IBKernels.localSize(nx: nx, ny: ny, clusters: k)))
        }
        return DiscreteIBSweep.Result(encoders: try q.read(), iterations: try iters.read().map(Int.init),
                      change: try change.read().map(\.double))
    }
}
