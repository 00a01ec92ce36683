import Compute
import Foundation

/// The learning rate over training.
public enum LRSchedule: Codable, Sendable, Equatable {
    case constant
    /// lr · gamma^⌊epoch / every⌋.
    case step(every: Int, gamma: Double)
    /// lr · (1 + cos(π t / T)) / 2 over the T iterations of the run.
    case cosine

    /// "constant", "cosine" or "step:EVERY:GAMMA" (e.g. step:2:0.1).
    public init(parsing s: String) throws {
        let parts = s.split(separator: ":")
        switch parts.first {
        case "constant" where parts.count == 1: self = .constant
        case "cosine" where parts.count == 1: self = .cosine
        case "step" where parts.count == 3:
            guard let every = Int(parts[1]), every > 0, let gamma = Double(parts[2]), gamma > 0 else { fallthrough }
            self = .step(every: every, gamma: gamma)
        default:
            throw ComputeError.invalidArgument("the learning-rate schedule must be constant, cosine or step:EVERY:GAMMA, got '\(s)'")
        }
    }

    public var description: String {
        switch self {
        case .constant: "constant"
        case .cosine: "cosine"
        case .step(let e, let g): "step:\(e):\(g)"
        }
    }

    /// The rate at iteration t (0-based) of epoch `epoch`, of T in all.
    public func rate(_ lr: Double, iteration t: Int, epoch: Int, total: Int) -> Double {
        switch self {
        case .constant: lr
        case .step(let every, let gamma): lr * pow(gamma, Double(epoch / every))
        case .cosine: lr * 0.5 * (1 + cos(Double.pi * Double(t) / Double(max(total, 1))))
        }
    }
}

/// Stochastic gradient descent with momentum and L2 weight decay, as torch.optim.SGD
/// (dampening 0, not Nesterov): g ← ∇ + λw, v ← μv + g (v starts at 0), w ← w − lr·v
/// (docs/training.md N5).
/// Frozen parameters are left alone. Composed of axpby on the parameters' backend.
public struct SGD: Codable, Sendable {
    public var lr: Double
    public var momentum: Double
    public var weightDecay: Double
    public var schedule: LRSchedule

    public init(lr: Double, momentum: Double = 0.9, weightDecay: Double = 0, schedule: LRSchedule = .constant) {
        self.lr = lr
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.schedule = schedule
    }

    public func step<T: Scalar>(_ params: [Parameter<T>], rate: Double) throws {
        for p in params where p.trainable {
            let be = p.value.backend
            if weightDecay != 0 { try be.axpby(T(weightDecay), p.value, 1, p.grad) }
            var update = p.grad
            if momentum != 0 {
                let v = try p.velocity ?? be.zeros(p.value.shape, as: T.self)
                p.velocity = v
                try be.axpby(1, p.grad, T(momentum), v)
                update = v
            }
            try be.axpby(T(-rate), update, 1, p.value)
        }
    }
}
