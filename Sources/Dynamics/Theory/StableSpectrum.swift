import Compute
import Foundation

/// The whole Lyapunov spectrum at a stable fixed point (docs/theory.md T7):
/// the flow Jacobian A there has a fraction `discWeight` of its eigenvalues uniform on the disc
/// |a − c| ≤ R (the circular law: c = −1, R = g for the rate network with g < 1) and the rest at
/// point masses (the gated RNN's −1/τ_z, −1/τ_r). One step of the integrator maps an
/// eigenvalue a to m(δa) (Integrator.amplification), so the exponents are ln|m(δa)|/δ: for
/// Euler ln|1 − δ + δμ|/δ with μ uniform on the disc of radius g (docs/theory.md T7).
///
/// The distribution of the exponents, F(λ) = P(ln|m(δa)|/δ ≤ λ), is exact for Euler: |m| =
/// δR|μ − μ0| with μ uniform on the unit disc and μ0 = −(1 + δc)/(δR), so F is the area of two
/// discs' lens over π. For RK4 it is computed from a 256 × 512 equal-area polar grid of the disc.
/// Exponent i of n (descending) is predicted by the quantile at 1 − (i − ½)/n.
public struct StableSpectrum: Codable, Sendable, Equatable {
    public struct PointMass: Codable, Sendable, Equatable {
        /// The flow Jacobian's eigenvalue.
        public var eigenvalue: Double
        /// Fraction of all exponents.
        public var weight: Double
        public init(eigenvalue: Double, weight: Double) {
            self.eigenvalue = eigenvalue
            self.weight = weight
        }
    }

    public var discCenter: Double
    public var discRadius: Double
    public var discWeight: Double
    public var pointMasses: [PointMass]
    public var dt: Double
    public var integrator: Integrator
    /// The largest exponent: the disc's edge (or a point mass) farthest from m = 0.
    public private(set) var lambdaMax: Double = 0
    /// The mean exponent (1/n) Σ λ_i.
    public private(set) var meanExponent: Double = 0
    /// RK4 only: the disc's exponents on the polar grid, sorted.
    private var samples: [Double] = []

    enum CodingKeys: String, CodingKey {
        case discCenter, discRadius, discWeight, pointMasses, dt, integrator, lambdaMax, meanExponent
    }

    public init(discCenter c: Double, discRadius r: Double, discWeight: Double = 1, pointMasses: [PointMass] = [],
                dt: Double, integrator: Integrator) {
        discCenter = c
        discRadius = max(r, 0)
        self.discWeight = discWeight
        self.pointMasses = pointMasses
        self.dt = dt
        self.integrator = integrator
        if integrator == .rk4 && discRadius > 0 { samples = gridExponents() }
        let pointLambdas = pointMasses.map { exponent(re: $0.eigenvalue, im: 0) }
        lambdaMax = max(discWeight > 0 ? discMax() : -.infinity, pointLambdas.max() ?? -.infinity)
        meanExponent = discWeight * (discWeight > 0 ? discMean() : 0)
            + zip(pointMasses, pointLambdas).reduce(0) { $0 + $1.0.weight * $1.1 }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(discCenter: try c.decode(Double.self, forKey: .discCenter),
                  discRadius: try c.decode(Double.self, forKey: .discRadius),
                  discWeight: try c.decode(Double.self, forKey: .discWeight),
                  pointMasses: try c.decode([PointMass].self, forKey: .pointMasses),
                  dt: try c.decode(Double.self, forKey: .dt), integrator: try c.decode(Integrator.self, forKey: .integrator))
    }

    /// ln|m(δa)|/δ for a flow-Jacobian eigenvalue a = re + i·im.
    public func exponent(re: Double, im: Double) -> Double {
        let m = integrator.amplification(re: dt * re, im: dt * im)
        return 0.5 * Foundation.log(m.re * m.re + m.im * m.im) / dt
    }

    /// P(λ ≤ x) over all exponents.
    public func cdf(_ x: Double) -> Double {
        var p = discWeight > 0 ? discWeight * discCDF(x) : 0
        for pm in pointMasses where exponent(re: pm.eigenvalue, im: 0) <= x { p += pm.weight }
        return min(1, max(0, p))
    }

    /// The smallest x with F(x) ≥ p, 0 < p < 1 (bisection to 1e-12).
    public func quantile(_ p: Double) -> Double {
        var hi = lambdaMax, lo = hi - 1
        while cdf(lo) >= p && hi - lo < 1e6 { lo = hi - 2 * (hi - lo) }
        for _ in 0..<200 where hi - lo > 1e-12 * max(1, Swift.abs(hi)) {
            let mid = 0.5 * (lo + hi)
            if cdf(mid) >= p { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// The predicted leading `k` of `n` exponents, descending: λ_i = quantile(1 − (i − ½)/n).
    public func exponents(total n: Int, leading k: Int) -> [Double] {
        (1...max(1, min(k, n))).map { quantile(1 - (Double($0) - 0.5) / Double(n)) }
    }

    // MARK: the disc

    /// μ0 and δR of |m| = δR|μ − μ0| (Euler).
    private var eulerGeometry: (mu0: Double, scale: Double) {
        let scale = dt * discRadius
        return (-(1 + dt * discCenter) / scale, scale)
    }

    private func discCDF(_ x: Double) -> Double {
        if discRadius == 0 { return exponent(re: discCenter, im: 0) <= x ? 1 : 0 }
        if integrator == .rk4 {
            var lo = 0, hi = samples.count  // first index with samples[i] > x
            while lo < hi {
                let mid = (lo + hi) / 2
                if samples[mid] <= x { lo = mid + 1 } else { hi = mid }
            }
            return Double(lo) / Double(samples.count)
        }
        let (mu0, scale) = eulerGeometry
        let rho = Foundation.exp(x * dt) / scale
        return Self.lensArea(distance: Swift.abs(mu0), radius: rho) / Double.pi
    }

    private func discMax() -> Double {
        if discRadius == 0 { return exponent(re: discCenter, im: 0) }
        if integrator == .euler {
            let (mu0, scale) = eulerGeometry
            return Foundation.log(scale * (Swift.abs(mu0) + 1)) / dt
        }
        // |m| is largest on the boundary (maximum modulus principle).
        return (0..<8192).map { k -> Double in
            let th = 2 * Double.pi * Double(k) / 8192
            return exponent(re: discCenter + discRadius * cos(th), im: discRadius * sin(th))
        }.max()!
    }

    private func discMean() -> Double {
        if discRadius == 0 { return exponent(re: discCenter, im: 0) }
        if integrator == .rk4 { return samples.reduce(0, +) / Double(samples.count) }
        // The mean of ln|μ − μ0| over the unit disc: ln|μ0| outside, (|μ0|² − 1)/2 inside.
        let (mu0, scale) = eulerGeometry
        let d = Swift.abs(mu0)
        return (Foundation.log(scale) + (d >= 1 ? Foundation.log(d) : (d * d - 1) / 2)) / dt
    }

    private func gridExponents(radial: Int = 256, angular: Int = 512) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(radial * angular)
        for k in 0..<radial {
            let r = discRadius * ((Double(k) + 0.5) / Double(radial)).squareRoot()
            for l in 0..<angular {
                let th = 2 * Double.pi * (Double(l) + 0.5) / Double(angular)
                out.append(exponent(re: discCenter + r * cos(th), im: r * sin(th)))
            }
        }
        return out.sorted()
    }

    /// The area of the unit disc's intersection with the disc of radius ρ whose centre is at
    /// distance d from its centre.
    static func lensArea(distance d: Double, radius rho: Double) -> Double {
        if rho <= 0 { return 0 }
        if d >= 1 + rho { return 0 }
        if d <= Swift.abs(1 - rho) { return Double.pi * min(1, rho) * min(1, rho) }
        let a1 = acos(max(-1, min(1, (d * d + 1 - rho * rho) / (2 * d))))
        let a2 = acos(max(-1, min(1, (d * d + rho * rho - 1) / (2 * d * rho))))
        let k = max(0, (-d + 1 + rho) * (d + 1 - rho) * (d - 1 + rho) * (d + 1 + rho))
        return a1 + rho * rho * a2 - 0.5 * k.squareRoot()
    }
}
