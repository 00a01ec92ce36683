import Compute
import Foundation

/// The correlation measure that replaces mutual information in the generalised IB
/// (Ngampruetikorn & Schwab; docs/information-bottleneck.md B6): M(A;B) = D(p(a,b) ‖ p(a)p(b)) for a divergence D.
public enum IBMeasure: Sendable, Equatable {
    /// Kullback–Leibler: the mutual information.
    case shannon
    /// Rényi-α: D_α(P‖Q) = 1/(α − 1) log ∫ p^α q^{1−α} (α > 0, α ≠ 1).
    case renyi(Double)
    /// Jeffreys: D(P‖Q) + D(Q‖P).
    case jeffreys

    /// "shannon", "renyi:A" or "jeffreys".
    public init(parsing s: String) throws {
        let t = s.lowercased()
        if t == "shannon" { self = .shannon; return }
        if t == "jeffreys" { self = .jeffreys; return }
        if t.hasPrefix("renyi:"), let a = Double(t.dropFirst(6)) {
            guard a.isFinite, a > 0, a != 1 else {
                throw ComputeError.invalidArgument("the Rényi order must be positive and not 1 (1 is shannon), got \(a)")
            }
            self = .renyi(a)
            return
        }
        throw ComputeError.invalidArgument("the measure must be shannon, renyi:A (A > 0, A ≠ 1) or jeffreys, got '\(s)'")
    }

    public var name: String {
        switch self {
        case .shannon: "shannon"
        case .renyi(let a): "renyi:\(a)"
        case .jeffreys: "jeffreys"
        }
    }

    /// The measure of one pair of unit-variance Gaussians with correlation ρ, as a function of
    /// μ = ρ². Whitening both sides turns p(a,b) into independent 2×2 blocks [[1, ρ_k], [ρ_k, 1]]
    /// (ρ_k the canonical correlations) against the identity, so M(A;B) = Σ_k g(ρ_k²). From the
    /// Gaussian closed forms below, with c = 1 − α:
    ///   shannon  g = −½ log(1 − μ)
    ///   jeffreys g = μ / (1 − μ)                       (½[tr Σ_Q⁻¹Σ_P + tr Σ_P⁻¹Σ_Q] − n)
    ///   rényi    g = [log(1 − c²μ) − c log(1 − μ)] / (2c)   (+∞ where c²μ ≥ 1, possible for α > 2)
    public func pair(_ mu: Double) -> Double {
        switch self {
        case .shannon: return -0.5 * log1p(-mu)
        case .jeffreys: return mu / (1 - mu)
        case .renyi(let a):
            let c = 1 - a
            let inner = 1 - c * c * mu
            if inner <= 0 { return .infinity }
            return (log(inner) - c * log1p(-mu)) / (2 * c)
        }
    }

    /// dg/dμ.
    public func pairDerivative(_ mu: Double) -> Double {
        switch self {
        case .shannon: return 0.5 / (1 - mu)
        case .jeffreys: return 1 / ((1 - mu) * (1 - mu))
        case .renyi(let a):
            let c = 1 - a
            let inner = 1 - c * c * mu
            if inner <= 0 { return .infinity }
            return 0.5 * (1 / (1 - mu) - c / inner)
        }
    }
}

/// Closed-form divergences between zero-mean Gaussians N(0, P) and N(0, Q) of dimension n.
public enum GaussianDivergence {
    /// D(P‖Q) = ½ [tr(Q⁻¹P) − n + log det Q − log det P].
    public static func kl(_ p: HostMatrix, _ q: HostMatrix) throws -> Double {
        let n = p.rows
        let qi = try q.inverseSPD(what: "the second covariance")
        let ldp = try LAPACK.logDetPositiveDefinite(p.values, n: n, what: "the first covariance")
        let ldq = try LAPACK.logDetPositiveDefinite(q.values, n: n, what: "the second covariance")
        return 0.5 * ((qi * p).trace - Double(n) + ldq - ldp)
    }

    /// D(P‖Q) + D(Q‖P) = ½ [tr(Q⁻¹P) + tr(P⁻¹Q)] − n.
    public static func jeffreys(_ p: HostMatrix, _ q: HostMatrix) throws -> Double {
        let pi = try p.inverseSPD(what: "the first covariance"), qi = try q.inverseSPD(what: "the second covariance")
        return 0.5 * ((qi * p).trace + (pi * q).trace) - Double(p.rows)
    }

    /// D_α(P‖Q) = −1/(2(α − 1)) log[det(αQ + (1 − α)P) / (det P^{1−α} det Q^α)]; +∞ where
    /// αQ + (1 − α)P is not positive definite (the integral diverges; only possible for α > 1).
    public static func renyi(_ alpha: Double, _ p: HostMatrix, _ q: HostMatrix) throws -> Double {
        let n = p.rows
        let mix = (alpha * q + (1 - alpha) * p).symmetrized
        guard let ldm = try? LAPACK.logDetPositiveDefinite(mix.values, n: n) else { return .infinity }
        let ldp = try LAPACK.logDetPositiveDefinite(p.values, n: n, what: "the first covariance")
        let ldq = try LAPACK.logDetPositiveDefinite(q.values, n: n, what: "the second covariance")
        return -(ldm - (1 - alpha) * ldp - alpha * ldq) / (2 * (alpha - 1))
    }

    /// The measure between the two blocks of a joint covariance (first `k` coordinates against
    /// the rest): D(N(0, Σ) ‖ N(0, blockdiag(Σ₁₁, Σ₂₂))).
    public static func information(_ measure: IBMeasure, joint: HostMatrix, split k: Int) throws -> Double {
        let product = HostMatrix(rows: joint.rows, cols: joint.cols) { i, j in (i < k) == (j < k) ? joint[i, j] : 0 }
        switch measure {
        case .shannon: return try kl(joint, product)
        case .jeffreys: return try jeffreys(joint, product)
        case .renyi(let a): return try renyi(a, joint, product)
        }
    }
}
