/// Random-matrix ensembles: what one is, and the registry of those `gpurun spectrum` knows.
///
/// An ensemble draws sample k of a run from Philox alone, as a function of (seed, k): never of
/// the batch it is generated in or of the device. Adding an ensemble is one type conforming to
/// `MatrixEnsemble` (in its own file) and one `Ensembles.Entry` in `Ensembles.all`.

/// How a matrix's spectrum is computed.
public enum MatrixStructure: String, Codable, Sendable {
    /// Real, non-symmetric: complex eigenvalues from LAPACK dgeev.
    case general
    /// Complex: eigenvalues from zgeev; the batch holds interleaved (re, im) pairs.
    case complex
    /// Real symmetric: real eigenvalues from dsyevd.
    case symmetric
}

/// `count` host matrices of order `n`, row-major and back to back (complex ones as
/// interleaved (re, im) pairs), as an ensemble generated them.
public struct MatrixBatch: Sendable {
    public var structure: MatrixStructure
    public var n: Int
    public var count: Int
    public var values: [Double]

    public init(structure: MatrixStructure, n: Int, count: Int, values: [Double]) throws {
        let per = n * n * (structure == .complex ? 2 : 1)
        guard n >= 0, count >= 0, values.count == per * count else {
            throw ComputeError.shapeMismatch("\(values.count) values do not make \(count) matrices of order \(n)")
        }
        self.structure = structure
        self.n = n
        self.count = count
        self.values = values
    }

    /// Values of one matrix.
    public var valuesPerMatrix: Int { n * n * (structure == .complex ? 2 : 1) }

    public func matrix(_ i: Int) -> [Double] {
        Array(values[i * valuesPerMatrix..<(i + 1) * valuesPerMatrix])
    }
}

/// A distribution over n×n matrices whose spectrum has a known limit law.
public protocol MatrixEnsemble: Sendable {
    /// The name `--ensemble` takes, e.g. "ginibre".
    var name: String { get }
    /// The order of the matrices whose spectrum is computed.
    var order: Int { get }
    var structure: MatrixStructure { get }
    /// The large-n law of the spectrum, for the distance and the plot.
    var law: SpectralLaw { get }
    /// The parameters, for reports (e.g. ["g": 1]).
    var parameters: [String: Double] { get }
    /// Matrices of samples `samples` of a run with `seed`, generated on `backend` and read back
    /// to the host. Sample k must depend only on (seed, k).
    func generate(samples: Range<Int>, seed: UInt64, on backend: any Backend) throws -> MatrixBatch
}

/// The options of `gpurun spectrum` an ensemble is built from; nil means not given.
public struct EnsembleOptions: Sendable {
    public var n: Int
    public var g: Double?
    public var gamma: Double?
    public var tau: Double?

    public init(n: Int, g: Double? = nil, gamma: Double? = nil, tau: Double? = nil) {
        self.n = n
        self.g = g
        self.gamma = gamma
        self.tau = tau
    }
}

/// The ensembles `gpurun spectrum --ensemble` accepts.
public enum Ensembles {
    public struct Entry: Sendable {
        public var name: String
        public var summary: String
        /// The options besides --n it reads: "g", "gamma", "tau".
        public var options: Set<String>
        /// Builds the ensemble from validated options; nil while it is not implemented.
        public var make: (@Sendable (EnsembleOptions) throws -> any MatrixEnsemble)?
        /// Why `make` is nil.
        public var unavailableReason: String?
    }

    public static let all: [Entry] = [
        Entry(name: "ginibre", summary: "real Ginibre, entries N(0, g²/n); circular law of radius g",
              options: ["g"], make: { Ginibre(n: $0.n, g: $0.g ?? 1, complex: false) }),
        Entry(name: "complex-ginibre", summary: "complex Ginibre, E|J_ij|² = g²/n; circular law of radius g",
              options: ["g"], make: { Ginibre(n: $0.n, g: $0.g ?? 1, complex: true) }),
        Entry(name: "goe", summary: "GOE, off-diagonal variance g²/n; semicircle on [-2g, 2g]",
              options: ["g"], make: { GOE(n: $0.n, g: $0.g ?? 1) }),
        Entry(name: "wishart", summary: "sample covariance XᵀX/n of an n×p Gaussian X, γ = p/n; Marchenko–Pastur",
              options: ["gamma"], make: { try Wishart(n: $0.n, gamma: $0.gamma ?? 0.5) }),
        Entry(name: "elliptic", summary: "E[J_ij J_ji] = τ g²/n; uniform on the ellipse with semi-axes g(1±τ)",
              options: ["g", "tau"], make: { Elliptic(n: $0.n, g: $0.g ?? 1, tau: $0.tau ?? 0.5) }),
        pending("rate-jacobian", "Jacobians of the rate RNN", model: "rate network"),
        pending("gated-jacobian", "Jacobians of the gated RNN", model: "gated network"),
        pending("gru-jacobian", "Jacobians of the GRU", model: "GRU"),
        pending("lstm-jacobian", "Jacobians of the LSTM", model: "LSTM"),
    ]

    public static var names: [String] { all.map(\.name) }

    /// The largest matrix order accepted (one float64 matrix of this order is 3.2 GB).
    public static let maxOrder = 20_000

    /// An ensemble that needs a model gpurun does not have yet.
    static func pending(_ name: String, _ summary: String, model: String) -> Entry {
        Entry(name: name, summary: summary, options: ["g"], make: nil,
              unavailableReason: "needs the \(model) model (Sources/Compute/Models), which is not written yet")
    }

    /// The ensemble `name` with `options`, after checking them: n ≥ 1, g > 0, γ > 0,
    /// |τ| ≤ 1, and no option the ensemble does not read.
    public static func make(_ name: String, _ options: EnsembleOptions) throws -> any MatrixEnsemble {
        guard let entry = all.first(where: { $0.name == name.lowercased() }) else {
            throw ComputeError.invalidArgument("unknown ensemble '\(name)'; known: \(names.joined(separator: ", "))")
        }
        guard let make = entry.make else {
            throw ComputeError.invalidArgument(
                "ensemble '\(entry.name)' is not available yet: it \(entry.unavailableReason ?? "is not implemented")")
        }
        try check(options, for: entry)
        return try make(options)
    }

    static func check(_ o: EnsembleOptions, for entry: Entry) throws {
        func bad(_ s: String) -> ComputeError { .invalidArgument(s) }
        guard o.n >= 1 else { throw bad("--n must be at least 1 (got \(o.n))") }
        guard o.n <= maxOrder else { throw bad("--n \(o.n) is too large: gpurun spectrum handles orders up to \(maxOrder)") }
        let given = [("g", o.g), ("gamma", o.gamma), ("tau", o.tau)].filter { $0.1 != nil }.map(\.0)
        for option in given where !entry.options.contains(option) {
            let reads = entry.options.sorted().map { "--\($0)" }.joined(separator: ", ")
            throw bad("--\(option) does not apply to ensemble '\(entry.name)'"
                + (reads.isEmpty ? "" : " (it reads \(reads))"))
        }
        if let g = o.g, !(g > 0 && g.isFinite) { throw bad("--g must be a positive number (got \(g))") }
        if let r = o.gamma, !(r > 0 && r.isFinite) { throw bad("--gamma must be a positive number (got \(r))") }
        if let t = o.tau, !(abs(t) <= 1) { throw bad("--tau must lie in [-1, 1] (got \(t))") }
    }
}
