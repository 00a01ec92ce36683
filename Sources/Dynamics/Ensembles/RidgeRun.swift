import Compute
import Foundation

/// A ridge-regression experiment over a grid of aspect ratios (`gpurun ridge`); conventions in
/// `RidgeTheory`.
public struct RidgeSettings: Sendable {
    public var n: Int
    public var gammas: [Double]
    public var sigma2: Double
    public var lambda: RidgeLambda
    public var r2: Double
    public var samples: Int
    public var seed: UInt64

    public init(n: Int, gammas: [Double], sigma2: Double, lambda: RidgeLambda, r2: Double = 1, samples: Int,
                seed: UInt64 = 0) {
        (self.n, self.gammas, self.sigma2, self.lambda) = (n, gammas, sigma2, lambda)
        (self.r2, self.samples, self.seed) = (r2, samples, seed)
    }

    /// Refuses n < 1, samples < 1, γ ≤ 0, σ² < 0, r² ≤ 0, λ < 0, and p = round(γ n) < 1.
    public func validate() throws {
        func bad(_ s: String) -> ComputeError { .invalidArgument(s) }
        guard n >= 1 else { throw bad("the observations n must be at least 1 (got \(n))") }
        guard samples >= 1 else { throw bad("the samples per γ must be at least 1 (got \(samples))") }
        guard !gammas.isEmpty else { throw bad("give at least one aspect ratio γ") }
        if let g = gammas.first(where: { !($0 > 0 && $0.isFinite) }) { throw bad("every γ must be positive (got \(g))") }
        guard sigma2 >= 0, sigma2.isFinite else { throw bad("the noise variance σ² must be a number ≥ 0 (got \(sigma2))") }
        guard r2 > 0, r2.isFinite else { throw bad("the signal strength r² must be positive (got \(r2))") }
        if case .value(let l) = lambda, !(l >= 0 && l.isFinite) { throw bad("the ridge λ must be ≥ 0 (got \(l))") }
        for g in gammas where (g * Double(n)).rounded() < 1 {
            throw bad("γ = \(g) with n = \(n) gives p = round(γ n) = 0 features; raise n or γ")
        }
        if let g = gammas.first(where: { $0 * Double(n) > 20_000 }) {
            throw bad("γ = \(g) with n = \(n) gives p = \(Int(g * Double(n))) features; gpurun ridge allows up to 20000")
        }
    }
}

/// A mean over samples with its standard error, next to the theory.
public struct RiskEstimate: Codable, Sendable {
    public var mean: Double, standardError: Double, theory: Double
}

/// One γ of a ridge experiment.
public struct RidgePoint: Codable, Sendable {
    /// γ as requested, and p/n as used (p = round(γ n)); theory is evaluated at p/n.
    public var gamma: Double, effectiveGamma: Double
    public var p: Int
    public var lambda: Double
    public var ridge: RiskEstimate, minNorm: RiskEstimate
}

public struct RidgeReport: Codable, Sendable {
    public var n: Int
    public var sigma2: Double, r2: Double
    /// A number or "optimal" (λ* = σ²γ/r² at each γ).
    public var lambda: String
    public var samples: Int
    public var seed: UInt64
    public var device: String
    /// What the risks are.
    public var risk: String
    public var points: [RidgePoint]
    public var wallSeconds: Double
    public var files: [String: String]
}

/// Runs the experiment: for each γ, `samples` draws of (X, β, ε) generated on the backend,
/// then ridge (Cholesky) and minimum-norm (SVD least squares) fits on the CPU threads.
///
/// Draw k at p features uses, of Philox (seed, stream): X = n·p normals of stream 3p, the
/// direction of β = p normals of stream 3p + 1, ε = n normals of stream 3p + 2, each at block
/// offset k·⌈count/2⌉ (`SampleNormals`), so a draw does not depend on the grid, the batch or
/// the device.
public enum RidgeRun {
    public static let riskDefinition =
        "excess test risk E_x[(x·(β̂ − β))²] = ‖β̂ − β‖² with x ~ N(0, I_p); the prediction risk is this + σ²"

    /// A grid point: p = round(γ n) features, the ratio p/n realised, and λ there.
    package static func point(_ gamma: Double, n: Int, lambda: RidgeLambda, sigma2: Double,
                              r2: Double) -> (p: Int, gamma: Double, lambda: Double) {
        let p = Int((gamma * Double(n)).rounded())
        let g = Double(p) / Double(n)
        return (p, g, lambda.at(gamma: g, sigma2: sigma2, r2: r2))
    }

    public static func run(_ s: RidgeSettings, on backend: any Backend,
                           workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> RidgeReport {
        try s.validate()
        let start = Date()
        var points: [RidgePoint] = []
        for gamma in s.gammas {
            let (p, g, lambda) = point(gamma, n: s.n, lambda: s.lambda, sigma2: s.sigma2, r2: s.r2)
            let risks = PairedSlots(count: s.samples, initial: .nan)
            let batch = max(1, min(s.samples, (64 << 20) / (8 * s.n * p)))
            var first = 0
            while first < s.samples {
                let range = first..<min(s.samples, first + batch)
                let draws = try RidgeDraws(backend, seed: s.seed, n: s.n, p: p, samples: range)
                try LAPACK.parallelFor(range.count, workers: workers) { i in
                    let (x, beta, y) = draws.problem(i, r2: s.r2, sigma2: s.sigma2)
                    let minNorm = try LAPACK.leastSquaresMinNorm(x, rows: s.n, cols: p, b: y)
                    let ridge = lambda == 0 ? minNorm : try ridgeFit(x, y, n: s.n, p: p, lambda: lambda)
                    // (ridge risk, minimum-norm risk)
                    risks.store(range.lowerBound + i, squaredDistance(ridge, beta), squaredDistance(minNorm, beta))
                }
                first = range.upperBound
            }
            let (ridge, minNorm) = risks.arrays()
            points.append(RidgePoint(
                gamma: gamma, effectiveGamma: g, p: p, lambda: lambda,
                ridge: estimate(ridge, theory: RidgeTheory.ridgeRisk(gamma: g, lambda: lambda, sigma2: s.sigma2, r2: s.r2)),
                minNorm: estimate(minNorm, theory: RidgeTheory.minNormRisk(gamma: g, sigma2: s.sigma2, r2: s.r2))))
        }
        return RidgeReport(n: s.n, sigma2: s.sigma2, r2: s.r2, lambda: s.lambda.description, samples: s.samples,
                           seed: s.seed, device: backend.label, risk: riskDefinition, points: points,
                           wallSeconds: Date().timeIntervalSince(start), files: [:])
    }

    /// (XᵀX + nλ I)⁻¹ Xᵀy by Cholesky, through the n×n system Xᵀ(XXᵀ + nλ I)⁻¹ y when p > n.
    public static func ridgeFit(_ x: [Double], _ y: [Double], n: Int, p: Int, lambda: Double) throws -> [Double] {
        let shift = Double(n) * lambda
        if p <= n {
            var a = Linalg.gram(x, rows: n, cols: p)
            for i in 0..<p { a[i * p + i] += shift }
            return try LAPACK.solvePositiveDefinite(a, n: p, b: Linalg.multiply(x, rows: n, cols: p, y, transposed: true))
        }
        var xt = [Double](repeating: 0, count: n * p)  // Xᵀ, p×n
        for i in 0..<n { for j in 0..<p { xt[j * n + i] = x[i * p + j] } }
        var k = Linalg.gram(xt, rows: p, cols: n)  // XXᵀ
        for i in 0..<n { k[i * n + i] += shift }
        let alpha = try LAPACK.solvePositiveDefinite(k, n: n, b: y)
        return Linalg.multiply(x, rows: n, cols: p, alpha, transposed: true)
    }

    static func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    }

    static func estimate(_ v: [Double], theory: Double) -> RiskEstimate {
        let m = v.reduce(0, +) / Double(v.count)
        let variance = v.count > 1 ? v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1) : 0
        return RiskEstimate(mean: m, standardError: (variance / Double(v.count)).squareRoot(), theory: theory)
    }
}

/// The normals of a batch of ridge problems, read back from the backend.
struct RidgeDraws: Sendable {
    let n: Int, p: Int
    let x: [Double], xStride: Int
    let direction: [Double], dStride: Int
    let noise: [Double], eStride: Int

    init(_ backend: any Backend, seed: UInt64, n: Int, p: Int, samples: Range<Int>) throws {
        self.n = n
        self.p = p
        let stream = UInt32(3 * p)
        (x, xStride) = try SampleNormals.draw(backend, seed: seed, stream: stream, samples: samples, perSample: n * p)
        (direction, dStride) = try SampleNormals.draw(backend, seed: seed, stream: stream + 1, samples: samples, perSample: p)
        (noise, eStride) = try SampleNormals.draw(backend, seed: seed, stream: stream + 2, samples: samples, perSample: n)
    }

    /// X (n×p), β with ‖β‖² = r², and y = Xβ + σε for sample i of the batch.
    func problem(_ i: Int, r2: Double, sigma2: Double) -> (x: [Double], beta: [Double], y: [Double]) {
        let xs = Array(x[i * xStride..<i * xStride + n * p])
        let d = direction[i * dStride..<i * dStride + p]
        let norm = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let beta = d.map { $0 * r2.squareRoot() / norm }
        var y = Linalg.multiply(xs, rows: n, cols: p, beta)
        let sigma = sigma2.squareRoot()
        for k in 0..<n { y[k] += sigma * noise[i * eStride + k] }
        return (xs, beta, y)
    }
}

