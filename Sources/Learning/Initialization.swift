import Compute
/// Initial weights, drawn from Philox on the host (so every backend starts from the same
/// values): parameter i of the model uses stream 1000 + i of the seed.
public enum InitScheme: String, Codable, Sendable, CaseIterable {
    /// Kaiming (He) normal for weights: N(0, 2 / fan_in), the ReLU gain in fan-in mode.
    case kaiming
    /// PyTorch's default for nn.Linear and nn.Conv2d: weights U(±1/√fan_in) (kaiming_uniform
    /// with a = √5).
    case pytorch

    /// Fills every weight and bias; BatchNorm keeps γ = 1, β = 0. Biases are U(±1/√fan_in) in
    /// both schemes, as in PyTorch.
    public func initialize<T: Scalar>(_ params: [Parameter<T>], seed: UInt64) throws {
        for (i, p) in params.enumerated() where p.role == .weight || p.role == .bias {
            try p.value.backend.write(values(for: p, seed: seed, stream: UInt32(1000 + i)).map { T($0) }, into: p.value)
        }
    }

    /// Fresh initial values of a weight or bias from one stream of the seed, from block `offset`.
    public func values<T>(for p: Parameter<T>, seed: UInt64, stream: UInt32, offset: UInt64 = 0) -> [Double] {
        let n = p.value.count
        if p.role == .weight && self == .kaiming {
            return (PhiloxFill.normal(count: n, seed: seed, stream: stream, offset: offset) as [Double])
                .map { $0 * standardDeviation(p) }
        }
        let bound = 1 / Double(p.fanIn).squareRoot()
        return (PhiloxFill.uniform(count: n, seed: seed, stream: stream, offset: offset) as [Double]).map { (2 * $0 - 1) * bound }
    }

    /// The standard deviation of a weight's initial distribution: √(2/fan_in), or 1/√(3 fan_in).
    public func standardDeviation<T>(_ p: Parameter<T>) -> Double {
        self == .kaiming ? (2 / Double(p.fanIn)).squareRoot() : 1 / (3 * Double(p.fanIn)).squareRoot()
    }
}
