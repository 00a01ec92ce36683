import OpenCLRuntime
/// Elementwise functions with a CPU and an OpenCL implementation (kernels/elementwise.cl;
/// the raw values are the kernel's op codes).
public enum UnaryOp: Int32, CaseIterable, Sendable, Codable {
    case tanh = 0, sech2, sigmoid, exp, log, abs, relu, square
}

/// Elementwise binary functions (kernels/elementwise.cl op codes). `maskPositive` is
/// z = x where y > 0, else 0: the gradient of ReLU (x = ∂L/∂out, y = the ReLU's input or output).
public enum BinaryOp: Int32, CaseIterable, Sendable, Codable {
    case add = 0, sub, mul, div, maskPositive
}

/// Which engine a backend runs on.
public enum BackendKind: Sendable {
    case cpu
    case opencl(CLContext)
}

/// The operations every workload is written against. Two implementations, `CPUBackend`
/// (OpenBLAS/LAPACKE and Swift loops) and `OpenCLBackend` (kernels/*.cl, CLBlast), must agree
/// on the same inputs; `gpurun validate` and the tests hold them to it.
public protocol Backend: AnyObject, Sendable {
    var kind: BackendKind { get }
    /// "cpu" or "opencl:N (device name)".
    var label: String { get }
    var supportsFP64: Bool { get }

    // Memory.
    func tensor<T: Scalar>(_ values: [T], shape: [Int]) throws -> Tensor<T>
    func zeros<T: Scalar>(_ shape: [Int], as type: T.Type) throws -> Tensor<T>
    func read<T: Scalar>(_ t: Tensor<T>) throws -> [T]
    func write<T: Scalar>(_ values: [T], into t: Tensor<T>) throws
    func copy<T: Scalar>(_ src: Tensor<T>, into dst: Tensor<T>) throws
    /// Waits for queued work (timing, checkpoints).
    func synchronize() throws

    // Philox random numbers (layout: README "Random numbers"); `offset` counts Philox blocks.
    func philoxRaw(count: Int, seed: UInt64, stream: UInt32, offset: UInt64) throws -> [UInt32]
    func uniform<T: Scalar>(_ shape: [Int], seed: UInt64, stream: UInt32, offset: UInt64) throws -> Tensor<T>
    func normal<T: Scalar>(_ shape: [Int], seed: UInt64, stream: UInt32, offset: UInt64) throws -> Tensor<T>

    // Elementwise maps and reductions.
    func apply<T: Scalar>(_ op: UnaryOp, _ x: Tensor<T>, into y: Tensor<T>) throws
    /// y = alpha x + beta y (beta = 0 overwrites y).
    func axpby<T: Scalar>(_ alpha: T, _ x: Tensor<T>, _ beta: T, _ y: Tensor<T>) throws
    func sum<T: Scalar>(_ x: Tensor<T>) throws -> Double
    func dot<T: Scalar>(_ x: Tensor<T>, _ y: Tensor<T>) throws -> Double
    /// z = x op y elementwise.
    func binary<T: Scalar>(_ op: BinaryOp, _ x: Tensor<T>, _ y: Tensor<T>, into z: Tensor<T>) throws
    /// y = diag(v) X + βy (`rows`) or X diag(v) + βy, X row-major with x.count / cols rows;
    /// β = 0 overwrites y; y may be x.
    func scale<T: Scalar>(rows: Bool, _ v: Tensor<T>, _ x: Tensor<T>, cols: Int, beta: T, into y: Tensor<T>) throws
    func fill<T: Scalar>(_ y: Tensor<T>, with value: T) throws

    /// C = α op(A) op(B) + β C (GemmParams: transposes, leading dimensions, strided batch).
    /// Tensor offsets add to the params' offsets.
    func gemm<T: Scalar>(_ p: GemmParams, alpha: T, _ a: Tensor<T>, _ b: Tensor<T>, beta: T, _ c: Tensor<T>) throws

    // Convolution and pooling on NCHW tensors (Sources/Compute/Conv; Conv2dParams and
    // Pool2dParams define the shapes). Outputs and gradients are overwritten, never accumulated.

    /// y = conv2d(x, w) + bias: x [N, C, H, W], w [O, C/groups, kH, kW], bias [O] or nil,
    /// y [N, O, outH, outW].
    func conv2dForward<T: Scalar>(_ x: Tensor<T>, _ w: Tensor<T>, bias: Tensor<T>?, _ p: Conv2dParams,
                                  into y: Tensor<T>) throws
    /// dx = ∂L/∂x from dy = ∂L/∂y: the transposed convolution of dy with w; dx [N, C, H, W].
    func conv2dBackwardInput<T: Scalar>(_ dy: Tensor<T>, _ w: Tensor<T>, _ p: Conv2dParams, into dx: Tensor<T>) throws
    /// dw = ∂L/∂w (summed over the batch) and, when given, dbias = ∂L/∂bias (dy summed over N, H, W).
    func conv2dBackwardWeights<T: Scalar>(_ x: Tensor<T>, _ dy: Tensor<T>, _ p: Conv2dParams, into dw: Tensor<T>,
                                          bias dbias: Tensor<T>?) throws
    /// y = max over each window (padding is −∞; NaN wins; ties go to the first in row-major order).
    func maxPool2dForward<T: Scalar>(_ x: Tensor<T>, _ p: Pool2dParams, into y: Tensor<T>) throws
    /// dx: each window's dy goes to its maximum, found again from x (no index tensor is kept).
    func maxPool2dBackward<T: Scalar>(_ x: Tensor<T>, _ dy: Tensor<T>, _ p: Pool2dParams, into dx: Tensor<T>) throws
    /// y = window sum / (kH · kW), padding counted as zeros.
    func avgPool2dForward<T: Scalar>(_ x: Tensor<T>, _ p: Pool2dParams, into y: Tensor<T>) throws
    /// dx: each window's dy / (kH · kW) added to every pixel of the window.
    func avgPool2dBackward<T: Scalar>(_ dy: Tensor<T>, _ p: Pool2dParams, into dx: Tensor<T>) throws
    /// y[n, c] = mean of x[n, c, :, :]: x [N, C, H, W], y of N·C elements ([N, C] or [N, C, 1, 1]).
    func globalAvgPoolForward<T: Scalar>(_ x: Tensor<T>, into y: Tensor<T>) throws
    /// dx[n, c, h, w] = dy[n, c] / (H · W).
    func globalAvgPoolBackward<T: Scalar>(_ dy: Tensor<T>, into dx: Tensor<T>) throws

    // Training (Sources/Compute/Training): batch normalisation on x viewed as [N, C, S]
    // (S = H·W for images, 1 for features), per channel c over M = N·S values; softmax
    // cross-entropy on logits [N, K].

    /// mean[c] and the biased variance[c] of the channel's M values.
    func batchNormStatistics<T: Scalar>(_ x: Tensor<T>, channels: Int, spatial: Int, mean: Tensor<T>,
                                        variance: Tensor<T>) throws
    /// y = γ[c] (x − mean[c]) / √(variance[c] + eps) + β[c].
    func batchNormForward<T: Scalar>(_ x: Tensor<T>, mean: Tensor<T>, variance: Tensor<T>, gamma: Tensor<T>,
                                     beta: Tensor<T>, eps: Double, channels: Int, spatial: Int, into y: Tensor<T>) throws
    /// Gradients of training-mode batch normalisation (mean and variance are x's batch
    /// statistics): dβ = Σ dy, dγ = Σ dy x̂, dx = γ/σ (dy − dβ/M − x̂ dγ/M), σ = √(variance + eps).
    func batchNormBackward<T: Scalar>(_ x: Tensor<T>, _ dy: Tensor<T>, mean: Tensor<T>, variance: Tensor<T>,
                                      gamma: Tensor<T>, eps: Double, channels: Int, spatial: Int, dx: Tensor<T>,
                                      dgamma: Tensor<T>, dbeta: Tensor<T>) throws
    /// Per row n of logits [N, K] with labels [N] (class indices stored as T, checked to lie in
    /// 0..<K by the caller): loss[n] = logsumexp(z_n) − z_n[label], correct[n] = 1 when the
    /// first maximum is at the label, else 0, and gradient = (softmax(z) − onehot) · gradScale.
    func softmaxCrossEntropy<T: Scalar>(_ logits: Tensor<T>, labels: Tensor<T>, loss: Tensor<T>, correct: Tensor<T>,
                                        gradient: Tensor<T>?, gradScale: T) throws
}

extension Backend {
    public var isCPU: Bool { if case .cpu = kind { true } else { false } }

    public func tensor<T: Scalar>(_ values: [T]) throws -> Tensor<T> { try tensor(values, shape: [values.count]) }

    public func uniform<T: Scalar>(_ shape: [Int], seed: UInt64, stream: UInt32 = 0, as: T.Type = T.self) throws -> Tensor<T> {
        try uniform(shape, seed: seed, stream: stream, offset: 0)
    }

    public func normal<T: Scalar>(_ shape: [Int], seed: UInt64, stream: UInt32 = 0, as: T.Type = T.self) throws -> Tensor<T> {
        try normal(shape, seed: seed, stream: stream, offset: 0)
    }

    public func map<T: Scalar>(_ op: UnaryOp, _ x: Tensor<T>) throws -> Tensor<T> {
        let y = try zeros(x.shape, as: T.self)
        try apply(op, x, into: y)
        return y
    }

    /// y = diag(v) X (`rows`) or X diag(v).
    public func scale<T: Scalar>(rows: Bool, _ v: Tensor<T>, _ x: Tensor<T>, cols: Int, into y: Tensor<T>) throws {
        try scale(rows: rows, v, x, cols: cols, beta: 0, into: y)
    }

    /// C = A B for dense 2-D tensors, as a new tensor.
    public func matmul<T: Scalar>(_ a: Tensor<T>, _ b: Tensor<T>, transA: Bool = false, transB: Bool = false) throws
        -> Tensor<T>
    {
        guard a.rank == 2, b.rank == 2 else { throw ComputeError.shapeMismatch("matmul needs 2-D tensors, got \(a.shape) and \(b.shape)") }
        let (m, k) = transA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = transB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard k == k2 else { throw ComputeError.shapeMismatch("matmul: inner dimensions \(k) and \(k2) differ") }
        let c = try zeros([m, n], as: T.self)
        try gemm(GemmParams(m: m, n: n, k: k, transA: transA, transB: transB), alpha: 1, a, b, beta: 0, c)
        return c
    }

    /// Throws unless every tensor lives on this backend and has `count` elements.
    func checkOperands<T>(_ op: String, _ ts: [Tensor<T>], count: Int? = nil) throws {
        for t in ts where t.backend !== self {
            throw ComputeError.backendMismatch("\(op): an operand lives on \(t.backend.label), not \(label)")
        }
        if let count, let bad = ts.first(where: { $0.count != count }) {
            throw ComputeError.shapeMismatch("\(op): operand of shape \(bad.shape) does not have \(count) elements")
        }
    }

    /// Operands of `scale`: v matches the rows (or columns) of X, y matches X.
    func checkScale<T>(rows: Bool, _ v: Tensor<T>, _ x: Tensor<T>, cols: Int, _ y: Tensor<T>) throws {
        try checkOperands("scale", [v, x, y])
        guard cols > 0 || x.count == 0, cols == 0 || x.count % cols == 0, y.count == x.count else {
            throw ComputeError.shapeMismatch("scale: \(x.count) elements are not rows of \(cols) columns (output \(y.count))")
        }
        let need = rows ? (cols == 0 ? 0 : x.count / cols) : cols
        guard v.count == need else {
            throw ComputeError.shapeMismatch("scale: the vector has \(v.count) elements, the \(rows ? "rows" : "columns") are \(need)")
        }
    }
}
