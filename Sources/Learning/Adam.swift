import Compute
import Foundation

/// Adam (Kingma & Ba) as torch.optim.Adam, and AdamW (Loshchilov & Hutter) as torch.optim.AdamW
/// when `decoupled` (docs/training.md N9): with t the parameter's step,
/// Adam g ← ∇ + λw; AdamW w ← (1 − η_t λ) w; then m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
/// w ← w − (η_t / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε). m and v start at 0.
public struct Adam: Optimizer, Codable, Equatable {
    public var learningRate: LearningRate
    public var beta1: Double, beta2: Double, eps: Double
    public var weightDecay: Double
    /// AdamW's decoupled weight decay instead of Adam's L2 term in the gradient.
    public var decoupled: Bool

    public init(lr: Double, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0,
                decoupled: Bool = false, schedule: LRSchedule = .constant, warmup: Int = 0) {
        learningRate = LearningRate(lr, schedule: schedule, warmup: warmup)
        (self.beta1, self.beta2, self.eps, self.weightDecay, self.decoupled) = (beta1, beta2, eps, weightDecay, decoupled)
    }

    public func problem() -> String? {
        if let p = learningRate.problem() { return p }
        for (name, b) in [("β1", beta1), ("β2", beta2)] where !(0..<1).contains(b) {
            return "Adam's \(name) must be in [0, 1), got \(b)"
        }
        if !(eps > 0) { return "Adam's ε must be positive, got \(eps)" }
        if !(weightDecay >= 0) { return "the weight decay must be non-negative, got \(weightDecay)" }
        return nil
    }

    public func step<T: Scalar>(_ params: [Parameter<T>], rate: Double) throws {
        for p in params where p.trainable {
            let be = p.value.backend
            if weightDecay != 0 {
                if decoupled { try be.axpby(0, p.value, T(1 - rate * weightDecay), p.value) }
                else { try be.axpby(T(weightDecay), p.value, 1, p.grad) }
            }
            p.steps += 1
            let t = Double(p.steps)
            let m = try p.buffer("exp_avg"), v = try p.buffer("exp_avg_sq")
            let a = try p.scratch("a"), b = try p.scratch("b")
            try be.axpby(T(1 - beta1), p.grad, T(beta1), m)
            try be.binary(.mul, p.grad, p.grad, into: a)
            try be.axpby(T(1 - beta2), a, T(beta2), v)
            try be.apply(.sqrt, v, into: a)
            try be.fill(b, with: T(eps))
            try be.axpby(T(1 / (1 - Foundation.pow(beta2, t)).squareRoot()), a, 1, b)
            try be.binary(.div, m, b, into: a)
            try be.axpby(T(-rate / (1 - Foundation.pow(beta1, t))), a, 1, p.value)
        }
    }
}
