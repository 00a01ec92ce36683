import Compute

/// The predictive family 𝒱 of the classifier, nuisance and measuring heads (docs/dib.md D1):
/// linear maps z ↦ Wz + b, or one-hidden-layer ReLU MLPs of width H.
public enum DIBHeadFamily: Codable, Sendable, Equatable {
    case linear
    case mlp(hidden: Int)

    /// "linear" or "mlp:H" (H ≥ 1).
    public init(parsing s: String) throws {
        if s == "linear" { self = .linear; return }
        if s.hasPrefix("mlp:"), let h = Int(s.dropFirst(4)), h >= 1 { self = .mlp(hidden: h); return }
        throw ComputeError.invalidArgument("the head must be linear or mlp:H with H ≥ 1, got '\(s)'")
    }

    public var name: String {
        switch self {
        case .linear: "linear"
        case .mlp(let h): "mlp:\(h)"
        }
    }

    public func problem() -> String? {
        if case .mlp(let h) = self, h < 1 { return "an MLP head needs a hidden width of at least 1, got \(h)" }
        return nil
    }

    /// A head from `features` inputs to `outputs` logits, uninitialised (zeros).
    public func build<T: Scalar>(_: T.Type, name: String, features: Int, outputs: Int, on backend: any Backend) throws
        -> Sequential<T> {
        switch self {
        case .linear:
            return Sequential(name, [try Linear<T>("\(name).fc", in: features, out: outputs, on: backend)])
        case .mlp(let h):
            return Sequential(name, [try Linear<T>("\(name).fc1", in: features, out: h, on: backend),
                                     ReLU<T>("\(name).relu", on: backend),
                                     try Linear<T>("\(name).fc2", in: h, out: outputs, on: backend)])
        }
    }

    /// Initial weights of nuisance or measuring head `head` from stream 13 (docs/dib.md D6, P10),
    /// with the distributions of `scheme`.
    public static func initialize<T: Scalar>(_ head: Sequential<T>, index: Int, scheme: InitScheme, seed: UInt64) throws {
        for (p, param) in head.parameters.enumerated() {
            let values = scheme.values(for: param, seed: seed, stream: DIBStreams.heads,
                                       offset: DIBStreams.headOffset(head: index, parameter: p))
            try param.value.backend.write(values.map { T($0) }, into: param.value)
        }
    }
}
