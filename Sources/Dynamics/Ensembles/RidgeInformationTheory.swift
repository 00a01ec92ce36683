import Compute
import Foundation

/// The limiting spectrum of XᵀX/n as n, p → ∞ at γ = p/n, for rows x ~ N(0, Σ) with Σ's
/// eigenvalues `DesignCovariance` (scales c_k, fractions π_k): the generalised Marchenko–Pastur
/// law, a quadrature rule for it, and the large-n limits of the ridge informations
/// (docs/ridge-information.md, RI11–RI13).
public struct GeneralizedMarchenkoPastur: Sendable {
    public let gamma: Double
    public let covariance: DesignCovariance

    public init(gamma: Double, covariance: DesignCovariance = .isotropic) {
        self.gamma = gamma
        self.covariance = covariance
    }

    /// The mass at 0: 1 − 1/γ for γ > 1 (every scale is positive), else 0.
    public var atomAtZero: Double { max(0, 1 - 1 / gamma) }

    /// An upper bound of the support: max c_k (1 + √γ)² (XᵀX ≤ c_max ZᵀZ).
    public var upperBound: Double {
        (covariance.scales.max() ?? 1) * (1 + gamma.squareRoot()) * (1 + gamma.squareRoot())
    }

    /// The density of the continuous part at x > 0 (RI12): Im v/(πγ), v the root with Im v > 0 of
    /// the Silverstein equation x = −1/v + γ Σ_k π_k c_k/(1 + c_k v) (RI11), v(z) the Stieltjes
    /// transform of XXᵀ/n. The equation times v Π_k(1 + c_k v) is a polynomial of degree K + 1 in
    /// v; its roots are the eigenvalues of the companion matrix. One scale has the closed form
    /// √((b − x)(x − a))/(2πγx) scaled by c.
    public func density(_ x: Double) -> Double {
        guard x > 0 else { return 0 }
        let cs = covariance.scales, ws = covariance.weights
        if cs.count == 1 {
            let c = cs[0], u = x / c, s = gamma.squareRoot()
            let a = (1 - s) * (1 - s), b = (1 + s) * (1 + s)
            guard u > a, u < b else { return 0 }
            return ((b - u) * (u - a)).squareRoot() / (2 * Double.pi * gamma * u) / c
        }
        // Polynomials in v, coefficients from the constant term up.
        func times(_ a: [Double], _ b: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: a.count + b.count - 1)
            for (i, x) in a.enumerated() { for (j, y) in b.enumerated() { out[i + j] += x * y } }
            return out
        }
        func plus(_ a: [Double], _ b: [Double]) -> [Double] {
            (0..<max(a.count, b.count)).map { (($0 < a.count) ? a[$0] : 0) + (($0 < b.count) ? b[$0] : 0) }
        }
        var prod: [Double] = [1]
        for c in cs { prod = times(prod, [1, c]) }
        var q: [Double] = [0]
        for k in cs.indices {
            var term: [Double] = [ws[k] * cs[k]]
            for j in cs.indices where j != k { term = times(term, [1, cs[j]]) }
            q = plus(q, term)
        }
        // −P + γ v Q − x v P
        let g = plus(plus(prod.map { -$0 }, times([0, gamma], q)), times([0, -x], prod))
        let degree = g.count - 1
        guard let lead = g.last, lead != 0 else { return 0 }
        var companion = [Double](repeating: 0, count: degree * degree)
        for i in 0..<degree {
            if i > 0 { companion[i * degree + i - 1] = 1 }
            companion[i * degree + degree - 1] = -g[i] / lead
        }
        guard let roots = try? LAPACK.eigenvalues(general: companion, n: degree) else { return 0 }
        var best = 0.0, size = 0.0
        for (re, im) in zip(roots.re, roots.im) where abs(im) > best {
            best = abs(im)
            size = (re * re + im * im).squareRoot()
        }
        return best > 1e-10 * (1 + size) ? best / (Double.pi * gamma) : 0
    }

    /// Nodes and weights of the continuous part: t = T e^(−L(1 − u)) on (10⁻¹² T, T],
    /// T = `upperBound`, L = ln 10¹², with the midpoint rule in u. The logarithmic grid resolves
    /// bulks whose scales differ by many decades and the 1/√t edge at 0 when a bulk has a hard edge
    /// (the mass left below 10⁻¹² T is of order 10⁻⁶); the weights sum to the continuous mass
    /// min(1, 1/γ) up to the quadrature error.
    public func quadrature(nodes count: Int = 8000) -> (t: [Double], weight: [Double]) {
        let top = upperBound, span = 12 * log(10.0)
        var t: [Double] = [], w: [Double] = []
        t.reserveCapacity(count)
        w.reserveCapacity(count)
        for j in 0..<count {
            let u = (Double(j) + 0.5) / Double(count)
            let x = top * exp(-span * (1 - u))
            let rho = density(x)
            if rho > 0 {
                t.append(x)
                w.append(rho * x * span / Double(count))
            }
        }
        return (t, w)
    }
}

/// Large-n limits of the ridge informations, per observation (bits / n); a design of n
/// observations has n times these (RI13).
public enum RidgeInformationTheory {
    public static func limit(gamma: Double, covariance: DesignCovariance = .isotropic,
                             channel c: RidgeInformation.Channel, nodes: Int = 8000)
        -> (information: DesignInformation, curve: [RidgeInformation.PlanePoint]) {
        let (t, w) = GeneralizedMarchenkoPastur(gamma: gamma, covariance: covariance).quadrature(nodes: nodes)
        // Per observation: (1/n) Σ_i f(t_i) → γ ∫ f dμ; the atom at 0 adds f(0) = 0.
        let weights = w.map { gamma * $0 }
        var relevant = 0.0, residual = 0.0
        for (x, v) in zip(t, weights) {
            relevant += v * c.relevant(x)
            residual += v * c.residual(x)
        }
        let snrs = t.map(c.snr)
        let best = RidgeInformation.optimalRelevant(residualBudget: residual, snrs: snrs, weights: weights)
        let info = DesignInformation(relevant: relevant, residual: residual, optimalRelevant: best,
                                     efficiency: best > 0 ? relevant / best : 1)
        return (info, RidgeInformation.optimalCurve(snrs: snrs, weights: weights))
    }
}
