import Compute
/// What a parameter is in its layer; `ParameterGroup` selects parameters by it.
public enum ParameterRole: String, Codable, Sendable {
    case weight, bias
    /// BatchNorm's scale γ and shift β.
    case gamma, beta
}

/// A trained tensor, its gradient (overwritten by each backward pass) and the optimiser's
/// momentum buffer. `trainable == false` freezes it: no gradient is applied (and layers skip
/// computing gradients nobody reads).
public final class Parameter<T: Scalar> {
    public let name: String
    public let role: ParameterRole
    /// Belongs to the network's output layer.
    public internal(set) var isOutput = false
    public let value: Tensor<T>
    public let grad: Tensor<T>
    public var trainable = true
    /// Fan-in of a weight or bias (for initialisation): inputs per output unit.
    public let fanIn: Int
    var velocity: Tensor<T>?

    package init(_ name: String, role: ParameterRole, shape: [Int], fanIn: Int, on backend: any Backend) throws {
        self.name = name
        self.role = role
        self.fanIn = fanIn
        value = try backend.zeros(shape, as: T.self)
        grad = try backend.zeros(shape, as: T.self)
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
