import Compute
import Foundation

/// Marchenko–Pastur predictions for ridge and minimum-norm regression with isotropic features
/// (Dobriban & Wager 2018; Hastie, Montanari, Rosset & Tibshirani 2019; docs/ridge.md R1–R6).
///
/// Model: y = Xβ + ε with X n×p of N(0, 1) entries, γ = p/n, ‖β‖² = r², ε ~ N(0, σ² I).
/// Ridge with λ is β̂ = argmin (1/n)‖y − Xβ‖² + λ‖β‖² = (XᵀX + nλ I)⁻¹ Xᵀy. The risk is the
/// excess test risk R = E_x[(xᵀ(β̂ − β))²] = ‖β̂ − β‖² (the prediction risk is R + σ²). As
/// n, p → ∞ with p/n → γ,
///
///     R(λ) = r² λ² m′(−λ) + σ² γ (m(−λ) − λ m′(−λ)),
///
/// with m(z) = ∫ dμ(s)/(s − z) the Stieltjes transform of the Marchenko–Pastur law μ of
/// XᵀX/n. The first term is the bias, the second the variance. λ → 0 gives the minimum-norm
/// (ridgeless) estimator: σ²γ/(1−γ) for γ < 1, r²(1 − 1/γ) + σ²/(γ − 1) for γ > 1, infinite at
/// γ = 1 (double descent). λ* = σ²γ/r² minimises R (the Bayes risk for a Gaussian prior).
public enum RidgeTheory {
    /// m(−λ) and m′(−λ) for λ > 0. m solves γ z m² − (1 − γ − z) m + 1 = 0 (the root with
    /// m > 0 at z = −λ); m′ follows by implicit differentiation.
    public static func stieltjes(gamma: Double, lambda: Double) -> (m: Double, dm: Double) {
        let z = -lambda
        let c = 1 - gamma - z
        let disc = (c * c - 4 * gamma * z).squareRoot()
        // m = (disc − c)/(2γλ) = 2/(c + disc): the first form has no cancellation when c < 0,
        // the second when c ≥ 0 (disc > |c| always).
        let m = c < 0 ? (disc - c) / (2 * gamma * lambda) : 2 / (c + disc)
        let dm = -(gamma * m * m + m) / (2 * gamma * z * m - c)
        return (m, dm)
    }

    /// The limiting excess risk of the minimum-norm least-squares estimator.
    public static func minNormRisk(gamma: Double, sigma2: Double, r2: Double) -> Double {
        if gamma < 1 { return sigma2 * gamma / (1 - gamma) }
        if gamma > 1 { return r2 * (1 - 1 / gamma) + sigma2 / (gamma - 1) }
        return .infinity
    }

    /// The limiting excess risk of ridge with λ ≥ 0 (λ = 0 is the minimum-norm estimator).
    public static func ridgeRisk(gamma: Double, lambda: Double, sigma2: Double, r2: Double) -> Double {
        if lambda == 0 { return minNormRisk(gamma: gamma, sigma2: sigma2, r2: r2) }
        let (m, dm) = stieltjes(gamma: gamma, lambda: lambda)
        return r2 * lambda * lambda * dm + sigma2 * gamma * (m - lambda * dm)
    }

    /// The risk-minimising ridge, λ* = σ²γ/r².
    public static func optimalLambda(gamma: Double, sigma2: Double, r2: Double) -> Double {
        sigma2 * gamma / r2
    }
}

/// The ridge of `gpurun ridge --lambda`: a fixed λ ≥ 0, or λ* = σ²γ/r² at each γ.
public enum RidgeLambda: Sendable, Equatable, CustomStringConvertible {
    case value(Double)
    case optimal

    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "optimal" { self = .optimal; return }
        guard let v = Double(t), v >= 0, v.isFinite else {
            throw ComputeError.invalidArgument("the ridge λ must be a number ≥ 0 or 'optimal' (got '\(text)')")
        }
        self = .value(v)
    }

    public func at(gamma: Double, sigma2: Double, r2: Double) -> Double {
        switch self {
        case .value(let v): v
        case .optimal: RidgeTheory.optimalLambda(gamma: gamma, sigma2: sigma2, r2: r2)
        }
    }

    public var description: String {
        switch self {
        case .value(let v): fmt(v)
        case .optimal: "optimal"
        }
    }
}

/// A list of aspect ratios: "0.5,1.5,2" or "start:stop:step" (inclusive), or both joined by
/// commas. Every γ must be positive and finite.
public func parseGammaList(_ text: String) throws -> [Double] {
    func bad(_ why: String) -> ComputeError { .invalidArgument("aspect ratios γ '\(text)': \(why)") }
    var out: [Double] = []
    for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
        let pieces = part.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if pieces.count == 1 {
            guard let v = Double(pieces[0]) else { throw bad("'\(part)' is not a number") }
            out.append(v)
        } else if pieces.count == 3 {
            guard let a = Double(pieces[0]), let b = Double(pieces[1]), let s = Double(pieces[2]) else {
                throw bad("'\(part)' is not start:stop:step")
            }
            guard s > 0, b >= a, (b - a) / s <= 10_000 else { throw bad("'\(part)' needs step > 0, stop ≥ start, ≤ 10000 points") }
            let count = Int(((b - a) / s + 1e-9).rounded(.down))
            out += (0...count).map { a + Double($0) * s }
        } else {
            throw bad("'\(part)' is neither a number nor start:stop:step")
        }
    }
    if out.isEmpty { throw bad("no values") }
    if let v = out.first(where: { !($0 > 0 && $0.isFinite) }) { throw bad("every γ must be positive (got \(v))") }
    return out
}
