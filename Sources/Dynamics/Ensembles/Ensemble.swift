import Compute
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
    /// The large-n law of the spectrum, for the KS distance and the plot; nil where theory
    /// predicts a support but no density (gated RNN) or nothing (GRU, LSTM).
    var law: SpectralLaw? { get }
    /// The predicted support of a model Jacobian's spectrum (MeanFieldTheory), for the fraction
    /// of eigenvalues outside it and the plot; nil for other ensembles.
    var jacobianTheory: JacobianSpectrumTheory? { get }
    /// The parameters, for reports (e.g. ["g": 1]).
    var parameters: [String: Double] { get }
    /// Matrices of samples `samples` of a run with `seed`, generated on `backend` and read back
    /// to the host. Sample k must depend only on (seed, k).
    func generate(samples: Range<Int>, seed: UInt64, on backend: any Backend) throws -> MatrixBatch
}

extension MatrixEnsemble {
    public var jacobianTheory: JacobianSpectrumTheory? { nil }
}

/// The options of `gpurun spectrum` an ensemble is built from; nil means not given.
public struct EnsembleOptions: Sendable {
    public var n: Int
    public var g: Double?
    public var gamma: Double?
    public var tau: Double?
    /// Where and how the Jacobian ensembles take their matrices; nil when no such option is given.
    public var jacobian: JacobianEnsembleOptions?

    public init(n: Int, g: Double? = nil, gamma: Double? = nil, tau: Double? = nil,
                jacobian: JacobianEnsembleOptions? = nil) {
        self.n = n
        self.g = g
        self.gamma = gamma
        self.tau = tau
        self.jacobian = jacobian
    }
}

/// The ensembles `gpurun spectrum --ensemble` accepts.
public enum Ensembles {
    public struct Entry: Sendable {
        public var name: String
        public var summary: String
        /// The options besides --n it reads: "g", "gamma", "tau", "jacobian" (--at, --transient,
        /// --dt, --jacobian, --integrator).
        public var options: Set<String>
        /// Builds the ensemble from validated options.
        public var make: @Sendable (EnsembleOptions) throws -> any MatrixEnsemble
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
        jacobian(.rate, "flow Jacobians −I + J diag(φ'(h)) of rate networks (docs/models.md M4), default g = 2; "
                 + "theory: the radial law about −1 from the DMFT"),
        jacobian(.gated, "flow Jacobians (3N × 3N: h, z, r) of gated RNNs (docs/models.md M10), default g = 2; "
                 + "theory: the h block's support and the z, r point masses"),
        jacobian(.gru, "one-step Jacobians of GRUs (docs/models.md M15), default g = 2; theory at the fixed point"),
        jacobian(.lstm, "one-step Jacobians (2N × 2N: h, c) of LSTMs (docs/models.md M20), default g = 2; "
                 + "theory at the fixed point"),
    ]

    /// Default gain of the Jacobian ensembles' networks.
    public static let defaultJacobianGain = 2.0

    public static var names: [String] { all.map(\.name) }

    /// The largest matrix order accepted (one float64 matrix of this order is 3.2 GB).
    public static let maxOrder = 20_000

    /// The Jacobians of one model's random networks (JacobianEnsemble).
    static func jacobian(_ kind: ModelSpec.Kind, _ summary: String) -> Entry {
        Entry(name: kind.rawValue + "-jacobian", summary: summary, options: ["g", "jacobian"], make: {
            try JacobianEnsemble(kind: kind, n: $0.n, g: $0.g ?? defaultJacobianGain, options: $0.jacobian ?? .init())
        })
    }

    /// The ensemble `name` with `options`, after checking them: n ≥ 1, g > 0, γ > 0,
    /// |τ| ≤ 1, and no option the ensemble does not read.
    public static func make(_ name: String, _ options: EnsembleOptions) throws -> any MatrixEnsemble {
        guard let entry = all.first(where: { $0.name == name.lowercased() }) else {
            throw ComputeError.invalidArgument("unknown ensemble '\(name)'; known: \(names.joined(separator: ", "))")
        }
        try check(options, for: entry)
        return try entry.make(options)
    }

    static func check(_ o: EnsembleOptions, for entry: Entry) throws {
        func bad(_ s: String) -> ComputeError { .invalidArgument(s) }
        guard o.n >= 1 else { throw bad("the matrix size n must be at least 1 (got \(o.n))") }
        let kind = entry.name.hasSuffix("-jacobian") ? ModelSpec.Kind(rawValue: String(entry.name.dropLast(9))) : nil
        let order = kind.map { JacobianEnsemble.order($0, n: o.n) } ?? o.n
        guard order <= maxOrder else {
            throw bad("n = \(o.n) is too large: spectra are computed for matrix orders up to \(maxOrder) (this is \(order))")
        }
        let given = [("g", o.g), ("gamma", o.gamma), ("tau", o.tau)].filter { $0.1 != nil }.map(\.0)
        if o.jacobian != nil && !entry.options.contains("jacobian") {
            throw bad("Jacobian options (place, transient, dt, matrix, integrator) apply to the *-jacobian ensembles, not '\(entry.name)'")
        }
        for option in given where !entry.options.contains(option) {
            let reads = entry.options.sorted().joined(separator: ", ")
            throw bad("the parameter \(option) does not apply to ensemble '\(entry.name)'"
                + (reads.isEmpty ? "" : " (it reads \(reads))"))
        }
        if let g = o.g, !(g > 0 && g.isFinite) { throw bad("the gain g must be a positive number (got \(g))") }
        if let r = o.gamma, !(r > 0 && r.isFinite) { throw bad("the aspect ratio γ must be a positive number (got \(r))") }
        if let t = o.tau, !(abs(t) <= 1) { throw bad("the correlation τ must lie in [-1, 1] (got \(t))") }
    }
}
