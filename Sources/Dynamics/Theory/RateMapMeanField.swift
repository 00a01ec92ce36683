import Compute
import Foundation

/// Mean-field theory of the discrete-time rate network h_{n+1} = J φ(h_n), the Euler map with
/// δ = 1 (docs/theory.md T6), with z ~ N(0, 1):
/// - Δ0 = g² E[tanh²(√Δ0 z)] (0 for g ≤ 1, else the positive root, found by bisection);
/// - λ_max = ½ ln(g² E[sech⁴(√Δ0 z)]);
/// - the mean exponent (1/N) Σ λ_i → ln g − ½ + E[ln sech²(√Δ0 z)] (ln|det J|/N → ln g − ½ for a
///   Ginibre matrix, plus the average of ln φ').
/// For g ≤ 1 these give λ_max = ln g and mean ln g − ½, the circular law's values.
public struct RateMapMeanField: Codable, Sendable, Equatable {
    public var g: Double
    public var delta0: Double
    public var lambdaMax: Double
    public var meanExponent: Double

    public static func solve(g: Double) throws -> RateMapMeanField {
        guard g > 0, g.isFinite else { throw ComputeError.invalidArgument("map mean field: g must be positive, got \(g)") }
        // Δ0 ≈ g² must be a finite double, with room for the bisection's products.
        guard g <= 1e150 else {
            throw ComputeError.invalidArgument("map mean field: no answer at g = \(g): Δ0 ≈ g² overflows double precision (g ≤ 1e150)")
        }
        let d0 = g <= 1 ? 0 : delta0(g: g)
        let rule = GaussHermite.centred(scale: d0.squareRoot(), cache: GaussHermiteCache())
        let s = d0.squareRoot()
        let sech4 = rule.expectation { let p = TanhFamily.at(s * $0).s; return p * p }
        let logSech2 = rule.expectation { -2 * TanhFamily.logCosh(s * $0) }
        return RateMapMeanField(g: g, delta0: d0, lambdaMax: 0.5 * Foundation.log(g * g * sech4),
                                meanExponent: Foundation.log(g) - 0.5 + logSech2)
    }

    /// The positive root of Δ − g² E[tanh²(√Δ z)]: negative at 0⁺ (slope 1 − g²), positive at g²
    /// (tanh² < 1); bisection in log Δ with a rule sized for Δ = g² (T1b at any g).
    static func delta0(g: Double) -> Double {
        let rule = GaussHermite.centred(scale: g, cache: GaussHermiteCache())
        func f(_ x: Double) -> Double {
            let s = x.squareRoot()
            return x - g * g * rule.expectation { let t = TanhFamily.at(s * $0).t; return t * t }
        }
        var lo = min(1e-3, (g * g - 1) / 4), hi = g * g
        while f(lo) >= 0 && lo > 1e-200 { lo /= 10 }
        for _ in 0..<200 {
            let mid = lo.squareRoot() * hi.squareRoot()
            if f(mid) < 0 { lo = mid } else { hi = mid }
            if hi / lo - 1 < 1e-15 { break }
        }
        return lo.squareRoot() * hi.squareRoot()
    }
}
