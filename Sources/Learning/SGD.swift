import Compute

/// Stochastic gradient descent with momentum and L2 weight decay, as torch.optim.SGD
/// (dampening 0): g ← ∇ + λw, v ← μv + g (v starts at 0), w ← w − lr·v, or with Nesterov
/// w ← w − lr·(g + μv) (docs/training.md N5). Composed of axpby on the parameters' backend.
public struct SGD: Optimizer, Codable, Equatable {
    public var learningRate: LearningRate
    public var momentum: Double
    public var nesterov: Bool
    public var weightDecay: Double

    public init(lr: Double, momentum: Double = 0.9, weightDecay: Double = 0, nesterov: Bool = false,
                schedule: LRSchedule = .constant, warmup: Int = 0) {
        learningRate = LearningRate(lr, schedule: schedule, warmup: warmup)
        (self.momentum, self.weightDecay, self.nesterov) = (momentum, weightDecay, nesterov)
    }

    public func problem() -> String? {
        if let p = learningRate.problem() { return p }
        if !(0..<1).contains(momentum) { return "the momentum must be in [0, 1), got \(momentum)" }
        if nesterov && momentum == 0 { return "Nesterov momentum needs a momentum above 0" }
        if !(weightDecay >= 0) { return "the weight decay must be non-negative, got \(weightDecay)" }
        return nil
    }

    public func step<T: Scalar>(_ params: [Parameter<T>], rate: Double) throws {
        for p in params where p.trainable {
            let be = p.value.backend
            if weightDecay != 0 { try be.axpby(T(weightDecay), p.value, 1, p.grad) }
            var update = p.grad
            if momentum != 0 {
                let v = try p.buffer("velocity")
                try be.axpby(1, p.grad, T(momentum), v)
                update = v
                if nesterov {
                    // g + μv, in the gradient's buffer (overwritten by the next backward).
                    try be.axpby(T(momentum), v, 1, p.grad)
                    update = p.grad
                }
            }
            try be.axpby(T(-rate), update, 1, p.value)
            p.steps += 1
        }
    }
}
