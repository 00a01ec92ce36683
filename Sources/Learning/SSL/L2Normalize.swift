import Compute

/// Rows of x [N, d] scaled to unit length, q = z/‖z‖, and the backward pass
/// ∂ℓ/∂z = (g − q (q·g))/‖z‖ (docs/ssl.md S2). Row sums are GEMMs against a column of ones,
/// so both engines run the same ops.
public final class L2Normalize<T: Scalar>: Layer {
    public let name: String
    public var needsInputGradient = true
    let backend: any Backend
    private var y = Reusable<T>(), dx = Reusable<T>(), work = Reusable<T>()
    private var inverseNorm = Reusable<T>(), rowDot = Reusable<T>(), ones = Reusable<T>(), onesRows = Reusable<T>()
    private var output: Tensor<T>?, norms: Tensor<T>?

    public init(_ name: String, on backend: any Backend) {
        self.name = name
        self.backend = backend
    }

    /// Σ_c a[n, c] b[n, c] into out [N, 1] (a ⊙ b, then a GEMM with ones).
    func rowDots(_ a: Tensor<T>, _ b: Tensor<T>, into out: Tensor<T>) throws {
        let (n, d) = (a.shape[0], a.shape[1])
        let prod = try work.get([n, d], on: backend)
        try backend.binary(.mul, a, b, into: prod)
        let one = try ones.get([d, 1], on: backend)
        try backend.fill(one, with: 1)
        try backend.gemm(GemmParams(m: n, n: 1, k: d), alpha: 1, prod, one, beta: 0, out)
    }

    public func forward(_ x: Tensor<T>, train: Bool) throws -> Tensor<T> {
        guard x.rank == 2, x.shape[1] > 0 else { throw ComputeError.shapeMismatch("\(name): expected [N, d], got \(x.shape)") }
        let n = x.shape[0]
        let inv = try inverseNorm.get([n, 1], on: backend)
        try rowDots(x, x, into: inv)
        try backend.apply(.sqrt, inv, into: inv)
        let one = try onesRows.get([n, 1], on: backend)
        try backend.fill(one, with: 1)
        try backend.binary(.div, one, inv, into: inv)
        let y = try self.y.get(x.shape, on: backend)
        try backend.scale(rows: true, inv, x, cols: x.shape[1], into: y)
        (output, norms) = (y, inv)
        return y
    }

    public func backward(_ dy: Tensor<T>) throws -> Tensor<T>? {
        let q = try cached(output, name), inv = try cached(norms, name)
        guard needsInputGradient else { return nil }
        guard dy.shape == q.shape else { throw ComputeError.shapeMismatch("\(name): gradient \(dy.shape), output \(q.shape)") }
        let (n, d) = (q.shape[0], q.shape[1])
        let s = try rowDot.get([n, 1], on: backend)
        try rowDots(q, dy, into: s)
        let dx = try self.dx.get(q.shape, on: backend)
        try backend.scale(rows: true, s, q, cols: d, into: dx)  // q (q·g)
        try backend.binary(.sub, dy, dx, into: dx)
        try backend.scale(rows: true, inv, dx, cols: d, beta: 0, into: dx)
        return dx
    }
}
