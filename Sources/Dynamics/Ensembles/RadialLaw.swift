import Compute
import Foundation

/// (docs/ensembles.md E9) The eigenvalue law of c + s·X D with X an n×n matrix of independent entries of variance 1/n
/// and D = diag(d_i) independent of it, as n → ∞: the law of the rate network's Jacobian
/// −I + J diag(φ'(h)) (c = −1, s = 1, d_i = g φ'(h_i)) and of its Euler step (c = 1 − δ, s = δ).
///
/// X D is R-diagonal, so (Haagerup–Larsen) its spectrum is rotation invariant and the mass
/// F(ρ) inside radius ρ solves S_{(XD)*(XD)}(F − 1) = 1/ρ². With the S-transform of the free
/// product, S_{X*X}(w) = 1/(1+w) times S of a_i = d_i², this becomes, in a parameter y > 0:
///   ρ²(y) = ⟨a/(1 + y a)⟩,   F(y) = ⟨1/(1 + y a)⟩,
/// from the outer edge ρ² = ⟨a⟩ (y → 0, F = 1) to the centre (y → ∞). With equal a_i = g² it is
/// the circular law, F = ρ²/g². The statistic is |λ − c|/s and is compared with F.
public struct RadialLaw: Sendable, Equatable {
    public let center: Double
    public let scale: Double
    /// Outer radius of the support, in units of `scale`: √⟨a⟩.
    public let outerRadius: Double
    /// What the a_i are, for descriptions.
    public let source: String
    /// (ρ, F) on a grid of y, ρ increasing; empty when all a_i are equal (then F = ρ²/ρ_max²).
    let rho: [Double]
    let mass: [Double]

    /// The law for a distribution of a = d² given as values with weights (summing to 1).
    public init(center: Double, scale: Double, a: [Double], weights: [Double], source: String) {
        self.center = center
        self.scale = scale
        self.source = source
        let total = weights.reduce(0, +)
        let w = weights.map { $0 / max(total, 1e-300) }
        let meanA = zip(a, w).reduce(0) { $0 + $1.0 * $1.1 }
        outerRadius = max(meanA, 0).squareRoot()
        let spread = (a.max() ?? 0) - (a.min() ?? 0)
        if spread <= 1e-14 * max(meanA, 1e-300) {
            (rho, mass) = ([], [])
            return
        }
        // y from 1e-8/⟨a⟩ to 1e14/⟨a⟩, log-spaced; reversed so that ρ increases.
        var rs: [Double] = [0], fs: [Double] = [zip(a, w).reduce(0) { $0 + ($1.0 <= 0 ? $1.1 : 0) }]
        let steps = 4000
        for k in stride(from: steps, through: 0, by: -1) {
            let y = pow(10, -8 + 22 * Double(k) / Double(steps)) / max(meanA, 1e-300)
            var r2 = 0.0, f = 0.0
            for i in a.indices {
                let q = 1 / (1 + y * a[i])
                r2 += w[i] * a[i] * q
                f += w[i] * q
            }
            let r = r2.squareRoot()
            if r > rs[rs.count - 1] {
                rs.append(r)
                fs.append(min(1, f))
            }
        }
        rs.append(outerRadius)
        fs.append(1)
        (rho, mass) = (rs, fs)
    }

    /// The rate network's flow Jacobian −I + J diag(φ'(h)) with h ~ N(0, Δ0) (the DMFT's
    /// stationary variance; Δ0 = 0 at the fixed point), J of gain g, by Gauss–Hermite
    /// quadrature over h; `center`, `scale` map it to a step's tangent map.
    public static func rateJacobian(g: Double, delta0: Double, center: Double = -1, scale: Double = 1,
                                    source: String) -> RadialLaw {
        let rule = GaussHermiteCache().rule(scale: max(delta0, 0).squareRoot())
        let a = rule.nodes.map { z -> Double in
            let s = TanhFamily.at(max(delta0, 0).squareRoot() * z).s
            return g * g * s * s
        }
        return RadialLaw(center: center, scale: scale, a: a, weights: rule.weights, source: source)
    }

    /// P(|λ − c|/s ≤ ρ).
    public func cdf(_ r: Double) -> Double {
        if r <= 0 { return rho.isEmpty ? 0 : mass[0] }
        if r >= outerRadius { return 1 }
        if rho.isEmpty { return (r / outerRadius) * (r / outerRadius) }
        var lo = 0, hi = rho.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if rho[mid] <= r { lo = mid } else { hi = mid }
        }
        let t = (r - rho[lo]) / max(rho[hi] - rho[lo], 1e-300)
        return mass[lo] + t * (mass[hi] - mass[lo])
    }

    /// The radial density p(ρ) = dF/dρ / (2πρ) per unit area (in units of `scale`), at ρ.
    public func areaDensity(_ r: Double) -> Double {
        if r >= outerRadius || r < 0 { return 0 }
        let h = 1e-3 * outerRadius
        let (a, b) = (max(0, r - h), min(outerRadius, r + h))
        return (cdf(b) - cdf(a)) / (Double.pi * (b * b - a * a))
    }
}
