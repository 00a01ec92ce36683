import Compute
/// What a parameter is in its layer; `ParameterGroup` selects parameters by it.
public enum ParameterRole: String, Codable, Sendable {
    case weight, bias
    /// BatchNorm's scale γ and shift β.
    case gamma, beta
}

/// A trained tensor, its gradient (overwritten by each backward pass), the optimiser's
/// buffers and an optional pruning mask. `trainable == false` freezes it: no gradient is
/// applied (and layers skip computing gradients nobody reads).
public final class Parameter<T: Scalar> {
    public let name: String
    public let role: ParameterRole
    /// Belongs to the network's output layer.
    public var isOutput = false
    public let value: Tensor<T>
    public let grad: Tensor<T>
    public var trainable = true
    /// Fan-in of a weight or bias (for initialisation): inputs per output unit.
    public let fanIn: Int
    /// The optimiser's buffers by name ("velocity" for SGD, "exp_avg" and "exp_avg_sq" for
    /// Adam), created at its first step, and the steps it took (Adam's bias correction).
    public internal(set) var state: [String: Tensor<T>] = [:]
    public internal(set) var steps = 0
    private var work: [String: Tensor<T>] = [:]
    /// 1 where the weight is kept, 0 where pruned (Masks.swift); nil when unpruned.
    public internal(set) var mask: Tensor<T>?

    public init(_ name: String, role: ParameterRole, shape: [Int], fanIn: Int, on backend: any Backend) throws {
        self.name = name
        self.role = role
        self.fanIn = fanIn
        value = try backend.zeros(shape, as: T.self)
        grad = try backend.zeros(shape, as: T.self)
    }

    /// The optimiser buffer `key`, zeros at first use.
    func buffer(_ key: String) throws -> Tensor<T> {
        if let b = state[key] { return b }
        let b = try value.backend.zeros(value.shape, as: T.self)
        state[key] = b
        return b
    }

    /// A work tensor of the optimiser's, not state (not saved).
    func scratch(_ key: String) throws -> Tensor<T> {
        if let b = work[key] { return b }
        let b = try value.backend.zeros(value.shape, as: T.self)
        work[key] = b
        return b
    }

    /// Forgets the optimiser's buffers and step count (a fresh optimiser).
    public func resetOptimizerState() {
        state = [:]
        steps = 0
    }
}

/// Which parameters are trained (`--train-only`); the others are frozen.
public enum ParameterGroup: String, Codable, Sendable, CaseIterable {
    /// Every parameter.
    case all
    /// BatchNorm's γ and β only (the "training BatchNorm and only BatchNorm" experiment).
    case batchnorm
    /// The output layer's weight and bias only (a linear probe on random features).
    case output

    public func includes<T>(_ p: Parameter<T>) -> Bool {
        switch self {
        case .all: true
        case .batchnorm: p.role == .gamma || p.role == .beta
        case .output: p.isOutput
        }
    }

    /// Marks the parameters outside the group frozen.
    public func apply<T>(to params: [Parameter<T>]) {
        for p in params { p.trainable = includes(p) }
    }
}
