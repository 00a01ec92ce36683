import Compute
/// Batch normalisation (docs/training.md N3, N4) with PyTorch's semantics (BatchNorm1d on [N, C], BatchNorm2d on
/// [N, C, H, W]): in training, each channel is normalised by its batch mean and biased
/// variance, and the running statistics move by `momentum` towards the batch mean and the
/// unbiased variance (M/(M−1) times the biased one, M = N·H·W); in evaluation the running
/// statistics normalise. γ starts at 1, β at 0, the running mean at 0 and variance at 1.
public final class BatchNorm<T: Scalar>: Layer {
    public let name: String
    public let channels: Int
    public let gamma: Parameter<T>
    public let beta: Parameter<T>
    public let runningMean: Tensor<T>
    public let runningVariance: Tensor<T>
    public var momentum = 0.1
    public var eps = 1e-5
    public var needsInputGradient = true
    let backend: any Backend
    private var x: Tensor<T>?
    private let mean: Tensor<T>, variance: Tensor<T>
    private var y = Reusable<T>(), dx = Reusable<T>()

    public init(_ name: String, channels: Int, on backend: any Backend) throws {
        self.name = name
        self.channels = channels
        self.backend = backend
        gamma = try Parameter("\(name).weight", role: .gamma, shape: [channels], fanIn: 1, on: backend)
        beta = try Parameter("\(name).bias", role: .beta, shape: [channels], fanIn: 1, on: backend)
        try backend.fill(gamma.value, with: 1)
        runningMean = try backend.zeros([channels], as: T.self)
        runningVariance = try backend.tensor([T](repeating: 1, count: channels))
        mean = try backend.zeros([channels], as: T.self)
        variance = try backend.zeros([channels], as: T.self)
    }

    public var parameters: [Parameter<T>] { [gamma, beta] }
    public var buffers: [(String, Tensor<T>)] { [("\(name).running_mean", runningMean), ("\(name).running_var", runningVariance)] }

    /// Values per channel and image: H·W, or 1 for [N, C].
    private func spatial(_ x: Tensor<T>) throws -> Int {
        guard (x.rank == 2 || x.rank == 4), x.shape[1] == channels else {
            throw ComputeError.shapeMismatch("\(name): expected [N, \(channels)] or [N, \(channels), H, W], got \(x.shape)")
        }
        return x.rank == 4 ? x.shape[2] * x.shape[3] : 1
    }

    public func forward(_ x: Tensor<T>, train: Bool) throws -> Tensor<T> {
        let s = try spatial(x)
        let y = try self.y.get(x.shape, on: backend)
        if train {
            let m = x.count / channels
            guard m > 1 else { throw ComputeError.invalidArgument("\(name): training needs more than one value per channel") }
            try backend.batchNormStatistics(x, channels: channels, spatial: s, mean: mean, variance: variance)
            try backend.axpby(T(momentum), mean, T(1 - momentum), runningMean)
            try backend.axpby(T(momentum * Double(m) / Double(m - 1)), variance, T(1 - momentum), runningVariance)
            try backend.batchNormForward(x, mean: mean, variance: variance, gamma: gamma.value, beta: beta.value, eps: eps,
                                         channels: channels, spatial: s, into: y)
            self.x = x
        } else {
            try backend.batchNormForward(x, mean: runningMean, variance: runningVariance, gamma: gamma.value,
                                         beta: beta.value, eps: eps, channels: channels, spatial: s, into: y)
            self.x = nil
        }
        return y
    }

    /// The training-mode gradient (evaluation-mode outputs are not differentiated).
    public func backward(_ dy: Tensor<T>) throws -> Tensor<T>? {
        guard let x else { throw ComputeError.invalidArgument("\(name): backward needs a training-mode forward first") }
        let s = try spatial(x)
        let dx = try self.dx.get(x.shape, on: backend)
        try backend.batchNormBackward(x, dy, mean: mean, variance: variance, gamma: gamma.value, eps: eps,
                                      channels: channels, spatial: s, dx: dx, dgamma: gamma.grad, dbeta: beta.grad)
        return needsInputGradient ? dx : nil
    }
}
