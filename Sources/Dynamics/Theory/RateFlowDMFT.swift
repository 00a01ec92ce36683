import Compute
import OpenCLRuntime
import CBLAS
import Foundation

/// The dynamical mean-field theory of the rate network's flow dh/dt = −h + J φ(h) (docs/theory.md
/// T2–T5; Sompolinsky, Crisanti and Sommers 1988).
///
/// Δ(τ) = ⟨h(t) h(t+τ)⟩ obeys d²Δ/dτ² = Δ − g² C_φ(Δ; Δ0), the motion of a particle in the
/// potential V(Δ) = −Δ²/2 + g² C_Φ(Δ; Δ0), Φ = ln cosh. The chaotic solution starts at rest at
/// Δ0 and creeps to 0; energy conservation fixes Δ0 by
/// Δ0²/2 = g² (E[Φ(√Δ0 z)²] − E[Φ(√Δ0 z)]²). The largest Lyapunov exponent is
/// λ_max = −1 + √(1 − E0), E0 the ground-state energy of −d²/dτ² + 1 − g² C_φ'(Δ(τ); Δ0) on the
/// whole line. For g ≤ 1, Δ = 0 and λ_max = g − 1.
///
/// Numerics: C_φ, C_φ' and C_φ'' (C_f' = ∂C_f/∂Δ by Price's theorem) on 257 points of [0, Δ0]
/// by nested Gauss–Hermite quadrature, cubic Hermite interpolation between them; the particle
/// integrated with RK4 until Δ reaches 10⁻³ Δ0 (or, Δ0 being exact only to rounding, turns or
/// crosses 0), then the exact linear tail Δ ∝ e^{−κτ}, κ = √(1 − g² E[φ'(√Δ0 z)]²); the
/// operator by second differences on a symmetric grid (LAPACK dstebz for its two lowest
/// eigenvalues), at two spacings, Richardson-extrapolated. Δ'(τ) solves the operator with
/// eigenvalue 0 and one node, so the second eigenvalue E1 must come out ≈ 0: a built-in check.
public struct RateFlowDMFT: Codable, Sendable, Equatable {
    public var g: Double
    /// Δ0 = ⟨h²⟩, the variance of a unit's input.
    public var delta0: Double
    public var lambdaMax: Double
    /// E0, the ground-state energy of the Schrödinger operator.
    public var groundStateEnergy: Double
    /// E1, the second eigenvalue: 0 in exact arithmetic (see above).
    public var firstExcitedEnergy: Double
    /// κ: Δ(τ) ∝ e^{−κτ} at large τ.
    public var decayRate: Double
    /// The mean exponent (1/N) Σ λ_i = Tr(A)/N = −1 for J_ii = 0 (and → −1 at large N otherwise).
    public var meanExponent: Double
    /// Δ(τ) on τ ≥ 0, thinned to about 200 points.
    public var tau: [Double]
    public var delta: [Double]

    /// The DMFT at gain g (> 0).
    public static func solve(g: Double) throws -> RateFlowDMFT { try solve(g: g, quadrature: 1, intervals: 256) }

    /// `quadrature` multiplies every Gauss–Hermite rule's size, `intervals` is the Δ table's size
    /// (the accuracy tests double both).
    package static func solve(g: Double, quadrature: Double, intervals: Int) throws -> RateFlowDMFT {
        guard g > 0, g.isFinite else { throw ComputeError.invalidArgument("DMFT: g must be positive, got \(g)") }
        if g <= 1 {
            return RateFlowDMFT(g: g, delta0: 0, lambdaMax: g - 1, groundStateEnergy: 1 - g * g,
                                firstExcitedEnergy: 1 - g * g, decayRate: (1 - g * g).squareRoot(), meanExponent: -1,
                                tau: [0], delta: [0])
        }
        // Far past the range the check below admits (g ≈ 19), Δ0 ~ g² overflows the rules' scales.
        if g > 100 { throw unreliable(g, "the quadrature cannot resolve Δ0 ≈ g² at that gain") }
        let cache = GaussHermiteCache(factor: quadrature)
        let d0 = delta0(g: g, cache: cache)
        let table = CovarianceTable(delta0: d0, intervals: intervals, cache: cache)
        let ePrime = cache.rule(scale: d0.squareRoot()).expectation { TanhFamily.at($0 * d0.squareRoot()).s }
        let kappa = max(1 - g * g * ePrime * ePrime, 0).squareRoot()
        // Rates that set the grid: the tail's κ, the particle's start, the well's depth.
        let accel0 = abs(d0 - g * g * table.c0(d0)) / d0
        let well = abs(1 - g * g * table.c1(d0))
        let rate = max(kappa, accel0.squareRoot(), well.squareRoot(), 1e-3)
        let h = min(0.1, 0.1 / rate)
        let coarse = try groundStates(g: g, table: table, kappa: kappa, step: h)
        let fine = try groundStates(g: g, table: table, kappa: kappa, step: h / 2)
        let e0 = (4 * fine.e0 - coarse.e0) / 3, e1 = (4 * fine.e1 - coarse.e1) / 3
        // The built-in check (E1 = 0 in exact theory): quadrature and grid errors break the
        // consistency of C_φ and C_φ' first. Past g ≈ 19 the rules (at most 3000 nodes) no
        // longer resolve φ on the scale √Δ0, E1 drifts from 0 and λ_max with it (1.10 at g = 30,
        // 0.35 at g = 50, 270 at g = 1000): refuse rather than answer wrong.
        let tolerance = 1e-4 * max(1, abs(e0))
        guard abs(e1) <= tolerance, e0.isFinite, e0 < 1 else {
            throw unreliable(g, String(format: "its check eigenvalue E1 = %.3g should be 0 (tolerance %.1g); the quadrature does not resolve Δ0 = %.4g",
                                       e1, tolerance, d0))
        }
        let stride = max(1, fine.delta.count / 200)
        let idx = Array(Swift.stride(from: 0, to: fine.delta.count, by: stride))
        return RateFlowDMFT(g: g, delta0: d0, lambdaMax: -1 + (1 - e0).squareRoot(), groundStateEnergy: e0,
                            firstExcitedEnergy: e1, decayRate: kappa, meanExponent: -1,
                            tau: idx.map { Double($0) * h / 2 }, delta: idx.map { fine.delta[$0] })
    }

    /// The refusal where the solver cannot answer reliably.
    static func unreliable(_ g: Double, _ why: String) -> ComputeError {
        .invalidArgument(String(format: "DMFT: no reliable answer at g = %g: %@. The rate-network DMFT answers for g up to about 19", g, why))
    }

    /// Δ0 from energy conservation: the root of g² Var[Φ(√Δ0 z)] − Δ0²/2 (divided by Δ0², which
    /// is (g² − 1)/2 > 0 at 0⁺ and → −1/2 at ∞), by bisection in log Δ0.
    static func delta0(g: Double, cache: GaussHermiteCache) -> Double {
        var hi = 1.0
        func r(_ x: Double, _ rule: GaussHermite) -> Double {
            let s = x.squareRoot()
            let m = rule.expectation { TanhFamily.logCosh(s * $0) }
            let v = rule.expectation { let d = TanhFamily.logCosh(s * $0) - m; return d * d }
            return (g * g * v - x * x / 2) / (x * x)
        }
        while r(hi, cache.rule(scale: hi.squareRoot())) > 0 { hi *= 2 }
        let rule = cache.rule(scale: hi.squareRoot())
        var lo = min(1e-3, hi / 2)
        while r(lo, rule) <= 0 && lo > 1e-200 { lo /= 10 }
        for _ in 0..<200 {
            let mid = lo.squareRoot() * hi.squareRoot()
            if r(mid, rule) > 0 { lo = mid } else { hi = mid }
            if hi / lo - 1 < 1e-15 { break }
        }
        return lo.squareRoot() * hi.squareRoot()
    }

    /// Δ on τ = 0, step, 2·step, … (half line) and the two lowest eigenvalues of the operator on
    /// the mirrored grid.
    static func groundStates(g: Double, table: CovarianceTable, kappa: Double, step h: Double) throws
        -> (e0: Double, e1: Double, delta: [Double])
    {
        let d0 = table.delta0
        func accel(_ d: Double) -> Double { d - g * g * table.c0(min(max(d, 0), d0)) }
        var delta = [d0]
        var (x, v) = (d0, 0.0)
        let limit = 10_000_000
        while delta.count < limit {
            let k1x = v, k1v = accel(x)
            let k2x = v + h / 2 * k1v, k2v = accel(x + h / 2 * k1x)
            let k3x = v + h / 2 * k2v, k3v = accel(x + h / 2 * k2x)
            let k4x = v + h * k3v, k4v = accel(x + h * k3x)
            let nx = x + h / 6 * (k1x + 2 * k2x + 2 * k3x + k4x)
            let nv = v + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
            if nx <= 1e-3 * d0 || nv >= 0 { break }
            (x, v) = (nx, nv)
            delta.append(x)
        }
        // The linear tail: Δ'' = κ²Δ near 0.
        let tailSteps = try Checked.integer(30 / max(kappa, 1e-4) / h, rounding: .up, "the DMFT's tail length (steps)")
        guard delta.count + tailSteps < limit else {
            throw ComputeError.invalidArgument("DMFT: g = \(g) is too close to 1 for the τ grid (κ = \(kappa))")
        }
        let last = delta[delta.count - 1]
        for s in 1...tailSteps { delta.append(last * Foundation.exp(-kappa * h * Double(s))) }
        // −ψ'' + W ψ on the symmetric grid: diagonal 2/h² + W, off-diagonal −1/h²; Dirichlet ends.
        let half = delta.map { 1 - g * g * table.c1(min(max($0, 0), d0)) }
        let w = half.reversed() + half.dropFirst()
        var d = w.map { $0 + 2 / (h * h) }
        var e = [Double](repeating: -1 / (h * h), count: d.count - 1)
        var found: Int32 = 0, nsplit: Int32 = 0
        var values = [Double](repeating: 0, count: d.count)
        var block = [Int32](repeating: 0, count: d.count), split = [Int32](repeating: 0, count: d.count)
        let info = LAPACKE_dstebz(Int8(UInt8(ascii: "I")), Int8(UInt8(ascii: "E")), Int32(d.count), 0, 0, 1, 2,
                                  2 * Double.leastNormalMagnitude, &d, &e, &found, &nsplit, &values, &block, &split)
        guard info == 0, found == 2 else {
            throw ComputeError.invalidArgument("DMFT: LAPACK dstebz failed (info \(info), \(found) eigenvalues)")
        }
        return (values[0], values[1], delta)
    }
}

/// tanh and its derivatives without cancellation: with e = exp(−2|u|), tanh u = sign(u)(1−e)/(1+e),
/// sech² u = 4e/(1+e)² (docs/README.md, notation: never 1 − tanh²), φ'' = −2 tanh sech².
package enum TanhFamily {
    @inline(__always)
    package static func at(_ u: Double) -> (t: Double, s: Double) {
        let e = Foundation.exp(-2 * Swift.abs(u))
        let t = (1 - e) / (1 + e)
        return (u < 0 ? -t : t, 4 * e / ((1 + e) * (1 + e)))
    }

    /// Φ(u) = ln cosh u = |u| + ln(1 + e^{−2|u|}) − ln 2.
    @inline(__always)
    package static func logCosh(_ u: Double) -> Double {
        Swift.abs(u) + Foundation.log1p(Foundation.exp(-2 * Swift.abs(u))) - M_LN2
    }
}

/// C_φ, C_φ' and C_φ'' at fixed Δ0 on equally spaced Δ in [0, Δ0] (256 intervals by default), with cubic Hermite
/// interpolation (C_φ' is the slope of C_φ, C_φ'' that of C_φ').
struct CovarianceTable: Sendable {
    let delta0: Double
    let values: [(c0: Double, c1: Double, c2: Double)]
    let intervals: Int

    init(delta0: Double, intervals m: Int, cache: GaussHermiteCache) {
        self.delta0 = delta0
        intervals = m
        let out = UnsafeMutableBufferPointer<(c0: Double, c1: Double, c2: Double)>.allocate(capacity: m + 1)
        defer { out.deallocate() }
        let slots = SendablePointer(out.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: m + 1) { j in
            slots.pointer[j] = Self.covariances(delta: delta0 * Double(j) / Double(m), delta0: delta0, cache: cache)
        }
        values = Array(out)
    }

    /// C_f(Δ; Δ0) = E_z[(E_x f(√(Δ0−Δ) x + √Δ z))²] for f = φ, φ', φ''. The inner average smooths f
    /// on the scale √(1 + Δ0 − Δ), which sizes the outer rule; the integrands are even in z, so the
    /// outer sum runs over z ≥ 0.
    static func covariances(delta d: Double, delta0 d0: Double, cache: GaussHermiteCache)
        -> (c0: Double, c1: Double, c2: Double)
    {
        let a = max(d0 - d, 0).squareRoot(), b = max(d, 0).squareRoot()
        let inner = a == 0 ? cache.rule(1) : cache.rule(scale: a)
        let outer = cache.rule(scale: b / (1 + a * a).squareRoot())
        let no = outer.count
        var s0 = 0.0, s1 = 0.0, s2 = 0.0
        for i in (no / 2)..<no {
            let wi = (no % 2 == 1 && i == no / 2) ? outer.weights[i] : 2 * outer.weights[i]
            if wi == 0 { continue }
            let y = b * outer.nodes[i]
            var g0 = 0.0, g1 = 0.0, g2 = 0.0
            inner.nodes.withUnsafeBufferPointer { xs in
                inner.weights.withUnsafeBufferPointer { ws in
                    for j in 0..<xs.count where ws[j] > 0 {
                        let (t, s) = TanhFamily.at(a * xs[j] + y)
                        g0 += ws[j] * t
                        g1 += ws[j] * s
                        g2 -= ws[j] * 2 * t * s
                    }
                }
            }
            s0 += wi * g0 * g0
            s1 += wi * g1 * g1
            s2 += wi * g2 * g2
        }
        return (s0, s1, s2)
    }

    /// Cubic Hermite interpolation of value `v` with slope `dv` at Δ.
    private func interpolate(_ d: Double, _ v: (Int) -> Double, _ dv: (Int) -> Double) -> Double {
        let m = intervals
        let step = delta0 / Double(m)
        let x = min(max(d / step, 0), Double(m))
        let j = min(Int(x), m - 1)
        let t = x - Double(j)
        let t2 = t * t, t3 = t2 * t
        return (2 * t3 - 3 * t2 + 1) * v(j) + (t3 - 2 * t2 + t) * step * dv(j)
            + (-2 * t3 + 3 * t2) * v(j + 1) + (t3 - t2) * step * dv(j + 1)
    }

    func c0(_ d: Double) -> Double { interpolate(d, { values[$0].c0 }, { values[$0].c1 }) }
    func c1(_ d: Double) -> Double { interpolate(d, { values[$0].c1 }, { values[$0].c2 }) }
}

/// A pointer that worker threads write at disjoint indices.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { pointer = p }
}
