import OpenCLRuntime
import COpenCL
import Foundation

/// The OpenCL engine's convolution: the direct kernels of kernels/conv2d.cl, or im2col
/// (kernels/im2col.cl) of a chunk of images and one strided-batch GEMM per group through this
/// backend's GEMM engine, col2im for the input gradient and a batch reduction for the weights.
/// `Conv2dPath.choose` picks the path; `path:` forces one.
extension OpenCLBackend {
    /// conv2d forward on `path` (nil: `Conv2dPath.choose`).
    public func conv2dForward<T: Scalar>(_ x: Tensor<T>, _ w: Tensor<T>, bias: Tensor<T>?, _ p: Conv2dParams,
                                         into y: Tensor<T>, path: Conv2dPath?) throws {
        try checkDevice("conv2d", x: x, w: w, y: y, bias: bias, p)
        let (dt, fp64) = (T.dtype, cl.info.fp64)
        let choice = convPlan(.forward, p, dtype: dt, forced: path)
        if choice.path == .direct {
            let (x, w, bias, y) = (operand(x), operand(w), bias.map(operand), operand(y))
            return try runShaped(gpu: { GPUConvKernels.directForward(dtype: dt, fp64: fp64, x: x, w: w, bias: bias, y: y, p, wg: $0,
                                                                     shape: choice.shape) },
                                 cpu: { ConvKernels.directForward(dtype: dt, fp64: fp64, x: x, w: w, bias: bias, y: y, p) })
        }
        let s = CPUConv.Sizes(p)
        try cl.serialized {
            let plan = try ConvWorkspace.plan(p, cl: cl, dtype: dt, pointwise: s.pointwise, extra: 0)
            for n0 in stride(from: 0, to: p.batch, by: plan.images) {
                let nb = min(plan.images, p.batch - n0)
                let col = try columns(x, images: n0, count: nb, s, plan, p)
                let colStride = s.pointwise ? s.imageIn : s.colRows * s.plane
                for g in 0..<p.groups {
                    // Y_g [Og, plane] = W_g [Og, Kg] · col_g [Kg, plane], for each image of the chunk.
                    var q = GemmParams(m: p.outPerGroup, n: s.plane, k: p.patchSize, batch: nb)
                    q.offsetA = w.offset + g * p.outPerGroup * p.patchSize
                    q.strideA = 0
                    q.offsetB = col.offset + g * p.patchSize * s.plane
                    q.strideB = colStride
                    q.offsetC = y.offset + n0 * s.imageOut + g * p.outPerGroup * s.plane
                    q.strideC = s.imageOut
                    try rawGemm(q, alpha: T(1), a: mem(w), b: col.mem, beta: T(0), c: mem(y))
                }
            }
            if let bias {
                try cl.run(ConvKernels.biasAdd(dtype: dt, fp64: fp64, bias: operand(bias), y: operand(y), p))
            }
        }
    }

    /// The input gradient on `path` (nil: `Conv2dPath.choose`).
    public func conv2dBackwardInput<T: Scalar>(_ dy: Tensor<T>, _ w: Tensor<T>, _ p: Conv2dParams,
                                               into dx: Tensor<T>, path: Conv2dPath?) throws {
        try checkDevice("conv2dBackwardInput", x: dx, w: w, y: dy, bias: nil, p)
        let (dt, fp64) = (T.dtype, cl.info.fp64)
        let choice = convPlan(.backwardInput, p, dtype: dt, forced: path)
        if choice.path == .direct {
            let (dy, w, dx) = (operand(dy), operand(w), operand(dx))
            return try runShaped(gpu: { GPUConvKernels.directBackwardInput(dtype: dt, fp64: fp64, dy: dy, w: w, dx: dx, p, wg: $0,
                                                                           shape: choice.shape) },
                                 cpu: { ConvKernels.directBackwardInput(dtype: dt, fp64: fp64, dy: dy, w: w, dx: dx, p) })
        }
        let s = CPUConv.Sizes(p)
        try cl.serialized {
            let plan = try ConvWorkspace.plan(p, cl: cl, dtype: dt, pointwise: s.pointwise, extra: 0)
            for n0 in stride(from: 0, to: p.batch, by: plan.images) {
                let nb = min(plan.images, p.batch - n0)
                let dcol = s.pointwise ? Operand(mem(dx), dx.offset + n0 * s.imageIn) : Operand(plan.buffer, 0)
                for g in 0..<p.groups {
                    // dcol_g [Kg, plane] = W_gᵀ [Kg, Og] · dY_g [Og, plane]
                    var q = GemmParams(m: p.patchSize, n: s.plane, k: p.outPerGroup, transA: true, batch: nb)
                    q.offsetA = w.offset + g * p.outPerGroup * p.patchSize
                    q.strideA = 0
                    q.offsetB = dy.offset + n0 * s.imageOut + g * p.outPerGroup * s.plane
                    q.strideB = s.imageOut
                    q.offsetC = dcol.offset + g * p.patchSize * s.plane
                    q.strideC = s.pointwise ? s.imageIn : s.colRows * s.plane
                    try rawGemm(q, alpha: T(1), a: mem(w), b: mem(dy), beta: T(0), c: dcol.mem)
                }
                if !s.pointwise {
                    try cl.run(ConvKernels.col2im(dtype: dt, fp64: fp64, col: dcol,
                                                  dx: Operand(mem(dx), dx.offset + n0 * s.imageIn), images: nb, p))
                }
            }
        }
    }

    /// The weight (and bias) gradients on `path` (nil: `Conv2dPath.choose`).
    public func conv2dBackwardWeights<T: Scalar>(_ x: Tensor<T>, _ dy: Tensor<T>, _ p: Conv2dParams,
                                                 into dw: Tensor<T>, bias dbias: Tensor<T>?, path: Conv2dPath?) throws {
        try checkDevice("conv2dBackwardWeights", x: x, w: dw, y: dy, bias: dbias, p)
        let (dt, fp64) = (T.dtype, cl.info.fp64)
        try cl.serialized {
            if let dbias { try biasGradient(dy, p, into: dbias) }
            let choice = convPlan(.backwardWeights, p, dtype: dt, forced: path)
            if choice.path == .direct {
                let (x, dy, dw) = (operand(x), operand(dy), operand(dw))
                return try runShaped(preferred: max(Self.preferredWorkGroup, choice.shape.reduction),
                                     gpu: { GPUConvKernels.directBackwardWeights(dtype: dt, fp64: fp64, x: x, dy: dy, dw: dw, p,
                                                                                 wg: $0, shape: choice.shape) },
                                     cpu: { ConvKernels.directBackwardWeights(dtype: dt, fp64: fp64, x: x, dy: dy, dw: dw, p) })
            }
            let s = CPUConv.Sizes(p)
            // Per-image gradients [images, O, Kg] after the column matrices, summed into dw per chunk.
            let perImage = p.outChannels * p.patchSize
            let plan = try ConvWorkspace.plan(p, cl: cl, dtype: dt, pointwise: s.pointwise, extra: perImage)
            let partials = Operand(plan.buffer, s.pointwise ? 0 : plan.images * s.colRows * s.plane)
            for n0 in stride(from: 0, to: p.batch, by: plan.images) {
                let nb = min(plan.images, p.batch - n0)
                let col = try columns(x, images: n0, count: nb, s, plan, p)
                for g in 0..<p.groups {
                    // dW_g [Og, Kg] of each image = dY_g [Og, plane] · col_gᵀ [plane, Kg]
                    var q = GemmParams(m: p.outPerGroup, n: p.patchSize, k: s.plane, transB: true, batch: nb)
                    q.offsetA = dy.offset + n0 * s.imageOut + g * p.outPerGroup * s.plane
                    q.strideA = s.imageOut
                    q.offsetB = col.offset + g * p.patchSize * s.plane
                    q.strideB = s.pointwise ? s.imageIn : s.colRows * s.plane
                    q.offsetC = partials.offset + g * p.outPerGroup * p.patchSize
                    q.strideC = perImage
                    try rawGemm(q, alpha: T(1), a: mem(dy), b: col.mem, beta: T(0), c: partials.mem)
                }
                if kernelShape == .gpu {
                    try runGPU { GPUReduceKernels.batchSum(dtype: dt, fp64: fp64, src: partials, batch: nb, count: perImage,
                                                           dst: operand(dw), accumulate: n0 > 0, wg: $0) }
                } else {
                    try cl.run(ConvKernels.batchSum(dtype: dt, fp64: fp64, src: partials, batch: nb, count: perImage,
                                                    dst: operand(dw), accumulate: n0 > 0))
                }
            }
        }
    }

    /// The path and direct-kernel shapes of one pass of `p`: a forced path (and shapes) first, else this
    /// device's tuning record for the pass and shape class (`gpurun tune conv`), else
    /// `Conv2dPath.choose` with the built-in shapes.
    package func convPlan(_ pass: ConvPass, _ p: Conv2dParams, dtype: DType,
                          forced: Conv2dPath?) -> (path: Conv2dPath, shape: ConvDirectParams) {
        let r = convTuning.record(dtype: dtype, pass: pass, shapeClass: p.shapeClass)
        let path = forced ?? r.flatMap { Conv2dPath(rawValue: $0.path) } ?? .choose(p)
        return (path, convShapeOverride ?? r?.direct ?? .defaults)
    }

    /// The operands' shapes, and T's support on this device.
    private func checkDevice<T: Scalar>(_ op: String, x: Tensor<T>, w: Tensor<T>, y: Tensor<T>, bias: Tensor<T>?,
                                        _ p: Conv2dParams) throws {
        try checkConv(op, x: x, w: w, y: y, bias: bias, p)
        try checkDType(T.self, op)
    }

    /// The column matrix of images n0 ..< n0 + count: x itself for a pointwise convolution, else
    /// im2col into the plan's buffer.
    private func columns<T: Scalar>(_ x: Tensor<T>, images n0: Int, count nb: Int, _ s: CPUConv.Sizes,
                                    _ plan: ConvWorkspace.Plan, _ p: Conv2dParams) throws -> Operand {
        let images = Operand(mem(x), x.offset + n0 * s.imageIn)
        if s.pointwise { return images }
        let col = Operand(plan.buffer, 0)
        try cl.run(ConvKernels.im2col(dtype: T.dtype, fp64: cl.info.fp64, x: images, col: col, images: nb, p))
        return col
    }

    /// dbias[o] = Σ dy[n, o, :, :]: per-(n, o) partials in ACC, then a sum over n.
    func biasGradient<T: Scalar>(_ dy: Tensor<T>, _ p: Conv2dParams, into dbias: Tensor<T>) throws {
        let (dt, fp64) = (T.dtype, cl.info.fp64)
        let count = p.batch * p.outChannels
        let partial: cl_mem?
        let keep: AnyObject
        if fp64 {
            let b: CLBuffer<Double> = try cl.buffer(count: count)
            (partial, keep) = (b.mem, b)
        } else {
            let b: CLBuffer<Float> = try cl.buffer(count: count)
            (partial, keep) = (b.mem, b)
        }
        if kernelShape == .gpu {
            let plane = p.outH * p.outW
            try runGPU { GPUReduceKernels.planeSums(dtype: dt, fp64: fp64, x: operand(dy), dy: operand(dy), mean: operand(dy),
                                                    planes: count, c: p.outChannels, s: plane, mode: .sum, a: partial,
                                                    b: partial, wg: $0) }
            try runGPU { GPUReduceKernels.batchSumPartials(dtype: dt, fp64: fp64, src: partial, batch: p.batch,
                                                           count: p.outChannels, dst: operand(dbias), wg: $0) }
        } else {
            try cl.run(ConvKernels.biasPartials(dtype: dt, fp64: fp64, dy: operand(dy), partial: partial, p))
            try cl.run(ConvKernels.batchSumPartials(dtype: dt, fp64: fp64, src: partial, batch: p.batch,
                                                    count: p.outChannels, dst: operand(dbias)))
        }
        withExtendedLifetime(keep) {}
    }
}

/// The im2col path's scratch: one device buffer per context, grown on demand and kept (a fresh
/// allocation per call costs page faults on CPU devices). Callers hold the context lock
/// (`CLContext.serialized`) from planning until their last kernel is enqueued; the in-order
/// queue then orders later users after earlier ones.
final class ConvWorkspace: @unchecked Sendable {
    /// Column-matrix elements one chunk may take: 2^24 (64 MiB in float32).
    static let budget = 1 << 24

    private static let lock = NSLock()
    nonisolated(unsafe) private static var buffers: [ObjectIdentifier: CLBuffer<UInt8>] = [:]

    struct Plan {
        /// Images per chunk.
        let images: Int
        let buffer: cl_mem?
    }

    /// Images per chunk within the budget, and a buffer of `images` column matrices (none for
    /// pointwise convolutions) plus `extra` elements per image.
    static func plan(_ p: Conv2dParams, cl: CLContext, dtype: DType, pointwise: Bool, extra: Int) throws -> Plan {
        let colPerImage = pointwise ? 0 : p.inChannels * p.kernelH * p.kernelW * p.outH * p.outW
        let perImage = colPerImage + extra
        if perImage == 0 { return Plan(images: p.batch, buffer: nil) }
        let images = max(1, min(p.batch, budget / perImage))
        let bytes = images * perImage * dtype.byteSize
        lock.lock()
        defer { lock.unlock() }
        let key = ObjectIdentifier(cl)
        if let b = buffers[key], b.count >= bytes { return Plan(images: images, buffer: b.mem) }
        buffers[key] = nil
        let b = try cl.buffer(UInt8.self, count: bytes)
        buffers[key] = b
        return Plan(images: images, buffer: b.mem)
    }
}
