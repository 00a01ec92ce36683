import Compute
import Foundation

/// The learning rate over training, after any warm-up (docs/training.md N5, N10).
public enum LRSchedule: Codable, Sendable, Equatable {
    case constant
    /// lr · gamma^⌊epoch / every⌋.
    case step(every: Int, gamma: Double)
    /// lr · (1 + cos(π t / T)) / 2 over the T iterations after the warm-up.
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

/// The base rate, its schedule and a linear warm-up (N10): η(t+1)/W for the first W
/// iterations, then the schedule over the remaining T − W (cosine from η at t = W).
public struct LearningRate: Codable, Sendable, Equatable {
    public var lr: Double
    public var schedule: LRSchedule
    /// Warm-up iterations W (0: none).
    public var warmup: Int

    public init(_ lr: Double, schedule: LRSchedule = .constant, warmup: Int = 0) {
        (self.lr, self.schedule, self.warmup) = (lr, schedule, warmup)
    }

    /// The rate of iteration t (0-based) in epoch `epoch`, of T in all.
    public func at(iteration t: Int, epoch: Int, total: Int) -> Double {
        if t < warmup { return lr * Double(t + 1) / Double(warmup) }
        return schedule.rate(lr, iteration: t - warmup, epoch: epoch, total: total - warmup)
    }

    public func problem() -> String? {
        if !(lr > 0) || !lr.isFinite { return "the learning rate must be positive, got \(lr)" }
        if warmup < 0 { return "the warm-up must be at least 0 iterations, got \(warmup)" }
        return nil
    }
}
