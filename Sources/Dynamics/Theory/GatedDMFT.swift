import Compute
import OpenCLRuntime
import Foundation

/// Why the gated RNN's mean-field theory gave no number (docs/theory-gated.md, "Failure").
public enum GatedDMFTError: Error, CustomStringConvertible, Equatable {
    /// The self-consistent iteration (G4) did not settle: the parameters, the iterations spent and
    /// the last relative change of C_h.
    case notConverged(parameters: String, iterations: Int, residual: Double)
    /// The λ_max eigenproblem (G7) had no root in the bracket searched.
    case noLyapunovRoot(parameters: String, detail: String)
    /// Parameters outside the solver's validity (see the message).
    case unsupported(parameters: String, reason: String)

    public var description: String {
        switch self {
        case let .notConverged(p, n, r):
            return "gated DMFT did not converge at \(p): \(n) iterations, last relative change of C_h \(r)"
        case let .noLyapunovRoot(p, d): return "gated DMFT: no λ_max at \(p): \(d)"
        case let .unsupported(p, r): return "gated DMFT: \(r) (\(p))"
        }
    }
}

/// The static mean-field theory of the gated RNN's fixed points (docs/theory-gated.md, G1–G3).
/// A fixed point has h = J^h(σ_r(r) ⊙ φ(h)), r = J^r φ(h) (z does not enter: σ_z multiplies the
/// whole h velocity), so at large N h ~ N(0, Δ_h), r ~ N(0, Δ_r) independent, with
///   (G1) Δ_r = E[φ(√Δ_h x)²],  (G2) Δ_h = g_h² E[φ(√Δ_h x)²] E[σ_r(√Δ_r y)²] =: F(Δ_h).
/// Nonzero solutions of (G2) signal the proliferation of (unstable) fixed points; they appear at
/// g_h = 1/σ_r(0) continuously (a bifurcation from 0) or, for large β_r, at a smaller g_h by a
/// saddle-node (G3): F(Δ) = Δ, F'(Δ) = 1, the discontinuous case.
public struct GatedStaticMFT: Codable, Sendable, Equatable {
    public var gH: Double
    public var alphaR: Double
    public var betaR: Double
    /// The largest nonzero solution of (G2), nil if there is none.
    public var deltaH: Double?
    public var deltaR: Double?

    public static func solve(gH: Double, alphaR: Double, betaR: Double) -> GatedStaticMFT {
        let roots = nonzeroRoots(gH: gH, alphaR: alphaR, betaR: betaR)
        let d = roots.last
        return GatedStaticMFT(gH: gH, alphaR: alphaR, betaR: betaR, deltaH: d,
                              deltaR: d.map { phiSquare($0) })
    }

    /// E[φ(√Δ x)²].
    static func phiSquare(_ d: Double) -> Double {
        let s = d.squareRoot()
        return GaussHermite.centred(scale: s, cache: cache).expectation { let t = TanhFamily.at(s * $0).t; return t * t }
    }

    static let cache = GaussHermiteCache()

    /// F(Δ)/Δ − 1 of (G2).
    static func excess(_ d: Double, gH: Double, alphaR: Double, betaR: Double) -> Double {
        let p = phiSquare(d)
        let sr = p.squareRoot()
        let gate = GaussHermite.centred(scale: alphaR * sr, at: betaR, cache: cache).expectation {
            let s = GateFunction.sigma(alphaR * sr * $0 - betaR); return s * s
        }
        return gH * gH * p * gate / d - 1
    }

    /// Sign changes of (G2)'s excess on a log grid of Δ in [1e-8, 1e4] refined by bisection.
    static func nonzeroRoots(gH: Double, alphaR: Double, betaR: Double) -> [Double] {
        let grid = (0...240).map { Foundation.pow(10, -8 + 12 * Double($0) / 240) }
        let f = grid.map { excess($0, gH: gH, alphaR: alphaR, betaR: betaR) }
        var roots: [Double] = []
        for i in 1..<grid.count where (f[i - 1] > 0) != (f[i] > 0) {
            var (lo, hi, flo) = (grid[i - 1], grid[i], f[i - 1])
            for _ in 0..<60 {
                let mid = lo.squareRoot() * hi.squareRoot()
                let fm = excess(mid, gH: gH, alphaR: alphaR, betaR: betaR)
                if (fm > 0) == (flo > 0) { (lo, flo) = (mid, fm) } else { hi = mid }
            }
            roots.append(lo.squareRoot() * hi.squareRoot())
        }
        return roots
    }

    /// The smallest g_h at which (G2) has a nonzero solution (the fixed-point proliferation
    /// boundary): min over Δ of Δ / (E[φ²] E[σ_r²]), square-rooted; compared with 1/σ_r(0),
    /// it is smaller exactly when the transition is discontinuous.
    public static func proliferationGain(alphaR: Double, betaR: Double) -> (gain: Double, delta: Double) {
        var best = (gain: 1 + Foundation.exp(betaR), delta: 0.0)
        var (lo, hi) = (-8.0, 4.0)
        for pass in 0..<3 {
            let m = 120
            var at = best
            for k in 0...m {
                let d = Foundation.pow(10, lo + (hi - lo) * Double(k) / Double(m))
                // excess = g² q(Δ) − 1 with q = E[φ²]E[σ_r²]/Δ: the gain that makes it vanish
                let q = (excess(d, gH: 1, alphaR: alphaR, betaR: betaR) + 1)
                let g = (1 / q).squareRoot()
                if g < at.gain { at = (g, d) }
            }
            best = at
            if best.delta == 0 { break }
            let c = Foundation.log10(best.delta), w = (hi - lo) / Double(m) * 2
            (lo, hi) = (c - w, c + w)
            _ = pass
        }
        return best
    }
}

/// σ(x) = 1/(1 + e^{−x}) and its derivative without overflow.
enum GateFunction {
    @inline(__always) static func sigma(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : { let e = Foundation.exp(x); return e / (1 + e) }()
    }
    /// σ(x)(1 − σ(x)).
    @inline(__always) static func slope(_ x: Double) -> Double {
        let e = Foundation.exp(-Swift.abs(x))
        return e / ((1 + e) * (1 + e))
    }
}

/// The dynamical mean-field theory of the gated RNN's chaotic state with an active output gate
/// and a constant update gate (docs/theory-gated.md, G4–G7).
///
/// With α_z = 0 the update gate is the constant s = σ_z(0) = 1/(1 + e^{β_z}); a unit's h is then
/// driven by a Gaussian field η_h (from J^h) and its r by an independent Gaussian field (from
/// J^r), so h and r are independent stationary Gaussian processes with correlations
///   (G4) (1 − τ_r² ∂_τ²) C_r = C_φ(C_h),  (1 − τ_z² ∂_τ²) C_z = C_φ(C_h),
///        (1 − s⁻² ∂_τ²) C_h = g_h² C_{σ_r}(C_r) C_φ(C_h),
/// C_f(C) the two-time average of f over the Gaussian pair with variance C(0) and lag
/// covariance C(τ). (G4) is solved by damped iteration of its integral form (G5): each
/// (a² − ∂²)⁻¹ is the convolution with e^{−a|τ|}/(2a), on a symmetric τ grid.
/// λ_max is the growth rate of the tangent covariance D(t, t') = e^{λ(t+t')} d(τ), ρ likewise for
/// δr (G6):
///   ((s + λ)² − ∂²) d = s² g_h² [C_{σ_r} C_φ' d + C_{σ_r'} C_φ ρ],
///   ((1/τ_r + λ)² − ∂²) ρ = C_φ' d / τ_r²,
/// and (G7) λ_max is the λ at which that linear operator's Perron eigenvalue is 1 (bisection on λ,
/// power iteration for the eigenvalue). With α_r = 0, s = 1 this is Sompolinsky–Crisanti–Sommers'
/// λ_max = −1 + √(1 − E0) (RateFlowDMFT); at the zero fixed point it is s(g_h σ_r(0) − 1).
public struct GatedDMFT: Codable, Sendable, Equatable {
    /// The parameters solved for (GatedRNNOptions' gains, gate slopes and biases, time constants).
    public var gH, alphaZ, betaZ, alphaR, betaR, tauZ, tauR: Double
    /// s = σ_z(0), the constant update gate.
    public var timeScale: Double
    /// "chaotic" (a nonzero solution of G4), "zero" (the iteration went to C_h = 0: no chaotic
    /// state reachable from the start, λ_max is the zero fixed point's).
    public var state: String
    public var lambdaMax: Double
    /// C_h(0), C_r(0), C_z(0).
    public var deltaH: Double
    public var deltaR: Double
    public var deltaZ: Double
    public var iterations: Int
    /// The last relative change of C_h (below `tolerance` when converged).
    public var residual: Double
    public var tolerance: Double
    /// The correlations on τ ≥ 0, thinned to about 200 points.
    public var tau: [Double]
    public var ch: [Double]
    public var cr: [Double]
    public var cz: [Double]

    var parameters: String {
        "g_h = \(gH), α_z = \(alphaZ), β_z = \(betaZ), α_r = \(alphaR), β_r = \(betaR), τ_z = \(tauZ), τ_r = \(tauR)"
    }

    /// `progress` gets a line every `progressInterval` seconds of iterating (iteration, C_h(0),
    /// relative change).
    public static func solve(_ o: GatedRNNOptions, step: Double = 0.05, tolerance: Double = 1e-9,
                             maxIterations: Int = 3000, progressInterval: Double = 2,
                             progress: (String) -> Void = { _ in }) throws -> GatedDMFT {
        var p = GatedDMFT(gH: o.gH, alphaZ: o.alphaZ, betaZ: o.betaZ, alphaR: o.alphaR, betaR: o.betaR, tauZ: o.tauZ,
                          tauR: o.tauR, timeScale: o.sigmaZ0, state: "zero", lambdaMax: 0, deltaH: 0, deltaR: 0,
                          deltaZ: 0, iterations: 0, residual: 0, tolerance: tolerance, tau: [], ch: [], cr: [], cz: [])
        guard o.alphaZ == 0 else {
            throw GatedDMFTError.unsupported(
                parameters: p.parameters,
                reason: "an active update gate (α_z ≠ 0) makes h non-Gaussian; this solver treats α_z = 0 (constant σ_z) only")
        }
        guard o.gH > 0, o.gH.isFinite, o.tauR > 0, o.tauZ > 0 else {
            throw GatedDMFTError.unsupported(parameters: p.parameters, reason: "g_h, τ_z and τ_r must be positive")
        }
        let s = o.sigmaZ0, sr0 = o.sigmaR0
        let zeroLambda = s * (o.gH * sr0 - 1)
        // τ grid: resolves the fastest rate (s, 1/τ_r), long enough for the slowest tails.
        let h = step * min(1 / s, o.tauR, o.tauZ)
        let length = 80 / s + 30 * max(o.tauR, o.tauZ)
        let half = min(try Checked.integer(min(length / h, 1e9), rounding: .up, "the gated DMFT's τ grid (points)"), 20_000)
        let grid = ConvolutionGrid(half: half, step: h)
        let cache = GaussHermiteCache()
        // Start well above the fixed point's variance: C_h = A sech(sτ/2), with A within what
        // the quadrature resolves (√A ≲ 6.3; docs/theory.md T1).
        let a0 = min(max(2.0, o.gH * o.gH), 40)
        var ch = (0..<grid.count).map { a0 / Foundation.cosh(s * grid.tau($0) / 2) }
        var cr = [Double](repeating: 0, count: grid.count), cz = cr
        var tables: (h: CovarianceTable, r: GatePairTable)?
        var residual = Double.infinity
        var it = 0
        var lastReport = Date()
        while it < maxIterations {
            it += 1
            let d0 = ch[half]
            if it > 1, Date().timeIntervalSince(lastReport) >= progressInterval {
                lastReport = Date()
                progress(String(format: "gated DMFT iteration %d of at most %d: C_h(0) = %.6g, relative change %.3g (tolerance %.1g)",
                                it, maxIterations, d0, residual, tolerance))
            }
            if d0 < 1e-12 { break }
            // Tables whose rules would be under-resolved (docs/theory.md T1) are refused before they
            // are built: C_h's have scale ≤ √C_h(0), the gate's α_r √C_r(0).
            func refuseUnresolved(_ scale: Double) -> GatedDMFTError {
                .unsupported(parameters: p.parameters, reason: String(
                    format: "the iteration reached C_h(0) = %.4g, C_r(0) = %.4g, where the averages need Gauss–Hermite rules "
                        + "of scale %.3g, beyond the 3000-node rules' resolution (scale ≲ 7); no λ_max", d0, cr[half], scale))
            }
            guard cache.resolves(scale: d0.squareRoot()) else { throw refuseUnresolved(d0.squareRoot()) }
            let th = CovarianceTable(delta0: d0, intervals: 128, cache: cache)
            let cphi = ch.map { th.c0(min(max($0, 0), d0)) }
            cr = grid.smooth(cphi, rate: 1 / o.tauR)
            cz = grid.smooth(cphi, rate: 1 / o.tauZ)
            let gateScale = o.alphaR * max(cr[half], 0).squareRoot()
            if let scale = cache.largestUnresolvedScale ?? (cache.resolves(scale: gateScale) ? nil : gateScale) {
                throw refuseUnresolved(scale)
            }
            let tr = GatePairTable(variance: cr[half], alpha: o.alphaR, beta: o.betaR, intervals: 64, cache: cache)
            let drive = (0..<grid.count).map { o.gH * o.gH * tr.values(cr[$0]).sigma * cphi[$0] }
            let next = grid.smooth(drive, rate: s)
            var change = 0.0
            for i in 0..<grid.count { change = max(change, Swift.abs(next[i] - ch[i])) }
            residual = change / max(d0, 1e-300)
            let damping = 0.5
            for i in 0..<grid.count { ch[i] = damping * next[i] + (1 - damping) * ch[i] }
            tables = (th, tr)
            if residual < tolerance { break }
        }
        p.iterations = it
        p.residual = residual
        if ch[half] < 1e-10 || tables == nil {
            // The iteration fell to the trivial solution C_h = 0.
            guard zeroLambda <= 1e-12 else {
                throw GatedDMFTError.notConverged(parameters: p.parameters + " (iteration fell to C_h = 0 while the zero fixed point is unstable)",
                                                  iterations: it, residual: residual)
            }
            p.state = "zero"
            p.lambdaMax = zeroLambda
            p.residual = 0
            return p
        }
        guard residual < tolerance, residual.isFinite else {
            throw GatedDMFTError.notConverged(parameters: p.parameters, iterations: it, residual: residual)
        }
        let (th, tr) = tables!
        let d0 = ch[half]
        let cphi = ch.map { th.c0(min(max($0, 0), d0)) }
        let cdphi = ch.map { th.c1(min(max($0, 0), d0)) }
        let gates = cr.map { tr.values($0) }
        p.state = "chaotic"
        (p.deltaH, p.deltaR, p.deltaZ) = (d0, cr[half], cz[half])
        p.lambdaMax = try lyapunov(grid: grid, s: s, gH: o.gH, tauR: o.tauR, cphi: cphi, cdphi: cdphi,
                                   csig: gates.map(\.sigma), cslope: gates.map(\.slope), parameters: p.parameters)
        let stride = max(1, half / 200)
        let idx = Array(Swift.stride(from: half, to: grid.count, by: stride))
        p.tau = idx.map { grid.tau($0) }
        p.ch = idx.map { ch[$0] }
        p.cr = idx.map { cr[$0] }
        p.cz = idx.map { cz[$0] }
        return p
    }

    /// (G7): the root in λ of μ(λ) = 1, μ the Perron eigenvalue of the operator of (G6).
    static func lyapunov(grid: ConvolutionGrid, s: Double, gH: Double, tauR: Double, cphi: [Double], cdphi: [Double],
                         csig: [Double], cslope: [Double], parameters: String) throws -> Double {
        let n = grid.count
        var d = cdphi
        func mu(_ lambda: Double) -> Double {
            let (b, c) = (s + lambda, 1 / tauR + lambda)
            var value = 0.0
            for _ in 0..<400 {
                let u = (0..<n).map { cdphi[$0] * d[$0] / (tauR * tauR) }
                let rho = grid.smooth(u, rate: c).map { $0 / (c * c) }
                let f = (0..<n).map { s * s * gH * gH * (csig[$0] * cdphi[$0] * d[$0] + cslope[$0] * cphi[$0] * rho[$0]) }
                let next = grid.smooth(f, rate: b).map { $0 / (b * b) }
                let norm = next.reduce(0) { max($0, Swift.abs($1)) }
                let old = d.reduce(0) { max($0, Swift.abs($1)) }
                let v = norm / old
                d = next.map { $0 / norm }
                if Swift.abs(v - value) < 1e-12 * v { value = v; break }
                value = v
            }
            return value
        }
        let floor = -min(s, 1 / tauR)
        var lo = floor * (1 - 1e-6)
        var hi = 0.0
        var tries = 0
        while mu(hi) > 1 {
            lo = hi
            hi = hi == 0 ? s : 2 * hi
            tries += 1
            if tries > 40 { throw GatedDMFTError.noLyapunovRoot(parameters: parameters, detail: "μ(λ) > 1 up to λ = \(hi)") }
        }
        guard mu(lo) > 1 else {
            throw GatedDMFTError.noLyapunovRoot(parameters: parameters, detail: "μ(λ) < 1 down to λ = \(lo)")
        }
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if mu(mid) > 1 { lo = mid } else { hi = mid }
            if hi - lo < 1e-9 { break }
        }
        return (lo + hi) / 2
    }
}

/// A symmetric τ grid τ_i = (i − half)·step and the exact convolution of piecewise-linear
/// functions with K_a(τ) = (a/2) e^{−a|τ|}, the solution operator of (1 − a⁻² ∂²) (G5):
/// a forward and a backward exponential filter, O(n).
struct ConvolutionGrid: Sendable {
    let half: Int
    let step: Double
    var count: Int { 2 * half + 1 }
    func tau(_ i: Int) -> Double { Double(i - half) * step }

    func smooth(_ f: [Double], rate a: Double) -> [Double] {
        let n = f.count, h = step
        let e = Foundation.exp(-a * h)
        // ∫_0^h e^{−a(h−u)} (f0 (1 − u/h) + f1 u/h) du = w0 f0 + w1 f1
        let w1 = 1 / a - (1 - e) / (a * a * h), w0 = (1 - e) / a - w1
        var fwd = [Double](repeating: 0, count: n), bwd = fwd
        for i in 1..<n { fwd[i] = e * fwd[i - 1] + w0 * f[i - 1] + w1 * f[i] }
        for i in Swift.stride(from: n - 2, through: 0, by: -1) { bwd[i] = e * bwd[i + 1] + w0 * f[i + 1] + w1 * f[i] }
        return (0..<n).map { a / 2 * (fwd[$0] + bwd[$0]) }
    }
}

/// C_σ(c) = E[σ(x1)σ(x2)] and C_σ'(c) = E[σ'(x1)σ'(x2)] for the gate σ(x) = 1/(1 + e^{−αx + β})
/// over the Gaussian pair of variance v and covariance c ∈ [0, v], on equally spaced c, linear
/// interpolation (σ' = α σ(1 − σ)).
struct GatePairTable: Sendable {
    let variance: Double
    let table: [(sigma: Double, slope: Double)]

    init(variance v: Double, alpha: Double, beta: Double, intervals m: Int, cache: GaussHermiteCache) {
        variance = v
        table = (0...m).map { j in
            let c = v * Double(j) / Double(m)
            let a = max(v - c, 0).squareRoot(), b = max(c, 0).squareRoot()
            let inner = cache.rule(scale: alpha * a), outer = cache.rule(scale: alpha * b)
            var s0 = 0.0, s1 = 0.0
            for i in 0..<outer.count where outer.weights[i] > 0 {
                let y = b * outer.nodes[i]
                var g0 = 0.0, g1 = 0.0
                for k in 0..<inner.count where inner.weights[k] > 0 {
                    let x = alpha * (a * inner.nodes[k] + y) - beta
                    g0 += inner.weights[k] * GateFunction.sigma(x)
                    g1 += inner.weights[k] * alpha * GateFunction.slope(x)
                }
                s0 += outer.weights[i] * g0 * g0
                s1 += outer.weights[i] * g1 * g1
            }
            return (s0, s1)
        }
    }

    func values(_ c: Double) -> (sigma: Double, slope: Double) {
        let m = table.count - 1
        guard variance > 0 else { return table[m] }
        let x = min(max(c / variance, 0), 1) * Double(m)
        let j = min(Int(x), m - 1)
        let t = x - Double(j)
        return ((1 - t) * table[j].sigma + t * table[j + 1].sigma, (1 - t) * table[j].slope + t * table[j + 1].slope)
    }
}
