import Compute
import Foundation

/// One solution of the (generalised) Gaussian IB at one β.
public struct GaussianIBSolution: Sendable, Codable {
    public var beta: Double
    /// The encoder A (d_x×d_x, row-major) of T = A X + ξ, ξ ~ N(0, I).
    public var encoder: [Double]
    /// M(T;X), M(T;Y) under the measure optimised, and M(T;X) − β M(T;Y).
    public var measureTX: Double
    public var measureTY: Double
    public var objective: Double
    /// The same encoder scored under the original (Shannon) IB: I(T;X), I(T;Y), I(T;X) − β I(T;Y),
    /// the closed-form Shannon optimum at this β and the gap (≥ 0).
    public var iTX: Double
    public var iTY: Double
    public var shannonObjective: Double
    public var shannonOptimum: Double
    public var shannonGap: Double
    /// Encoder power along each eigen-direction i, ‖A Σ_x vᵢ‖² (αᵢ² rᵢ² for the Shannon solution).
    public var directionPower: [Double]
    /// Directions whose power exceeds the activity threshold.
    public var activeDirections: Int
    /// Gradient norm at the returned encoder, and quasi-Newton iterations of the best start.
    public var gradientNorm: Double
    public var iterations: Int
    /// Whether that start reached a stationary point: gradient norm ≤ 10⁻⁶ (1 + |objective|)
    /// (false when it ran out of iterations or its line search stalled first).
    public var converged: Bool
}

/// The generalised Gaussian IB (docs/information-bottleneck.md B6, B7): minimise M(T;X) − β M(T;Y) over linear Gaussian encoders
/// T = A X + ξ by BFGS over all entries of A (d_x×d_x: every rank is allowed), from several
/// starts. It also solves the Shannon problem, which is how the closed form is checked against a
/// brute-force optimisation.
///
/// The optimisation runs in whitened coordinates Ã = A L (Σ_x = L Lᵀ). With M = ÃÃᵀ + I, the
/// squared canonical correlations of (T, X) are the eigenvalues μ of ÃÃᵀ w = μ M w and those of
/// (T, Y) the eigenvalues of Ã K Ãᵀ w = μ M w, K = I − L⁻¹ Σ_{x|y} L⁻ᵀ; the objective is
/// Σ g(μ_X) − β Σ g(μ_Y) (IBMeasure.pair). With wᵀ M w = 1, dμ = wᵀ(dN − μ dM)w gives
/// ∂μ/∂Ã = 2 w wᵀ Ã (K − μ I) (K = I for X): an exact gradient.
public struct GeneralizedGaussianIB: Sendable {
    public let ib: GaussianIB
    public let measure: IBMeasure
    /// Direction power above which a direction counts as used.
    public var activityThreshold = 1e-6
    /// Random starts per β (besides the previous β's solution and, when allowed, the Shannon encoder).
    public var randomStarts = 3
    /// Seed the Shannon closed-form encoder as a start (off for the brute-force check).
    public var useClosedFormStart = true
    /// Start each β from the previous β's solution too (continuation).
    public var continuation = true
    public var maxIterations = 400
    /// The relative gradient norm below which a solution counts as converged.
    public static let stationaryTolerance = 1e-6
    public var seed: UInt64 = 0

    let d: Int
    package let l: HostMatrix, lInv: HostMatrix, k: HostMatrix

    public init(_ ib: GaussianIB, measure: IBMeasure) throws {
        self.ib = ib
        self.measure = measure
        d = ib.problem.dx
        l = try HostMatrix(rows: d, cols: d, values: LAPACK.cholesky(ib.problem.covX.values, n: d, what: "Σ_x"))
        lInv = l.lowerInverse
        k = (.identity(d) - lInv * ib.conditional * lInv.transposed).symmetrized
    }

    /// The objective and its gradient at Ã.
    public func objective(_ at: HostMatrix, beta: Double) throws -> (value: Double, gradient: HostMatrix) {
        // Far out (or non-finite) encoders saturate every correlation; treat them as +∞.
        guard at.values.allSatisfy({ $0.isFinite && abs($0) < 1e6 }) else { return (.infinity, at) }
        let m = (at * at.transposed).symmetrized + .identity(d)
        var value = 0.0
        var grad = HostMatrix.zeros(d, d)
        for (kk, weight) in [(HostMatrix.identity(d), 1.0), (k, -beta)] {
            let n = (at * kk * at.transposed).symmetrized
            let (mu, w) = try LAPACK.generalizedSymmetricEigen(n.values, m.values, n: d, whatB: "ÃÃᵀ + I")
            let wm = HostMatrix(rows: d, cols: d, values: w)
            var c1 = [Double](repeating: 0, count: d), c2 = c1
            for i in 0..<d {
                let u = min(max(mu[i], 0), 1 - 1e-16)
                value += weight * measure.pair(u)
                let gp = measure.pairDerivative(u)
                c1[i] = weight * gp
                c2[i] = weight * gp * u
            }
            let p1 = HostMatrix(rows: d, cols: d) { i, j in (0..<d).reduce(0) { $0 + wm[i, $1] * c1[$1] * wm[j, $1] } }
            let p2 = HostMatrix(rows: d, cols: d) { i, j in (0..<d).reduce(0) { $0 + wm[i, $1] * c2[$1] * wm[j, $1] } }
            grad = grad + 2 * (p1 * at * kk - p2 * at)
        }
        return (value, grad)
    }

    /// Solves at every β of `betas` (in the order given; continuation follows that order).
    public func solve(betas: [Double]) throws -> [GaussianIBSolution] {
        var previous: HostMatrix?
        var out: [GaussianIBSolution] = []
        for (index, beta) in betas.enumerated() {
            var starts: [HostMatrix] = []
            if continuation, let previous { starts.append(previous) }
            if useClosedFormStart {
                let shannon = ib.encoder(beta: beta) * l
                if shannon.values.contains(where: { $0 != 0 }) { starts += [shannon, 0.5 * shannon, 2 * shannon] }
            }
            for r in 0..<randomStarts {
                let z = PhiloxFill.normal(count: d * d, seed: seed, stream: UInt32(r),
                                          offset: UInt64(index) * UInt64((d * d + 1) / 2)) as [Double]
                starts.append(HostMatrix(rows: d, cols: d, values: z.map { $0 * Double(r + 1) * 0.7 }))
            }
            var best: (x: HostMatrix, f: Double, g: Double, it: Int)?
            for s in starts {
                let r = try minimise(from: s, beta: beta)
                if r.f < best?.f ?? .infinity { best = r }
            }
            guard let best else { continue }
            previous = best.x
            out.append(try describe(best.x, beta: beta, gradientNorm: best.g, iterations: best.it))
        }
        return out
    }

    /// BFGS with a backtracking (Armijo) line search on the entries of Ã.
    func minimise(from x0: HostMatrix, beta: Double) throws -> (x: HostMatrix, f: Double, g: Double, it: Int) {
        let n = d * d
        var x = x0
        var (f, gm) = try objective(x, beta: beta)
        var g = gm.values
        var h = [Double](repeating: 0, count: n * n)
        for i in 0..<n { h[i * n + i] = 1 }
        var it = 0
        func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        while it < maxIterations {
            if norm(g) <= 1e-10 * (1 + abs(f)) { break }
            var p = (0..<n).map { i in -(0..<n).reduce(0) { $0 + h[i * n + $1] * g[$1] } }
            var slope = zip(p, g).reduce(0) { $0 + $1.0 * $1.1 }
            if !(slope < 0) {
                for i in 0..<n { for j in 0..<n { h[i * n + j] = i == j ? 1 : 0 } }
                p = g.map { -$0 }
                slope = -norm(g) * norm(g)
            }
            var t = 1.0
            var accepted: (HostMatrix, Double, [Double])?
            while t > 1e-20 {
                let xn = HostMatrix(rows: d, cols: d, values: zip(x.values, p).map { $0 + t * $1 })
                let (fn, gn) = try objective(xn, beta: beta)
                if fn.isFinite, gn.values.allSatisfy(\.isFinite), fn <= f + 1e-4 * t * slope { accepted = (xn, fn, gn.values); break }
                t *= 0.5
            }
            it += 1
            guard let (xn, fn, gn) = accepted else { break }
            let s = zip(xn.values, x.values).map { $0 - $1 }
            let y = zip(gn, g).map { $0 - $1 }
            let sy = zip(s, y).reduce(0) { $0 + $1.0 * $1.1 }
            let done = abs(f - fn) <= 1e-16 * (1 + abs(f)) && norm(s) <= 1e-14 * (1 + norm(x.values))
            x = xn; f = fn; g = gn
            if done { break }
            if sy > 1e-300 {
                if it == 1 {
                    let scale = sy / y.reduce(0) { $0 + $1 * $1 }
                    for i in 0..<n { for j in 0..<n { h[i * n + j] = i == j ? scale : 0 } }
                }
                // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1/(sᵀy).
                let rho = 1 / sy
                let hy = (0..<n).map { i in (0..<n).reduce(0) { $0 + h[i * n + $1] * y[$1] } }
                let yhy = zip(y, hy).reduce(0) { $0 + $1.0 * $1.1 }
                for i in 0..<n {
                    for j in 0..<n {
                        h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
                    }
                }
            }
        }
        return (x, f, norm(g), it)
    }

    /// Scores a whitened encoder under the measure and under Shannon.
    func describe(_ at: HostMatrix, beta: Double, gradientNorm: Double, iterations: Int) throws -> GaussianIBSolution {
        let a = at * lInv
        let (f, _) = try objective(at, beta: beta)
        let joint = jointCovariances(a)
        let mx = try GaussianDivergence.information(measure, joint: joint.tx, split: d)
        let my = try GaussianDivergence.information(measure, joint: joint.ty, split: d)
        let shannon = try ib.informations(encoder: a)
        let so = shannon.iTX - beta * shannon.iTY
        let opt = ib.optimalObjective(beta: beta)
        let power = (0..<d).map { i -> Double in
            let v = ib.eigenvectors.column(i)
            let sv = Linalg.multiply(ib.problem.covX.values, rows: d, cols: d, v)
            return Linalg.multiply(a.values, rows: d, cols: d, sv).reduce(0) { $0 + $1 * $1 }
        }
        return GaussianIBSolution(
            beta: beta, encoder: a.values, measureTX: mx, measureTY: my, objective: mx - beta * my, iTX: shannon.iTX,
            iTY: shannon.iTY, shannonObjective: so, shannonOptimum: opt, shannonGap: so - opt, directionPower: power,
            activeDirections: power.filter { $0 > activityThreshold }.count, gradientNorm: gradientNorm,
            iterations: iterations, converged: gradientNorm <= Self.stationaryTolerance * (1 + abs(f)))
    }

    /// Covariances of (T, X) and (T, Y) for the encoder A (original coordinates).
    package func jointCovariances(_ a: HostMatrix) -> (tx: HostMatrix, ty: HostMatrix) {
        let p = ib.problem
        let tt = (a * p.covX * a.transposed).symmetrized + .identity(d)
        let tx = a * p.covX, ty = a * p.covXY
        return (.blocks(tt, tx, tx.transposed, p.covX), .blocks(tt, ty, ty.transposed, p.covY))
    }
}

/// Where the direction i comes into use on a β grid, against the Shannon critical βᵢ.
public struct IBTransition: Sendable, Codable {
    public var direction: Int
    public var shannonBeta: Double
    /// The grid bracket (lo, hi] in which the direction switches on; lo nil: on at the first β;
    /// hi nil: never on.
    public var lo: Double?
    public var hi: Double?
    /// βᵢ lies in the bracket.
    public var matches: Bool

    /// Transitions found in `solutions` (sorted by β) for each direction.
    public static func detect(_ solutions: [GaussianIBSolution], critical: [Double], threshold: Double) -> [IBTransition] {
        let sorted = solutions.sorted { $0.beta < $1.beta }
        return critical.enumerated().map { i, bc in
            let first = sorted.firstIndex { $0.directionPower[i] > threshold }
            let lo = first.flatMap { $0 > 0 ? sorted[$0 - 1].beta : nil }
            let hi = first.map { sorted[$0].beta }
            let tol = 1e-9 * max(1, abs(bc))
            let matches: Bool
            switch (lo, hi) {
            case (nil, nil): matches = sorted.isEmpty || bc >= (sorted.last?.beta ?? 0) - tol
            case (nil, let h?): matches = bc <= h + tol
            case (let l?, let h?): matches = bc >= l - tol && bc <= h + tol
            case (_?, nil): matches = false
            }
            return IBTransition(direction: i, shannonBeta: bc, lo: lo, hi: hi, matches: matches)
        }
    }
}
