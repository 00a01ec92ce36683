import OpenCLRuntime

/// Which engine a backend runs on.
public enum BackendKind: Sendable {
    case cpu
    case opencl(CLContext)
}

/// What every engine has: memory on its device. The op families (`RandomOps`, `ElementwiseOps`,
/// `GemmOps`, `ConvolutionOps`, `PoolingOps`, `NormalizationOps`; each declared in its folder
/// with its CPU half, its OpenCL half and its validate check) build on it. CONTRIBUTING.md
/// says how to add an op.
public protocol BackendBase: AnyObject, Sendable {
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
}

/// The operations every workload is written against: all core op families. Two
/// implementations, `CPUBackend` (OpenBLAS/LAPACKE and Swift loops) and `OpenCLBackend`
/// (kernels/*.cl, CLBlast), must agree on the same inputs; `gpurun validate` and the tests hold
/// them to it. Libraries above add families of their own the same way (e.g. `DiscreteIBOps`).
public protocol Backend: RandomOps, ElementwiseOps, GemmOps, ConvolutionOps, PoolingOps, NormalizationOps {}

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
