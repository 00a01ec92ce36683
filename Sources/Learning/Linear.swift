import Compute
/// y = x Wᵀ + b for x [N, in], W [out, in], b [out] (PyTorch's nn.Linear). The bias is added,
/// and its gradient summed over the batch, by rank-1 GEMMs against a column of ones.
public final class Linear<T: Scalar>: Layer {
    public let name: String
    public let weight: Parameter<T>
    public let bias: Parameter<T>
    public var needsInputGradient = true
    public let inFeatures: Int, outFeatures: Int
    let backend: any Backend
    private var x: Tensor<T>?
    private var y = Reusable<T>(), dx = Reusable<T>()
    private var ones: Tensor<T>?

    public init(_ name: String, in inFeatures: Int, out outFeatures: Int, on backend: any Backend) throws {
        self.name = name
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.backend = backend
        weight = try Parameter("\(name).weight", role: .weight, shape: [outFeatures, inFeatures], fanIn: inFeatures,
                               on: backend)
        bias = try Parameter("\(name).bias", role: .bias, shape: [outFeatures], fanIn: inFeatures, on: backend)
    }

    public var parameters: [Parameter<T>] { [weight, bias] }

    private func onesColumn(_ n: Int) throws -> Tensor<T> {
        if let ones, ones.count == n { return ones }
        let fresh = try backend.tensor([T](repeating: 1, count: n), shape: [n, 1])
        ones = fresh
        return fresh
    }

    public func forward(_ x: Tensor<T>, train: Bool) throws -> Tensor<T> {
        guard x.rank == 2, x.shape[1] == inFeatures else {
            throw ComputeError.shapeMismatch("\(name): expected input [N, \(inFeatures)], got \(x.shape)")
        }
        let n = x.shape[0]
        self.x = x
        let y = try self.y.get([n, outFeatures], on: backend)
        try backend.gemm(GemmParams(m: n, n: outFeatures, k: inFeatures, transB: true), alpha: 1, x, weight.value,
                         beta: 0, y)
        try backend.gemm(GemmParams(m: n, n: outFeatures, k: 1), alpha: 1, onesColumn(n), bias.value, beta: 1, y)
        return y
    }

    public func backward(_ dy: Tensor<T>) throws -> Tensor<T>? {
        let x = try cached(x, name)
        let n = x.shape[0]
        if weight.trainable {
            // dW [out, in] = dyᵀ x
            try backend.gemm(GemmParams(m: outFeatures, n: inFeatures, k: n, transA: true), alpha: 1, dy, x, beta: 0,
                             weight.grad)
        }
        if bias.trainable {
            // db [out] = dyᵀ 1
            try backend.gemm(GemmParams(m: outFeatures, n: 1, k: n, transA: true), alpha: 1, dy, onesColumn(n), beta: 0,
                             bias.grad)
        }
        guard needsInputGradient else { return nil }
        let dx = try self.dx.get([n, inFeatures], on: backend)
        try backend.gemm(GemmParams(m: n, n: inFeatures, k: outFeatures), alpha: 1, dy, weight.value, beta: 0, dx)
        return dx
    }
}
