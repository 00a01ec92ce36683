import Compute
import Foundation

/// The learning onset of the discrete IB: the smallest β at which the optimal encoder carries
/// information, I(T;X) > 0 (docs/information-bottleneck.md B10, B11).
///
/// Theory gives two candidates. Perturbing the trivial encoder, p(t|x) = p(t)(1 + δ h_t(x)),
/// I(T;X) ≈ ½δ² Σ_t p(t) E[h_t(X)²] and I(T;Y) ≈ ½δ² Σ_t p(t) E[E[h_t(X)|Y]²]; the ratio is at
/// most ρ², ρ the second singular value of B = p(x,y)/√(p(x)p(y)) (the maximal correlation; the
/// first is 1, for the constant h). So the trivial encoder stops being a local minimum of
/// I(T;X) − β I(T;Y) at β = 1/ρ². The global onset is 1/η_KL, with the strong data-processing
/// constant η_KL = sup_q D(qW‖pW)/D(q‖p) ≥ ρ² (W = p(y|x), p = p(x)): the slope of the IB curve
/// at the origin. Where η_KL > ρ², the onset is a jump at 1/η_KL, before the local instability.
public struct IBOnset: Sendable, Codable {
    /// The smallest grid β with I(T;X) > threshold (nil: none), and the grid β before it.
    public var fromSolutions: Double?
    public var previousBeta: Double?
    public var threshold: Double
    /// ρ and 1/ρ².
    public var rho: Double
    public var betaRho: Double
    /// η_KL, 1/η_KL, the maximising q and whether the supremum is the local limit q → p (ρ²).
    public var etaKL: Double
    public var betaEta: Double
    public var etaMaximizer: [Double]
    public var etaIsLocalLimit: Bool
    /// Which theory values lie in the grid bracket (previousBeta, fromSolutions]:
    /// "both", "1/rho^2", "1/eta_KL" or "neither".
    public var matches: String

    public static func estimate(_ p: DiscreteIBProblem, points: [DiscreteIBPoint], threshold: Double,
                                seed: UInt64 = 0) throws -> IBOnset {
        let sorted = points.sorted { $0.beta < $1.beta }
        let idx = sorted.firstIndex { $0.iTX > threshold }
        let onset = idx.map { sorted[$0].beta }
        let prev = idx.flatMap { $0 > 0 ? sorted[$0 - 1].beta : nil }
        let rho = try secondSingularValue(p)
        let eta = try strongDataProcessing(p, rho: rho, seed: seed)
        let bRho = 1 / (rho * rho), bEta = 1 / eta.value
        func inBracket(_ v: Double) -> Bool {
            let tol = 1e-9 * max(1, v)
            guard let onset else { return v >= (sorted.last?.beta ?? 0) - tol }
            return v <= onset + tol && (prev.map { v >= $0 - tol } ?? true)
        }
        let m: String
        switch (inBracket(bRho), inBracket(bEta)) {
        case (true, true): m = "both"
        case (true, false): m = "1/rho^2"
        case (false, true): m = "1/eta_KL"
        case (false, false): m = "neither"
        }
        return IBOnset(fromSolutions: onset, previousBeta: prev, threshold: threshold, rho: rho, betaRho: bRho,
                       etaKL: eta.value, betaEta: bEta, etaMaximizer: eta.q, etaIsLocalLimit: eta.local, matches: m)
    }

    /// ρ: the second singular value of p(x,y)/√(p(x)p(y)).
    public static func secondSingularValue(_ p: DiscreteIBProblem) throws -> Double {
        let b = (0..<(p.nx * p.ny)).map { i in p.joint[i] / (p.px[i / p.ny] * p.py[i % p.ny]).squareRoot() }
        let s = try LAPACK.singularValues(b, rows: p.nx, cols: p.ny)
        return s.count > 1 ? min(s[1], 1) : 0
    }

    /// η_KL = sup_{q ≠ p} D(qW‖pW)/D(q‖p) by gradient ascent over the simplex (q = softmax z) from
    /// many starts: near each vertex, random interior points, and both ways along the maximal-
    /// correlation direction near p. The limit q → p is ρ², so the result is at least ρ².
    public static func strongDataProcessing(_ p: DiscreteIBProblem, rho: Double, seed: UInt64, randomStarts: Int = 24)
        throws -> (value: Double, q: [Double], local: Bool)
    {
        let nx = p.nx
        var starts: [[Double]] = []
        for v in 0..<nx { starts.append((0..<nx).map { ($0 == v ? 0.9 : 0) + 0.1 * p.px[$0] }) }
        let u: [Double] = PhiloxFill.uniform(count: randomStarts * nx, seed: seed, stream: 7)
        for r in 0..<randomStarts {
            // Dirichlet(1) via −log U, sharpened by a power so some starts lie near faces.
            let e = (0..<nx).map { pow(-log(max(u[r * nx + $0], 1e-300)), 1 + Double(r % 3)) }
            let z = e.reduce(0, +)
            starts.append(e.map { max($0 / z, 1e-12) })
        }
        // Near p along the second left singular vector f(x) = u₂(x)/√p(x), both signs.
        let b = (0..<(nx * p.ny)).map { i in p.joint[i] / (p.px[i / p.ny] * p.py[i % p.ny]).squareRoot() }
        let gram = HostMatrix(rows: nx, cols: nx, values: Linalg.gram(
            HostMatrix(rows: nx, cols: p.ny, values: b).transposed.values, rows: p.ny, cols: nx))
        let (_, vecs) = try LAPACK.symmetricEigen(gram.values, n: nx)
        if nx >= 2 {
            let f = (0..<nx).map { HostMatrix(rows: nx, cols: nx, values: vecs)[$0, nx - 2] / p.px[$0].squareRoot() }
            let fmax = f.map(abs).max() ?? 1
            for sign in [1.0, -1.0] {
                for scale in [0.05, 0.5, 0.95] {
                    starts.append((0..<nx).map { p.px[$0] * (1 + sign * scale * f[$0] / fmax) })
                }
            }
        }
        var best = (value: rho * rho, q: p.px, local: true)
        for s in starts {
            let r = ascend(p, from: s)
            if r.value > best.value * (1 + 1e-9) { best = (r.value, r.q, false) }
        }
        return best
    }

    /// D(qW‖pW)/D(q‖p), or nil where D(q‖p) is too small to divide by. Both divergences are sums
    /// of the non-negative terms p·φ(q/p), φ(r) = r log r − r + 1 (the added terms sum to zero),
    /// computed without cancellation near q = p.
    static func ratio(_ p: DiscreteIBProblem, _ q: [Double]) -> Double? {
        func phi(_ a: Double, _ b: Double) -> Double {
            if a == 0 { return b }
            let d = (a - b) / b
            return b * ((1 + d) * log1p(d) - d)
        }
        var dq = 0.0
        for x in 0..<p.nx { dq += phi(q[x], p.px[x]) }
        if !(dq > 1e-10) { return nil }
        var dn = 0.0
        for y in 0..<p.ny {
            var qy = 0.0
            for x in 0..<p.nx { qy += q[x] * p.pyGivenX[x * p.ny + y] }
            dn += phi(qy, p.py[y])
        }
        return dn / dq
    }

    /// Gradient ascent on the ratio in softmax coordinates with an adaptive step.
    static func ascend(_ p: DiscreteIBProblem, from q0: [Double]) -> (value: Double, q: [Double]) {
        let nx = p.nx
        var z = q0.map { log(max($0, 1e-300)) }
        func softmax(_ z: [Double]) -> [Double] {
            let m = z.max() ?? 0
            let e = z.map { exp($0 - m) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
        var q = softmax(z)
        guard var r = ratio(p, q) else { return (-.infinity, q) }
        var step = 1.0
        for _ in 0..<400 {
            // dR/dq_x = (N'_x − R D'_x)/D, N'_x = Σ_y W_xy log(qW_y/pW_y), D'_x = log(q_x/p_x)
            // (the +1 terms cancel in softmax coordinates).
            var dq = 0.0
            for x in 0..<nx where q[x] > 0 { dq += q[x] * log(q[x] / p.px[x]) + p.px[x] - q[x] }
            var qy = [Double](repeating: 0, count: p.ny)
            for y in 0..<p.ny { for x in 0..<nx { qy[y] += q[x] * p.pyGivenX[x * p.ny + y] } }
            let g = (0..<nx).map { x -> Double in
                var n = 0.0
                for y in 0..<p.ny where qy[y] > 0 { n += p.pyGivenX[x * p.ny + y] * log(qy[y] / p.py[y]) }
                let d = q[x] > 0 ? log(q[x] / p.px[x]) : 0
                return (n - r * d) / dq
            }
            let mean = zip(q, g).reduce(0) { $0 + $1.0 * $1.1 }
            let gz = (0..<nx).map { q[$0] * (g[$0] - mean) }
            let norm = gz.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm < 1e-13 { break }
            var moved = false
            while step > 1e-12 {
                let zn = zip(z, gz).map { $0 + step * $1 }
                let qn = softmax(zn)
                if let rn = ratio(p, qn), rn > r {
                    z = zn; q = qn; r = rn
                    step *= 2
                    moved = true
                    break
                }
                step /= 2
            }
            if !moved { break }
        }
        return (r, q)
    }
}
