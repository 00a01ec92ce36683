import OpenCLRuntime
// Convolution and pooling: the path rule, shape checks shared by both backends, and allocating
// conveniences. The ops themselves are `Backend` requirements (Backend.swift), implemented in
// CPUBackend+Conv.swift (with CPUConvDirect.swift), CPUBackend+Pool.swift,
// OpenCLBackend+Conv.swift and OpenCLBackend+Pool.swift.

/// How our engines compute a convolution.
public enum Conv2dPath: String, Sendable, CaseIterable, Codable {
    /// Loops over the kernel window: on OpenCL one work-item per output element (per input
    /// pixel, per weight for the gradients), kernels/conv2d.cl; on the CPU, CPUConvDirect.
    case direct
    /// im2col of a chunk of images, then GEMM per group (OpenBLAS on the CPU, a strided batch
    /// on OpenCL); col2im brings the input gradient back onto the pixels.
    case im2col

    /// The rule both engines apply when no path is forced: direct when a group has fewer than 8
    /// output channels (depthwise and other thin groups, where a GEMM is a stack of
    /// matrix–vector products and our GEMM's row tiles sit mostly empty), im2col + GEMM
    /// otherwise. Measured on PoCL and OpenBLAS (BENCHMARKS.md, "Conv2d"): with 8 or more
    /// output channels per group, im2col + GEMM won every layer, the 3→64 stems and 16→16
    /// layers included, mostly through the weight gradient.
    public static func choose(_ p: Conv2dParams) -> Conv2dPath {
        p.outPerGroup < 8 ? .direct : .im2col
    }
}

extension Conv2dParams {
    /// The tuning class of this layer (ConvShapeClass: thin groups, else by multiply-adds).
    public var shapeClass: ConvShapeClass {
        ConvShapeClass(outPerGroup: outPerGroup, work: batch * outChannels * outH * outW * patchSize)
    }
}

extension Backend {
    /// Throws a readable error unless x, w, y (and bias) live here and fit the params.
    func checkConv<T>(_ op: String, x: Tensor<T>, w: Tensor<T>, y: Tensor<T>, bias: Tensor<T>?,
                      _ p: Conv2dParams) throws {
        try checkOperands(op, [x, w, y] + (bias.map { [$0] } ?? []))
        if let problem = p.problem(input: x.shape, weight: w.shape, output: y.shape, bias: bias?.shape) {
            throw ComputeError.shapeMismatch(op == "conv2d" ? problem : problem.replacingFirst("conv2d", with: op))
        }
    }

    /// Throws unless x and y live here and fit the pooling params.
    func checkPool<T>(_ op: String, x: Tensor<T>, y: Tensor<T>, _ p: Pool2dParams) throws {
        try checkOperands(op, [x, y])
        if let problem = p.problem(input: x.shape, output: y.shape) {
            throw ComputeError.shapeMismatch(problem.replacingFirst("pool2d", with: op))
        }
    }

    /// Global pooling: x is [N, C, H, W] with positive sizes and y has N·C elements.
    func checkGlobalPool<T>(_ op: String, x: Tensor<T>, y: Tensor<T>) throws -> (planes: Int, size: Int) {
        try checkOperands(op, [x, y])
        guard x.rank == 4, x.shape.allSatisfy({ $0 > 0 }) else {
            throw ComputeError.shapeMismatch("\(op): the input must be 4-D (N, C, H, W) with positive sizes, got \(x.shape)")
        }
        let planes = x.shape[0] * x.shape[1]
        guard y.count == planes else {
            throw ComputeError.shapeMismatch("\(op): the output has shape \(y.shape), expected \(planes) values "
                                             + "([\(x.shape[0]), \(x.shape[1])] or [\(x.shape[0]), \(x.shape[1]), 1, 1])")
        }
        guard x.count <= Int(Int32.max) else {
            throw ComputeError.shapeMismatch("\(op): input \(x.shape) is too large (over 2^31 elements)")
        }
        return (planes, x.shape[2] * x.shape[3])
    }

    /// conv2d into a new tensor of the output shape.
    public func conv2d<T: Scalar>(_ x: Tensor<T>, _ w: Tensor<T>, bias: Tensor<T>? = nil, _ p: Conv2dParams) throws
        -> Tensor<T>
    {
        if let problem = p.problem() { throw ComputeError.shapeMismatch(problem) }
        let y = try zeros(p.outputShape, as: T.self)
        try conv2dForward(x, w, bias: bias, p, into: y)
        return y
    }

    /// Max pooling into a new tensor of the output shape.
    public func maxPool2d<T: Scalar>(_ x: Tensor<T>, _ p: Pool2dParams) throws -> Tensor<T> {
        if let problem = p.problem() { throw ComputeError.shapeMismatch(problem) }
        let y = try zeros(p.outputShape, as: T.self)
        try maxPool2dForward(x, p, into: y)
        return y
    }

    /// Average pooling into a new tensor of the output shape.
    public func avgPool2d<T: Scalar>(_ x: Tensor<T>, _ p: Pool2dParams) throws -> Tensor<T> {
        if let problem = p.problem() { throw ComputeError.shapeMismatch(problem) }
        let y = try zeros(p.outputShape, as: T.self)
        try avgPool2dForward(x, p, into: y)
        return y
    }
}

extension String {
    /// The string with its first `target` replaced (op names in shared shape messages).
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let r = range(of: target) else { return self }
        return replacingCharacters(in: r, with: replacement)
    }
}
