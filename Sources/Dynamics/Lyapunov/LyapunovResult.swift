import Compute
/// What a Lyapunov run reports (JSON with `--json`, .npy and SVG with `--output`).
public struct LyapunovResult: Codable, Sendable {
    public var model: String
    public var n: Int
    public var stateSize: Int
    public var device: String
    public var dtype: String
    /// Exponents, descending, per unit time (per step for maps), mean over the batch.
    public var exponents: [Double]
    /// Standard error of each mean across the batch (0 for a batch of 1).
    public var standardErrors: [Double]
    /// Exponents of each member of the batch.
    public var members: [[Double]]
    public var sum: Double
    public var kaplanYorkeDimension: Double
    public var entropyRate: Double
    /// "per unit time" (flows: divided by dt) or "per step" (maps).
    public var timeUnit: String
    public var steps: Int
    public var config: LyapunovConfig
    /// Model parameters as given (g, dt, gates, seed, weights path…).
    public var parameters: [String: String]
    /// Times (in the exponents' unit) at which the running estimates were recorded.
    public var convergenceTimes: [Double]
    /// Running estimates, one row per time, k columns (mean over the batch).
    public var convergence: [[Double]]
    public var elapsedSeconds: Double
    /// The participation-ratio dimension (Σλ_C)²/Σλ_C² of the state covariance over the
    /// accumulation phase (λ_C its eigenvalues), mean over the batch; nil when the covariance
    /// was too large to keep (see LyapunovRun.maxCovarianceValues).
    public var participationRatio: Double?
    public var participationRatioStandardError: Double?
    /// Theory beside the simulation (docs/lyapunov.md L10, docs/theory.md), where it exists for the model and
    /// regime; set by the caller, which knows the model's parameters.
    public var theory: LyapunovTheory?
    /// `--profile`: launches, time and GFLOP/s per phase (docs/lyapunov.md L12); nil without it.
    public var profile: LyapunovProfile?
    /// `--block-steps`: batch-means standard errors and the finite-time λ1 distribution (docs/lyapunov.md L13).
    public var blockStatistics: BlockStatistics?
    /// `--covariant`: angles, localisation and growth of the covariant vectors (docs/lyapunov.md L18); nil without it.
    public var covariant: CovariantSummary?

    /// Summaries derived from the exponents.
    static func summarise(_ exps: [Double]) -> (sum: Double, ky: Double, h: Double) {
        (exps.reduce(0, +), SpectrumMetrics.kaplanYorke(exps), SpectrumMetrics.entropyRate(exps))
    }
}
