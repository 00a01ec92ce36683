import Foundation

/// A quadrature for E[F(s z)], z ~ N(0, 1), at any scale s, for integrands F that change on unit
/// scale in u = s z only near one point u = u₀ (0 for tanh², sech⁴, log cosh; the threshold β of a
/// gate σ(u − β)²) and are smooth beyond |u − u₀| ≈ 40 (their corrections there are below
/// e^{−40}) (docs/theory.md T1b).
///
/// Up to the scale a Gauss–Hermite rule resolves (GaussHermite.nodesFor ≤ 3000 nodes, s ≲ 7) it
/// is that rule. Beyond, Gauss–Hermite nodes are too sparse near u₀ (their spacing ~π/√(2n) in z
/// is several units of u), so the rule is composite 8-point Gauss–Legendre in z with the normal
/// density in its weights: panels of width 1/(2s) (half a unit of u) on the core
/// |s z − u₀| ≤ 40, panels of width 1/4 on the rest of |z| ≤ 9 (the density beyond 9 is below
/// 1e−18). At most about 1 900 nodes at every s, accurate to about 1e−12 for these integrands
/// (tested against a fine sum).
extension GaussHermite {
    /// The rule for E[F(s z)] with F as above, at any s ≥ 0 (u₀ = `centre`, finite).
    package static func centred(scale s: Double, at centre: Double = 0, cache: GaussHermiteCache) -> GaussHermite {
        if cache.resolves(scale: s) { return cache.rule(scale: s) }
        return composite(scale: s, centre: centre)
    }

    static func composite(scale s: Double, centre: Double = 0) -> GaussHermite {
        let edge = 9.0
        // The core [lo, hi] in z, within the edges (empty when u₀ lies 40 beyond s·9).
        let lo = max((centre - 40) / s, -edge), hi = min((centre + 40) / s, edge)
        /// Breaks from a to b (a < b) at most `width` apart, a included.
        func panels(_ a: Double, _ b: Double, width: Double) -> [Double] {
            let count = max(1, Int(((b - a) / width).rounded(.up)))
            return (0..<count).map { a + (b - a) * Double($0) / Double(count) }
        }
        var breaks: [Double]
        if lo < hi {
            breaks = (lo > -edge ? panels(-edge, lo, width: 0.25) : []) + panels(lo, hi, width: 0.5 / s)
                + (hi < edge ? panels(hi, edge, width: 0.25) : []) + [edge]
        } else {
            breaks = panels(-edge, edge, width: 0.25) + [edge]
        }
        let (x, w) = legendre8
        var nodes: [Double] = [], weights: [Double] = []
        nodes.reserveCapacity(8 * breaks.count)
        weights.reserveCapacity(8 * breaks.count)
        let density = 1 / (2 * Double.pi).squareRoot()
        for p in 1..<breaks.count {
            let mid = 0.5 * (breaks[p] + breaks[p - 1]), half = 0.5 * (breaks[p] - breaks[p - 1])
            for i in 0..<8 {
                let z = mid + half * x[i]
                nodes.append(z)
                weights.append(half * w[i] * density * Foundation.exp(-0.5 * z * z))
            }
        }
        let total = weights.reduce(0, +)
        return GaussHermite(nodes: nodes, weights: weights.map { $0 / total })
    }

    /// Nodes and weights of 8-point Gauss–Legendre on [−1, 1]: Newton's method on P_8 from the
    /// Chebyshev-like first guesses cos(π(i + 3/4)/(n + 1/2)).
    static let legendre8: (nodes: [Double], weights: [Double]) = {
        let n = 8
        var xs: [Double] = [], ws: [Double] = []
        for i in 0..<n {
            var x = Foundation.cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                for k in 2...n { (p0, p1) = (p1, ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)) }
                derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                let dx = p1 / derivative
                x -= dx
                if Swift.abs(dx) < 1e-16 { break }
            }
            xs.append(x)
            ws.append(2 / ((1 - x * x) * derivative * derivative))
        }
        return (xs, ws)
    }()
}
