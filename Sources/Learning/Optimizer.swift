import Compute

/// An update rule for parameters (docs/training.md N5, N9): SGD, Adam, AdamW. The rule keeps
/// its buffers in each `Parameter` (`state`, saved in checkpoints) and skips frozen ones.
public protocol Optimizer: Sendable {
    var learningRate: LearningRate { get }
    /// One update of every trainable parameter from its gradient at rate `rate`.
    func step<T: Scalar>(_ params: [Parameter<T>], rate: Double) throws
    /// Why these settings cannot train, or nil.
    func problem() -> String?
}

/// The optimiser of a run, as saved in its configuration.
public enum OptimizerSpec: Codable, Sendable {
    case sgd(SGD)
    case adam(Adam)

    public var optimizer: any Optimizer {
        switch self {
        case .sgd(let o): o
        case .adam(let o): o
        }
    }

    /// "sgd", "adam" or "adamw".
    public var name: String {
        switch self {
        case .sgd: "sgd"
        case .adam(let a): a.decoupled ? "adamw" : "adam"
        }
    }

    public var learningRate: LearningRate { optimizer.learningRate }
}
