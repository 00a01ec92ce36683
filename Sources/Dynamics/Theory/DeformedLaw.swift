import Foundation

/// The eigenvalue law of the random GRU's and LSTM's one-step Jacobians along trajectories
/// (docs/theory-gru-lstm.md GL5–GL10), from per-unit samples of the mean-field theory.
///
/// Both reduce to the log-determinant of B(λ) + A(λ)^{1/2} X: B diagonal, A a diagonal variance
/// profile, X with independent entries of variance 1/N, independent of the diagonals (GL7):
/// - GRU, ∂h'/∂h = diag(z) + (row-scaled Gaussians): b_i = z_i − λ, A_i = g² a_i²;
/// - LSTM, det(J − λ) = det((F − λ)(P − λ) − λEK) (GL6): b_i = λ(λ − f_i),
///   A_i = g²(|λ − f_i|² p_i² + |λ|² e_i² k_i²).
/// Then (1/N) ln|det(J − λ)| → L(λ) = ½⟨ln(|b|² + γA)⟩ − γ/2 with γ ≥ 0 the root of
/// ⟨A/(|b|² + γA)⟩ = 1 (γ = 0 where ⟨A/|b|²⟩ ≤ 1: outside the support), (GL8). The mass inside
/// the circle |λ − c| = r is (1/(π i m)) ∮ ∂_λ L dλ (GL9, the argument principle; m = 1 for the GRU,
/// 2 for the LSTM's 2N eigenvalues), with ∂_λ L = ½⟨(∂_λ|b|² + γ ∂_λ A)/(|b|² + γA)⟩ at fixed γ
/// (L is stationary in γ). The KS statistic is |λ − c|, c = ⟨z⟩ for the GRU and 0 for the LSTM.
public struct DeformedLaw: Sendable, Equatable {
    public enum Form: String, Codable, Sendable { case gru, lstm }
    public let form: Form
    public let gain: Double
    public let center: Double
    /// A radius about `center` beyond which there is no eigenvalue.
    public let outerRadius: Double
    public let source: String
    let diagonal: [Double], gainSquared: [Double], couplingSquared: [Double]
    private(set) var radii: [Double], mass: [Double]

    /// At most 400 units of `units` (evenly strided) define the law.
    public init(form: Form, gain g: Double, units: GatedMapMeanField.Units, source: String, radii count: Int = 120) {
        let n = units.diagonal.count
        precondition(n > 0 && units.gainSquared.count == n && (form == .gru || units.couplingSquared.count == n),
                     "deformed law: unit samples must match and be non-empty")
        let idx = (0..<min(n, 400)).map { $0 * n / min(n, 400) }
        (self.form, gain, self.source) = (form, g, source)
        diagonal = idx.map { units.diagonal[$0] }
        gainSquared = idx.map { g * g * units.gainSquared[$0] }
        couplingSquared = form == .lstm ? idx.map { g * g * units.couplingSquared[$0] } : []
        let c = form == .gru ? diagonal.reduce(0, +) / Double(diagonal.count) : 0
        center = c
        // Beyond max|d − c| + √⟨A-scale⟩ every term of ⟨A/|b|²⟩ is below its share of 1 (GL10).
        let spread = diagonal.map { Swift.abs($0 - c) }.max() ?? 0
        let meanA = (gainSquared.reduce(0, +) + couplingSquared.reduce(0, +)) / Double(diagonal.count)
        outerRadius = (spread + meanA.squareRoot()) * 1.001 + 1e-12
        var rs: [Double] = [], ms: [Double] = []
        (radii, mass) = ([], [])
        for k in 0...count {
            let r = outerRadius * Double(k) / Double(count)
            rs.append(r)
            ms.append(k == count ? 1 : min(1, max(ms.last ?? 0, insideFraction(r))))
        }
        (radii, mass) = (rs, ms)
    }

    /// ⟨A/|b|²⟩ at λ: the support is where it is ≥ 1.
    public func strength(re x: Double, im y: Double) -> Double {
        var s = 0.0
        for i in diagonal.indices {
            let (b2, a, _, _) = terms(i, x, y)
            s += a / b2
        }
        return s / Double(diagonal.count)
    }

    public func contains(re: Double, im: Double) -> Bool { strength(re: re, im: im) >= 1 }

    /// |b_i|², A_i and their ∂_λ (complex: re, im) at λ = x + iy.
    @inline(__always)
    func terms(_ i: Int, _ x: Double, _ y: Double) -> (b2: Double, a: Double, db: (Double, Double), da: (Double, Double)) {
        let d = diagonal[i]
        switch form {
        case .gru:
            // b = d − λ: ∂_λ|b|² = λ̄ − d; A constant.
            let (u, v) = (d - x, -y)
            return (u * u + v * v, gainSquared[i], (x - d, -y), (0, 0))
        case .lstm:
            // b = λ(λ − f), b' = 2λ − f: ∂_λ|b|² = b' b̄; A = |λ − f|² P + |λ|² K: ∂_λA = (λ̄ − f) P + λ̄ K.
            let (p, k) = (gainSquared[i], couplingSquared[i])
            let (lx, ly) = (x - d, y)
            let (bx, by) = (x * lx - y * ly, x * ly + y * lx)
            let (dx, dy) = (2 * x - d, 2 * y)
            let l2 = lx * lx + ly * ly, z2 = x * x + y * y
            return (bx * bx + by * by, l2 * p + z2 * k, (dx * bx + dy * by, dy * bx - dx * by),
                    (lx * p + x * k, -(ly * p + y * k)))
        }
    }

    /// γ(λ) of GL8: S(γ) = ⟨A/(|b|²+γA)⟩ − 1 is convex and decreasing, with S(1) ≤ 0 (each term is
    /// below 1/γ), so the root lies in [0, 1]: Newton's method from below, kept in the bracket.
    func gamma(_ x: Double, _ y: Double) -> Double {
        let n = Double(diagonal.count)
        func value(_ g: Double) -> (s: Double, ds: Double) {
            var s = 0.0, ds = 0.0
            for i in diagonal.indices {
                let (b2, a, _, _) = terms(i, x, y)
                let w = a / (b2 + g * a)
                s += w
                ds += w * w
            }
            return (s / n - 1, ds / n)
        }
        var (lo, hi) = (0.0, 1.0)
        var g = 0.0
        for _ in 0..<200 {
            let (s, ds) = value(g)
            if g == 0 && s <= 0 { return 0 }
            if Swift.abs(s) <= 1e-13 { return g }
            if s > 0 { lo = g } else { hi = g }
            var next = g + s / ds
            if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
            if hi - lo <= 1e-15 * max(hi, 1e-300) { return g }
            g = next
        }
        return g
    }

    /// ∂_λ L at λ (GL9).
    func potentialGradient(_ x: Double, _ y: Double) -> (re: Double, im: Double) {
        let g = gamma(x, y)
        var sr = 0.0, si = 0.0
        for i in diagonal.indices {
            let (b2, a, db, da) = terms(i, x, y)
            let w = 1 / (b2 + g * a)
            sr += (db.0 + g * da.0) * w
            si += (db.1 + g * da.1) * w
        }
        let n = 2 * Double(diagonal.count)
        return (sr / n, si / n)
    }

    /// The fraction of eigenvalues with |λ − c| ≤ r: (r/(π m)) ∫₀^{2π} Re[∂_λL(c + re^{iθ}) e^{iθ}] dθ,
    /// the integrand even in θ (the law is symmetric under conjugation), so twice the integral over
    /// [0, π]. Units with a small row gain put nearly point-like mass on the real axis, where the
    /// integrand peaks sharply: θ = π(u − sin(2πu)/(2π)) clusters the nodes at θ = 0 and π
    /// (trapezoidal rule in u, `nodes` intervals).
    func insideFraction(_ r: Double, about c: Double? = nil, nodes m: Int = 160) -> Double {
        if r <= 0 { return 0 }
        let center = c ?? self.center
        var sum = 0.0
        for k in 1..<m {
            let u = Double(k) / Double(m)
            let th = Double.pi * (u - Foundation.sin(2 * Double.pi * u) / (2 * Double.pi))
            let jacobian = Double.pi * (1 - Foundation.cos(2 * Double.pi * u))
            let (cs, sn) = (Foundation.cos(th), Foundation.sin(th))
            let gr = potentialGradient(center + r * cs, r * sn)
            sum += jacobian * (gr.re * cs - gr.im * sn)
        }
        let integral = 2 * sum / Double(m)
        return r * integral / (Double.pi * (form == .gru ? 1 : 2))
    }

    /// The fraction of eigenvalues within `r` of `point` (real): slow modes are those near 1.
    public func mass(within r: Double, of point: Double) -> Double { min(1, max(0, insideFraction(r, about: point))) }

    /// P(|λ − c| ≤ r), interpolated on the table.
    public func cdf(_ r: Double) -> Double {
        if r <= 0 { return 0 }
        if r >= outerRadius { return 1 }
        let x = r / outerRadius * Double(radii.count - 1)
        let j = min(Int(x), radii.count - 2)
        let t = x - Double(j)
        return (1 - t) * mass[j] + t * mass[j + 1]
    }

    public static func == (a: DeformedLaw, b: DeformedLaw) -> Bool {
        a.form == b.form && a.gain == b.gain && a.center == b.center && a.source == b.source
            && a.diagonal == b.diagonal && a.gainSquared == b.gainSquared && a.couplingSquared == b.couplingSquared
    }
}
