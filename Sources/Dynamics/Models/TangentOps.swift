import Compute
import OpenCLRuntime

/// A strided batch of row blocks inside one tensor: block b (`rows` rows of `cols` values,
/// row-major) starts at element `offset + b·stride` of `tensor` (the tensor's own view offset
/// adds to it). Segment s of every member's tangent block Q ([B, S, k]) is
/// `RowBlocks(q, offset: s·N·k, stride: S·k)`; a [B, N] vector of per-row factors is
/// `RowBlocks(v, offset: 0, stride: N)`.
public struct RowBlocks<T: Scalar> {
    public var tensor: Tensor<T>
    public var offset: Int
    public var stride: Int
    public init(_ tensor: Tensor<T>, offset: Int = 0, stride: Int) {
        self.tensor = tensor
        self.offset = offset
        self.stride = stride
    }

    /// Throws unless `batch` blocks of `size` values fit inside the tensor.
    func check(_ what: String, batch: Int, size: Int) throws {
        let end = offset + max(batch - 1, 0) * stride + size
        guard offset >= 0, stride >= 0, batch == 0 || size == 0 || end <= tensor.count else {
            throw ComputeError.shapeMismatch(
                "scaleBlocks: \(batch) blocks of \(size) values of \(what) at offset \(offset), stride \(stride) overrun its \(tensor.count) elements")
        }
    }
}

/// The op family of the batched tangent products (issue 17 point 2): one launch of
/// kernels/tangent.cl scale_blocks on OpenCL, the same formula in Swift on the CPU.
public protocol TangentOps: Backend {
    /// y_b = α diag(v_b) x_b + β y_b for every block b < batch of `rows` × `cols` (v nil: v = 1,
    /// an axpby of strided blocks; β = 0 overwrites y). y may be x.
    func scaleBlocks<T: Scalar>(_ v: RowBlocks<T>?, _ x: RowBlocks<T>, into y: RowBlocks<T>, rows: Int, cols: Int,
                                batch: Int, alpha: T, beta: T) throws
}

extension TangentOps {
    func checkBlocks<T>(_ v: RowBlocks<T>?, _ x: RowBlocks<T>, _ y: RowBlocks<T>, rows: Int, cols: Int, batch: Int) throws {
        for t in [x.tensor, y.tensor] + (v.map { [$0.tensor] } ?? []) where t.backend !== self {
            throw ComputeError.backendMismatch("scaleBlocks: an operand lives on \(t.backend.label), not \(label)")
        }
        guard rows >= 0, cols >= 0, batch >= 0 else {
            throw ComputeError.shapeMismatch("scaleBlocks: negative size \(batch) × \(rows) × \(cols)")
        }
        try x.check("x", batch: batch, size: rows * cols)
        try y.check("y", batch: batch, size: rows * cols)
        try v?.check("v", batch: batch, size: rows)
    }
}

extension CPUBackend: TangentOps {
    /// CPU twin of scale_blocks: s = α x, times v, then + β y. Specialised: see RNNStepOps' twins.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func scaleBlocks<T: Scalar>(_ v: RowBlocks<T>?, _ x: RowBlocks<T>, into y: RowBlocks<T>, rows: Int,
                                       cols: Int, batch: Int, alpha: T, beta: T) throws {
        try checkBlocks(v, x, y, rows: rows, cols: cols, batch: batch)
        let xp = ptr(x.tensor) + x.offset, yp = ptr(y.tensor) + y.offset
        let vp = v.map { ptr($0.tensor) + $0.offset }
        for b in 0..<batch {
            let (xb, yb) = (xp + b * x.stride, yp + b * y.stride)
            let vb = vp.map { $0 + b * (v?.stride ?? 0) }
            for i in 0..<rows {
                let f = vb?[i]
                for c in 0..<cols {
                    let e = i * cols + c
                    var s = alpha * xb[e]
                    if let f { s *= f }
                    yb[e] = beta == 0 ? s : s + beta * yb[e]
                }
            }
        }
    }
}

extension OpenCLBackend: TangentOps {
    /// One launch of kernels/tangent.cl scale_blocks over batch·rows·cols work-items.
    public func scaleBlocks<T: Scalar>(_ v: RowBlocks<T>?, _ x: RowBlocks<T>, into y: RowBlocks<T>, rows: Int,
                                       cols: Int, batch: Int, alpha: T, beta: T) throws {
        try checkBlocks(v, x, y, rows: rows, cols: cols, batch: batch)
        try checkDType(T.self, "scaleBlocks")
        func at(_ r: RowBlocks<T>) -> TangentKernels.Blocks {
            let o = operand(r.tensor)
            return .init(mem: o.mem, offset: o.offset + r.offset, stride: r.stride)
        }
        try cl.run(TangentKernels.scaleBlocks(dtype: T.dtype, fp64: cl.info.fp64, v: v.map(at), x: at(x), y: at(y),
                                              rows: rows, cols: cols, batch: batch, alpha: alpha.double,
                                              beta: beta.double))
    }
}

extension Backend {
    /// The batched tangent family, or an error naming the backend.
    func tangentOps() throws -> any TangentOps {
        guard let ops = self as? any TangentOps else {
            throw ComputeError.invalidArgument("\(label) has no batched tangent ops")
        }
        return ops
    }
}
