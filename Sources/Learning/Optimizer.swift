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

    enum Key: String, CodingKey { case type }

    /// The optimiser's fields and "type": "sgd", "adam" or "adamw".
    public init(from decoder: Decoder) throws {
        switch try decoder.container(keyedBy: Key.self).decode(String.self, forKey: .type) {
        case "sgd": self = .sgd(try SGD(from: decoder))
        case "adam", "adamw": self = .adam(try Adam(from: decoder))
        case let t: throw ComputeError.invalidArgument("unknown optimizer '\(t)'")
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .sgd(let o): try o.encode(to: encoder)
        case .adam(let o): try o.encode(to: encoder)
        }
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(name, forKey: .type)
    }
}
