import Compute

/// Probes of a rewound network (docs/training.md N17; Frankle, Schwab & Morcos, section 5),
/// applied to the kept weights of each pruned parameter, pruned ones staying 0. Random draws
/// use stream 0x500000 + 0x1000·r + i of the run's seed for parameter i in round r (random.md P7).
public enum Perturbation: Codable, Sendable, Equatable {
    /// Fresh values from the initialisation distribution.
    case reinit
    /// Fresh magnitudes, each weight keeping its sign.
    case reinitSign
    /// The kept values permuted within the parameter (signs move with them).
    case shuffle
    /// The kept magnitudes permuted within the parameter, each position keeping its sign.
    case shuffleKeepSign
    /// w + scale·σ·z, z standard normal, σ the initialisation's standard deviation.
    case noise(scale: Double)

    /// "reinit", "reinit-sign", "shuffle", "shuffle-keep-sign" or "noise:SCALE".
    public init(parsing s: String) throws {
        switch s {
        case "reinit": self = .reinit
        case "reinit-sign": self = .reinitSign
        case "shuffle": self = .shuffle
        case "shuffle-keep-sign": self = .shuffleKeepSign
        default:
            guard s.hasPrefix("noise:"), let v = Double(s.dropFirst(6)), v > 0, v.isFinite else {
                throw ComputeError.invalidArgument(
                    "the perturbation must be reinit, reinit-sign, shuffle, shuffle-keep-sign or noise:SCALE (SCALE > 0), got '\(s)'")
            }
            self = .noise(scale: v)
        }
    }

    public var description: String {
        switch self {
        case .reinit: "reinit"
        case .reinitSign: "reinit-sign"
        case .shuffle: "shuffle"
        case .shuffleKeepSign: "shuffle-keep-sign"
        case .noise(let s): "noise:\(s)"
        }
    }

    /// Perturbs `params` (with their indices in the model, for the streams) in round `round`.
    public func apply<T>(_ params: [(index: Int, parameter: Parameter<T>)], scheme: InitScheme, seed: UInt64,
                         round: Int) throws {
        for (i, p) in params {
            let stream = TrainingStreams.perturbation(0x1000 * round + i)
            let w = try p.value.toArray().map(\.double), m = try p.maskValues()
            let kept = m.indices.filter { m[$0] == 1 }
            var out = w
            switch self {
            case .reinit, .reinitSign:
                let fresh = scheme.values(for: p, seed: seed, stream: stream)
                for k in kept { out[k] = self == .reinit ? fresh[k] : abs(fresh[k]) * (w[k] < 0 ? -1 : 1) }
            case .shuffle, .shuffleKeepSign:
                let order = TrainingStreams.permutation(kept.count, seed: seed, stream: stream)
                for (j, k) in kept.enumerated() {
                    let v = w[kept[order[j]]]
                    out[k] = self == .shuffle ? v : abs(v) * (w[k] < 0 ? -1 : 1)
                }
            case .noise(let scale):
                let z: [Double] = PhiloxFill.normal(count: w.count, seed: seed, stream: stream)
                let sigma = scheme.standardDeviation(p)
                for k in kept { out[k] = w[k] + scale * sigma * z[k] }
            }
            try p.value.backend.write(out.map { T($0) }, into: p.value)
            try p.applyMask(to: p.value)
        }
    }
}
