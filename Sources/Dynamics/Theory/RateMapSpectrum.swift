import Compute
import Foundation

/// Why the whole-spectrum theory (docs/theory-lyapunov-spectrum.md) gives no answer.
public enum LyapunovSpectrumTheoryError: Error, Equatable, CustomStringConvertible {
    /// The fraction t of the spectrum (from the top) must lie in (0, 1].
    case fractionOutOfRange(Double)
    /// The gain must be positive and finite.
    case invalidGain(Double)
    /// The solver for s(t) in E[s a / (1 + s a)] = t (LS5) did not converge.
    case noConvergence(fraction: Double, iterations: Int, residual: Double)
    /// The quadrature over z would need more nodes than the cap (Δ0 too large).
    case unresolved(delta0: Double)

    public var description: String {
        switch self {
        case .fractionOutOfRange(let t):
            return "whole-spectrum theory: the fraction t of the spectrum must lie in (0, 1], got \(t)"
        case .invalidGain(let g): return "whole-spectrum theory: the gain g must be positive and finite, got \(g)"
        case .noConvergence(let t, let n, let r):
            return "whole-spectrum theory: the solver for s(t) at t = \(t) did not converge in \(n) iterations (residual \(r))"
        case .unresolved(let d0):
            return "whole-spectrum theory: Δ0 = \(d0) needs a quadrature beyond the cap of 400 000 nodes (g ≲ 60)"
        }
    }
}

/// The whole Lyapunov spectrum of the δ = 1 rate map h ← J φ(h) in the free-probability
/// (annealed) approximation of docs/theory-lyapunov-spectrum.md: the tangent map J D_t with
/// J asymptotically free from D_t = diag(φ'(h_t)), h ~ N(0, Δ0) (T6), gives (LS6)
///     λ(t) = ½ ln(g² t / s(t)),   E[s a / (1 + s a)] = t,   a = φ'(h)² = sech⁴(√Δ0 z),
/// t ∈ (0, 1] the fraction of the spectrum above λ. With a ≡ 1 it is Newman's large-N law
/// ½ ln(g²(1 − t)) (LS7, T14); t → 0 gives T6's λ_max (LS8); its mean is T6's (LS9).
public struct RateMapSpectrum: Sendable {
    public let g: Double
    /// Δ0 of the map's mean field (T6); 0 for g ≤ 1, or the given value.
    public let delta0: Double
    /// ln a at the nodes of a rule for z ≥ 0 (a is even in z), and the rule's weights (Σ = 1).
    let logA: [Double]
    let weights: [Double]

    /// The map's spectrum at gain g, Δ0 from T6.
    public init(g: Double) throws {
        guard g > 0, g.isFinite else { throw LyapunovSpectrumTheoryError.invalidGain(g) }
        try self.init(g: g, delta0: try RateMapMeanField.solve(g: g).delta0)
    }

    /// The spectrum of J D_t with the variance Δ0 of h given (Δ0 = 0: D = I, Newman's law).
    public init(g: Double, delta0: Double) throws {
        guard g > 0, g.isFinite else { throw LyapunovSpectrumTheoryError.invalidGain(g) }
        guard delta0 >= 0, delta0.isFinite else { throw LyapunovSpectrumTheoryError.unresolved(delta0: delta0) }
        self.g = g
        self.delta0 = delta0
        let s = delta0.squareRoot()
        if s == 0 {
            (logA, weights) = ([0], [1])
            return
        }
        // The integrand logistic(u − 4 ln cosh(s z)) steps over a width ≈ 1/4 in s z wherever
        // 4 ln cosh(s z) ≈ u: composite 8-point Gauss–Legendre panels of width ≤ 1/(8s) in z
        // (1/8 unit of s z) on [0, 9], the normal density beyond 9 being below 1e−18.
        let width = min(0.25, 0.125 / s)
        let panels = Int((9 / width).rounded(.up))
        guard panels * 8 <= 400_000 else { throw LyapunovSpectrumTheoryError.unresolved(delta0: delta0) }
        let (x, w) = GaussHermite.legendre8
        let h = 9 / Double(panels), density = 2 / (2 * Double.pi).squareRoot()
        var la: [Double] = [], ws: [Double] = []
        la.reserveCapacity(8 * panels)
        ws.reserveCapacity(8 * panels)
        for p in 0..<panels {
            let mid = (Double(p) + 0.5) * h
            for i in 0..<8 {
                let z = mid + 0.5 * h * x[i]
                la.append(-4 * TanhFamily.logCosh(s * z))
                ws.append(0.5 * h * w[i] * density * Foundation.exp(-0.5 * z * z))
            }
        }
        let total = ws.reduce(0, +)
        (logA, weights) = (la, ws.map { $0 / total })
    }

    /// E[ln a] = E[ln φ'(h)²].
    public var meanLogGain: Double { zip(weights, logA).reduce(0) { $0 + $1.0 * $1.1 } }

    /// E[a] = E[sech⁴(√Δ0 z)], λ_max = ½ ln(g² E[a]) (T6, LS8).
    public var meanGain: Double { zip(weights, logA).reduce(0) { $0 + $1.0 * Foundation.exp($1.1) } }

    /// (E[logistic(u + ln a)], E[logistic′]) at u = ln s: the left side of LS5 and its derivative in u.
    func fraction(logS u: Double) -> (value: Double, slope: Double) {
        var v = 0.0, d = 0.0
        for i in 0..<logA.count {
            let x = u + logA[i]
            let p = x >= 0 ? 1 / (1 + Foundation.exp(-x)) : { let e = Foundation.exp(x); return e / (1 + e) }()
            v += weights[i] * p
            d += weights[i] * p * (1 - p)
        }
        return (v, d)
    }

    /// ln s(t), the root of E[s a / (1 + s a)] = t (LS5), by Newton's method in ln s inside a
    /// bisection bracket (the left side increases from 0 to 1 in ln s), at most `maxIterations` steps.
    public func logS(at t: Double, maxIterations: Int = 200) throws -> Double {
        guard t > 0, t < 1 else { throw LyapunovSpectrumTheoryError.fractionOutOfRange(t) }
        // Small t: s ≈ t / E[a]; bracket around it.
        var u = Foundation.log(t / meanGain)
        var lo = u - 1, hi = u + 1
        var expansions = 0
        while fraction(logS: lo).value > t {
            lo -= 2 * (hi - lo); expansions += 1
            if expansions > 60 { throw LyapunovSpectrumTheoryError.noConvergence(fraction: t, iterations: expansions, residual: .nan) }
        }
        while fraction(logS: hi).value < t {
            hi += 2 * (hi - lo); expansions += 1
            if expansions > 60 || hi > 1400 {
                throw LyapunovSpectrumTheoryError.noConvergence(fraction: t, iterations: expansions, residual: .nan)
            }
        }
        u = min(max(u, lo), hi)
        var residual = Double.infinity
        for _ in 0..<max(maxIterations, 0) {
            let (v, d) = fraction(logS: u)
            residual = v - t
            if Swift.abs(residual) <= 1e-14 * min(t, 1 - t) || hi - lo < 1e-13 * max(1, Swift.abs(u)) { return u }
            if residual > 0 { hi = u } else { lo = u }
            let newton = u - residual / d
            u = (d > 0 && newton > lo && newton < hi) ? newton : 0.5 * (lo + hi)
        }
        throw LyapunovSpectrumTheoryError.noConvergence(fraction: t, iterations: maxIterations, residual: residual)
    }

    /// λ(t) = ½ ln(g² t / s(t)) (LS6) for t ∈ (0, 1); −∞ at t = 1, the bottom of the support.
    public func exponent(at t: Double) throws -> Double {
        guard t > 0, t <= 1, t.isFinite else { throw LyapunovSpectrumTheoryError.fractionOutOfRange(t) }
        if t == 1 { return -.infinity }
        return 0.5 * (2 * Foundation.log(g) + Foundation.log(t) - (try logS(at: t)))
    }

    /// Exponent i of n, i = 1…n, as the quantile at t = (i − ½)/n (LS10), descending.
    public func exponents(n: Int) throws -> [Double] {
        guard n > 0 else { throw LyapunovSpectrumTheoryError.fractionOutOfRange(0) }
        return try (1...n).map { try exponent(at: (Double($0) - 0.5) / Double(n)) }
    }
}

/// The whole-spectrum prediction as reported (docs/theory-lyapunov-spectrum.md LS10–LS11):
/// where it comes from, the distribution's quantiles, D_KY/N and h_KS/N.
public struct FullSpectrumTheory: Codable, Sendable, Equatable {
    /// Where the numbers come from, in words.
    public var method: String
    /// (t, λ(t)) at t = 0.005, 0.01, …, 0.995 and the two ends' limits (t → 0: λ_max).
    public var quantiles: [[Double]]
    /// The large-N Kaplan–Yorke dimension per unit and entropy rate per unit, from the
    /// quantiles of `resolution` exponents (LS11).
    public var kaplanYorkeDimensionPerN: Double
    public var entropyRatePerN: Double
    public var resolution: Int

    /// The δ = 1 map's prediction at gain g (LS6).
    public static func rateMap(g: Double, resolution: Int = 2000) throws -> FullSpectrumTheory {
        let s = try RateMapSpectrum(g: g)
        let exps = try s.exponents(n: resolution)
        let grid = stride(from: 0.005, through: 0.9951, by: 0.005).map { $0 }
        var q = try grid.map { [$0, try s.exponent(at: $0)] }
        q.insert([0, 0.5 * Foundation.log(g * g * s.meanGain)], at: 0)
        return FullSpectrumTheory(
            method: "free-probability (annealed) product J·diag(φ′(h_t)), J free from the diagonal, h ~ N(0, Δ0) of T6: λ(t) = ½ ln(g² t / s(t)), E[s a/(1 + s a)] = t, a = sech⁴(h) (docs/theory-lyapunov-spectrum.md LS6)",
            quantiles: q, kaplanYorkeDimensionPerN: SpectrumMetrics.kaplanYorke(exps) / Double(resolution),
            entropyRatePerN: SpectrumMetrics.entropyRate(exps) / Double(resolution), resolution: resolution)
    }
}
