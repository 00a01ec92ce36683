import Compute
import Foundation

/// The large-n limit of an ensemble's eigenvalue distribution, and the one-dimensional
/// statistic on which the distance to it (Kolmogorov–Smirnov) is measured (docs/ensembles.md
/// E1–E5, E9–E11).
///
/// - circular law of radius R: uniform on the disc; statistic |λ|, CDF F(r) = r²/R²;
/// - elliptic law with correlation τ and scale g: uniform on the ellipse with semi-axes
///   a = g(1+τ), b = g(1−τ) (|τ| < 1); statistic the elliptic radius (x/a)² + (y/b)², uniform
///   on [0, 1];
/// - semicircle of radius R on the real (or imaginary) axis: density 2√(R²−x²)/(πR²);
///   statistic the real (imaginary) part;
/// - Marchenko–Pastur with ratio γ (variance 1): density √((b−x)(x−a))/(2πγx) on
///   [a, b] = [(1−√γ)², (1+√γ)²] and, for γ > 1, a point mass 1 − 1/γ at 0; statistic the
///   eigenvalue, with |λ| below 1e-9·b counted as exactly 0;
/// - a rotation-invariant law about a centre c with scale s (`RadialLaw`: the rate network's
///   Jacobians); statistic |λ − c|/s against the law's radial CDF;
/// - the GRU's and LSTM's Jacobian law along trajectories (`DeformedLaw`); statistic |λ − c|.
public enum SpectralLaw: Sendable, Equatable {
    case circular(radius: Double)
    case radial(RadialLaw)
    case deformed(DeformedLaw)
    case elliptic(tau: Double, scale: Double)
    case semicircle(radius: Double, axis: Axis)
    case marchenkoPastur(ratio: Double)

    public enum Axis: String, Codable, Sendable { case real, imaginary }

    /// A short identifier for JSON: circular, elliptic, semicircle, marchenko-pastur.
    public var id: String {
        switch self {
        case .circular: "circular"
        case .elliptic: "elliptic"
        case .semicircle: "semicircle"
        case .marchenkoPastur: "marchenko-pastur"
        case .radial: "radial"
        case .deformed: "deformed"
        }
    }

    public var description: String {
        switch self {
        case .circular(let r): "circular law, radius \(fmt(r))"
        case .elliptic(let t, let g): "elliptic law, semi-axes \(fmt(g * (1 + t))) and \(fmt(g * (1 - t)))"
        case .semicircle(let r, let axis): "semicircle on [-\(fmt(r)), \(fmt(r))]\(axis == .imaginary ? "i" : "")"
        case .marchenkoPastur(let g): "Marchenko–Pastur, γ = \(fmt(g))"
        case .radial(let l):
            "rotation-invariant law about \(fmt(l.center)) of radius \(short(l.scale * l.outerRadius)) (\(l.source))"
        case .deformed(let l): "\(l.form.rawValue.uppercased()) Jacobian law, radial about \(short(l.center)) (\(l.source))"
        }
    }

    /// Whether the law lives in the complex plane (a 2-D density) rather than on a line.
    public var isPlanar: Bool {
        switch self {
        case .circular, .elliptic, .radial, .deformed: true
        case .semicircle, .marchenkoPastur: false
        }
    }

    /// What the KS distance compares.
    public var statisticName: String {
        switch self {
        case .circular: "radial CDF of |λ|"
        case .elliptic: "CDF of the elliptic radius (x/a)² + (y/b)²"
        case .semicircle(_, let axis): "CDF of the \(axis == .real ? "real" : "imaginary") part"
        case .marchenkoPastur: "CDF of the eigenvalues"
        case .radial: "radial CDF of |λ − c|/s"
        case .deformed: "radial CDF of |λ − c|"
        }
    }

    /// The statistic of one eigenvalue re + i·im.
    public func statistic(re: Double, im: Double) -> Double {
        switch self {
        case .circular: return (re * re + im * im).squareRoot()
        case .elliptic(let t, let g):
            let a = g * (1 + t), b = g * (1 - t)
            return (re / a) * (re / a) + (im / b) * (im / b)
        case .semicircle(_, let axis): return axis == .real ? re : im
        case .marchenkoPastur: return abs(re) <= 1e-9 * mpEdges.upperBound ? 0 : re
        case .radial(let l):
            let x = re - l.center
            return (x * x + im * im).squareRoot() / l.scale
        case .deformed(let l):
            let x = re - l.center
            return (x * x + im * im).squareRoot()
        }
    }

    /// P(statistic ≤ s).
    public func cdf(_ s: Double) -> Double {
        switch self {
        case .circular(let r): return s <= 0 ? 0 : min(1, (s / r) * (s / r))
        case .elliptic: return min(1, max(0, s))
        case .semicircle(let r, _):
            let t = min(1, max(-1, s / r))
            return 0.5 + (t * (1 - t * t).squareRoot() + asin(t)) / Double.pi
        case .marchenkoPastur:
            return s < 0 ? 0 : atomAtZero + mpContinuousCDF(s)
        case .radial(let l): return l.cdf(s)
        case .deformed(let l): return l.cdf(s)
        }
    }

    /// P(statistic < s): equal to `cdf` except at the point mass of Marchenko–Pastur.
    public func cdfBefore(_ s: Double) -> Double {
        if case .marchenkoPastur = self, s == 0 { return 0 }
        return cdf(s)
    }

    /// The mass at 0 (Marchenko–Pastur with γ > 1), else 0.
    public var atomAtZero: Double {
        if case .marchenkoPastur(let g) = self { return max(0, 1 - 1 / g) }
        return 0
    }

    /// The density of the continuous part of a 1-D law at x (0 for planar laws).
    public func density(_ x: Double) -> Double {
        switch self {
        case .circular, .elliptic, .radial, .deformed: return 0
        case .semicircle(let r, _): return abs(x) >= r ? 0 : 2 * (r * r - x * x).squareRoot() / (Double.pi * r * r)
        case .marchenkoPastur(let g):
            let (a, b) = (mpEdges.lowerBound, mpEdges.upperBound)
            if x <= a || x >= b || x <= 0 { return 0 }
            let root: Double = ((b - x) * (x - a)).squareRoot()
            return root / (2 * Double.pi * g * x)
        }
    }

    /// The interval of a 1-D law's continuous part; for planar laws, the real extent.
    public var support: ClosedRange<Double> {
        switch self {
        case .circular(let r): return -r...r
        case .elliptic(let t, let g): return -g * (1 + abs(t))...g * (1 + abs(t))
        case .semicircle(let r, _): return -r...r
        case .marchenkoPastur: return mpEdges
        case .radial(let l): return l.center - l.scale * l.outerRadius...l.center + l.scale * l.outerRadius
        case .deformed(let l): return l.center - l.outerRadius...l.center + l.outerRadius
        }
    }

    /// Half the side of a square about 0 that holds a planar law's support.
    public var planarExtent: Double { max(abs(support.lowerBound), abs(support.upperBound)) }

    /// The boundary of a planar law (the circle or ellipse) as `count` points, closed.
    public func boundary(count: Int = 256) -> [(x: Double, y: Double)] {
        let (a, b): (Double, Double)
        var c = 0.0
        switch self {
        case .circular(let r): (a, b) = (r, r)
        case .elliptic(let t, let g): (a, b) = (g * (1 + t), g * (1 - t))
        case .radial(let l): (a, b, c) = (l.scale * l.outerRadius, l.scale * l.outerRadius, l.center)
        default: return []
        }
        return (0...count).map { k in
            let th = 2 * Double.pi * Double(k) / Double(count)
            return (c + a * cos(th), b * sin(th))
        }
    }

    // MARK: tolerances

    /// The KS distance expected at matrix order n from finite-size effects alone. Planar laws
    /// have an edge layer of width ~1/√n: for Ginibre a mass 1/√(2πn) lies outside the disc
    /// (Kostlan's theorem, edge profile erfc); for an ellipse with semi-axes a, b and perimeter P
    /// the same argument gives P / (2π√2 · √(π a b n)), which is 1/√(2πn) for the unit circle.
    /// 1-D laws move only O(n^(-2/3)) at the edges: 1/n is taken.
    public func finiteSizeBias(order n: Int) -> Double {
        let m = Double(max(n, 1))
        let (a, b): (Double, Double)
        switch self {
        case .circular, .radial, .deformed: (a, b) = (1, 1)
        case .elliptic(let t, _): (a, b) = (1 + t, 1 - t)
        case .semicircle, .marchenkoPastur: return 1 / m
        }
        let h = ((a - b) * (a - b)) / ((a + b) * (a + b))
        let perimeter = Double.pi * (a + b) * (1 + 3 * h / (10 + (4 - 3 * h).squareRoot()))  // Ramanujan
        return perimeter / (2 * Double.pi * 2.0.squareRoot() * (Double.pi * a * b * m).squareRoot())
    }

    /// A threshold for the KS distance of `count` eigenvalues of order-n matrices: the
    /// finite-size bias plus 1.63/√count, the 1% critical value of the KS test for `count`
    /// independent values. Eigenvalues repel, so their empirical CDF fluctuates less than an
    /// independent sample's: the threshold is generous, yet a wrong g, γ or τ exceeds it.
    public func ksTolerance(order n: Int, count: Int) -> Double {
        finiteSizeBias(order: n) + 1.63 / Double(max(count, 1)).squareRoot()
    }

    // MARK: Marchenko–Pastur

    var mpEdges: ClosedRange<Double> {
        guard case .marchenkoPastur(let g) = self else { return 0...0 }
        let s = g.squareRoot()
        return (1 - s) * (1 - s)...(1 + s) * (1 + s)
    }

    /// ∫ from a to x of the continuous density. With x = a + (b−a)(1−cos θ)/2 the integrand
    /// becomes ((b−a)/2)² sin²θ / (2πγ x(θ)), smooth on [0, π] (also for γ = 1, where a = 0),
    /// which 48-point Gauss–Legendre integrates to rounding.
    func mpContinuousCDF(_ x: Double) -> Double {
        guard case .marchenkoPastur(let g) = self else { return 0 }
        let (a, b) = (mpEdges.lowerBound, mpEdges.upperBound)
        if x <= a { return 0 }
        let total = min(1, 1 / g)
        if x >= b { return total }
        let theta = acos(max(-1, min(1, 1 - 2 * (x - a) / (b - a))))
        let h = (b - a) / 2
        var sum = 0.0
        for (node, weight) in GaussLegendre.rule48 {
            let th = theta * (node + 1) / 2
            let s = sin(th)
            let xt = a + h * (1 - cos(th))
            sum += weight * h * h * s * s / (2 * Double.pi * g * xt)
        }
        return min(total, sum * theta / 2)
    }
}

/// Gauss–Legendre nodes and weights on [-1, 1], by Newton's method on P_n.
enum GaussLegendre {
    static let rule48: [(Double, Double)] = rule(48)

    static func rule(_ n: Int) -> [(Double, Double)] {
        (0..<n).map { i in
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var dp = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                for k in 2...n {
                    let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
                    p0 = p1
                    p1 = p2
                }
                dp = Double(n) * (x * p1 - p0) / (x * x - 1)
                let dx = p1 / dp
                x -= dx
                if abs(dx) < 1e-15 { break }
            }
            return (x, 2 / ((1 - x * x) * dp * dp))
        }
    }
}

/// "1", "0.5", "1.25e-05": a number as short as it reads.
package func fmt(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
    return String(format: "%.6g", v)
}
