import Compute
import Dynamics
import GPURunApp
import XCTest

final class RidgeInformationTests: XCTestCase {
    let cpu = CPUBackend.shared

    /// log det of a symmetric positive-definite matrix, in bits.
    func log2Det(_ a: [Double], _ n: Int) throws -> Double {
        try LAPACK.eigenvalues(symmetric: a, n: n).reduce(0) { $0 + log2($1) }
    }

    /// The sample covariance of the rows of `z` (draws × d) restricted to the coordinates `keep`.
    func covariance(_ c: [Double], _ d: Int, _ keep: [Int]) -> [Double] {
        keep.flatMap { i in keep.map { j in c[i * d + j] } }
    }

    /// The exact informations (RI4, RI5) against a brute-force estimate for one fixed X: draws of
    /// (w, ε, ξ), the randomized ridge ŵ computed from them, and Gaussian informations from the
    /// sample covariance of (ŵ, w, ε): I(ŵ; w) = ½[log|C_ŵ| + log|C_w| − log|C_ŵw|] and
    /// I(ŵ; ε | w) = ½[log|C_ŵw| + log|C_εw| − log|C_ŵεw| − log|C_w|]. The tolerance is 4
    /// standard errors (from 20 batches) plus the plug-in bias ~ d²/(2N ln 2) bits.
    func testExactInformationMatchesMonteCarlo() throws {
        let seed = freshSeed()
        for (n, p, lambda, s) in [(6, 4, 0.1, 1.0), (5, 8, 0.3, 0.5)] {
            let (r2, sigma2) = (1.3, 0.5)
            let x: [Double] = PhiloxFill.normal(count: n * p, seed: seed, stream: UInt32(p))
            // A = (XᵀX + nλ I)⁻¹ Xᵀ, column by column.
            var gram = Linalg.gram(x, rows: n, cols: p)
            for i in 0..<p { gram[i * p + i] += Double(n) * lambda }
            var a = [Double](repeating: 0, count: p * n)
            for k in 0..<n {
                let col = try LAPACK.solvePositiveDefinite(gram, n: p, b: (0..<p).map { x[k * p + $0] })
                for i in 0..<p { a[i * n + k] = col[i] }
            }
            let draws = 200_000, batches = 20, d = 2 * p + n
            let z: [Double] = PhiloxFill.normal(count: draws * d, seed: seed, stream: UInt32(100 + p))
            var batchSums = [[Double]](repeating: [Double](repeating: 0, count: d * d), count: batches)
            var v = [Double](repeating: 0, count: d)  // (ŵ, w, ε)
            for k in 0..<draws {
                let base = k * d
                let w = (0..<p).map { z[base + $0] * (r2 / Double(p)).squareRoot() }
                let e = (0..<n).map { z[base + p + $0] * sigma2.squareRoot() }
                let y = (0..<n).map { r in (0..<p).reduce(e[r]) { $0 + x[r * p + $1] * w[$1] } }
                for i in 0..<p {
                    var h = z[base + p + n + i] * s / Double(n).squareRoot()
                    for r in 0..<n { h += a[i * n + r] * y[r] }
                    v[i] = h
                    v[p + i] = w[i]
                }
                for r in 0..<n { v[2 * p + r] = e[r] }
                let b = k % batches
                for i in 0..<d { for j in 0..<d { batchSums[b][i * d + j] += v[i] * v[j] } }
            }
            // Zero-mean model: the second moments are the covariances.
            func informations(_ c: [Double]) throws -> (relevant: Double, residual: Double) {
                let hat = Array(0..<p), wIdx = Array(p..<2 * p), eIdx = Array(2 * p..<d)
                let lw = try log2Det(covariance(c, d, wIdx), p)
                let lhw = try log2Det(covariance(c, d, hat + wIdx), 2 * p)
                let relevant = 0.5 * (try log2Det(covariance(c, d, hat), p) + lw - lhw)
                let residual = 0.5 * (lhw + (try log2Det(covariance(c, d, eIdx + wIdx), n + p))
                    - (try log2Det(c, d)) - lw)
                return (relevant, residual)
            }
            let total = batchSums.reduce([Double](repeating: 0, count: d * d)) { zip($0, $1).map { $0 + $1 } }
            let full = try informations(total.map { $0 / Double(draws) })
            let parts = try batchSums.map { try informations($0.map { $0 / Double(draws / batches) }) }
            func se(_ vals: [Double]) -> Double {
                let m = vals.reduce(0, +) / Double(vals.count)
                let sd = (vals.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(vals.count - 1)).squareRoot()
                // The full-sample estimate fluctuates like one batch's over √batches.
                return sd / Double(batches).squareRoot()
            }
            let bias = Double(d * d) / (2 * Double(draws) * log(2))
            let t = try RidgeInformation.designEigenvalues(x, n: n, p: p)
            let exact = RidgeInformation.design(t, channel: .init(gamma: Double(p) / Double(n), r2: r2, sigma2: sigma2,
                                                                  noiseScale: s, lambda: lambda))
            let seRel = se(parts.map(\.relevant))
            let seRes = se(parts.map(\.residual))
            XCTAssertEqual(full.relevant, exact.relevant, accuracy: 4 * seRel + bias, "relevant n \(n) p \(p) seed \(seed)")
            XCTAssertEqual(full.residual, exact.residual, accuracy: 4 * seRes + bias, "residual n \(n) p \(p) seed \(seed)")
            XCTAssertGreaterThan(exact.relevant, 0.3)
            XCTAssertGreaterThan(exact.residual, 0.3)
            XCTAssertLessThan(4 * seRel + bias, 0.05 * exact.relevant, "the check resolves 5%")
            print("MC check n \(n) p \(p): relevant \(exact.relevant) vs \(full.relevant) ± \(seRel), residual "
                + "\(exact.residual) vs \(full.residual) ± \(seRes)")
        }
    }

    /// The Silverstein-equation density (companion-matrix roots) reproduces Marchenko–Pastur when
    /// the scales coincide, and every quadrature has the continuous mass min(1, 1/γ).
    func testGeneralizedDensity() {
        for gamma in [0.4, 1, 2.5] {
            let mp = SpectralLaw.marchenkoPastur(ratio: gamma)
            let same = GeneralizedMarchenkoPastur(gamma: gamma, covariance: try! DesignCovariance(scales: [1, 1], weights: [1, 3]))
            for x in stride(from: 0.05, to: 7, by: 0.173) {
                XCTAssertEqual(same.density(x), mp.density(x), accuracy: 1e-7 * (1 + mp.density(x)), "γ \(gamma) x \(x)")
            }
            let scaled = GeneralizedMarchenkoPastur(gamma: gamma, covariance: try! DesignCovariance(scales: [3], weights: [1]))
            XCTAssertEqual(scaled.density(1.7), mp.density(1.7 / 3) / 3, accuracy: 1e-12)
            for cov in [DesignCovariance.isotropic, try! DesignCovariance(scales: [1, 30], weights: [0.7, 0.3]),
                        try! DesignCovariance(scales: [0.1, 1, 10], weights: [1, 1, 1])] {
                let q = GeneralizedMarchenkoPastur(gamma: gamma, covariance: cov).quadrature()
                XCTAssertEqual(q.weight.reduce(0, +), min(1, 1 / gamma), accuracy: 2e-3, "γ \(gamma) Σ \(cov)")
                // The mean eigenvalue of XᵀX/n is tr Σ / p.
                let mean = zip(q.t, q.weight).reduce(0) { $0 + $1.0 * $1.1 }
                let trace = zip(cov.scales, cov.weights).reduce(0) { $0 + $1.0 * $1.1 }
                XCTAssertEqual(mean, trace, accuracy: 2e-3 * trace, "γ \(gamma) Σ \(cov)")
            }
        }
    }

    /// Ensemble means at n = 300 against the limits: within 4 standard errors plus 2% (finite-n
    /// corrections are O(1/n)), isotropic and with two scales.
    func testLimitsMatchLargeEnsembles() throws {
        let seed = freshSeed()
        for cov in [DesignCovariance.isotropic, try DesignCovariance(scales: [1, 20], weights: [0.5, 0.5])] {
            let s = RidgeInformationSettings(n: 300, gammas: [0.5, 1, 2], sigma2: 0.5, lambda: .value(0.1), noiseScale: 0.5,
                                             covariance: cov, samples: 4, seed: seed)
            let report = try RidgeInformationRun.run(s, on: cpu)
            for pt in report.points {
                for (what, e) in [("relevant", pt.relevantInformation), ("residual", pt.residualInformation),
                                  ("optimal", pt.optimalRelevantInformation), ("efficiency", pt.efficiency)] {
                    XCTAssertEqual(e.mean, e.theory, accuracy: 4 * e.standardError + 0.02 * e.theory,
                                   "\(what) at γ \(pt.gamma), Σ \(cov), seed \(seed)")
                }
                XCTAssertLessThanOrEqual(pt.efficiency.theory, 1)
            }
        }
    }

    /// No linear-Gaussian algorithm beats the optimal curve: ridge lies on or under it for every
    /// design, λ and s; with one direction ridge is optimal (efficiency 1); the curve rises to
    /// Σ ½ log₂(1 + snr) as the budget grows.
    func testOptimalCurveBoundsRidge() throws {
        let x: [Double] = PhiloxFill.normal(count: 30 * 20, seed: 11, stream: 0)
        let t = try RidgeInformation.designEigenvalues(x, n: 30, p: 20)
        for lambda in [0, 0.05, 1] {
            for s in [0.1, 1, 5] {
                let c = RidgeInformation.Channel(gamma: 20.0 / 30, r2: 1, sigma2: 0.4, noiseScale: s, lambda: lambda)
                let d = RidgeInformation.design(t, channel: c)
                XCTAssertLessThanOrEqual(d.relevant, d.optimalRelevant * (1 + 1e-9), "λ \(lambda) s \(s)")
                // Ridge spends its residual bits less well than the optimum at some (λ, s) (0.26 at
                // λ = 0 with s = 0.1 here), so only the bounds 0 < efficiency ≤ 1 are a law.
                XCTAssertGreaterThan(d.efficiency, 0, "λ \(lambda) s \(s)")
                XCTAssertLessThanOrEqual(d.efficiency, 1 + 1e-9, "λ \(lambda) s \(s)")
                let one = RidgeInformation.design([t[7]], channel: c)
                XCTAssertEqual(one.efficiency, 1, accuracy: 1e-9)
            }
        }
        let c = RidgeInformation.Channel(gamma: 2.0 / 3, r2: 1, sigma2: 0.4, noiseScale: 1, lambda: 0)
        let snrs = t.map(c.snr)
        let curve = RidgeInformation.optimalCurve(snrs: snrs, count: 40)
        for (u, v) in zip(curve, curve.dropFirst()) {
            XCTAssertGreaterThanOrEqual(v.residual, u.residual)
            XCTAssertGreaterThanOrEqual(v.relevant, u.relevant)
        }
        let ceiling = snrs.reduce(0) { $0 + 0.5 * log2(1 + $1) }
        XCTAssertEqual(RidgeInformation.optimalRelevant(residualBudget: 1e4, snrs: snrs), ceiling, accuracy: 1e-6 * ceiling)
        XCTAssertLessThan(curve.last!.relevant, ceiling)
    }

    /// Information-theoretic double descent: with a small λ the residual information per
    /// observation peaks at γ = 1 in the limit and in the ensemble; with two scales far apart a
    /// second peak appears.
    func testDescent() throws {
        func residual(_ g: Double, _ cov: DesignCovariance, lambda: Double) -> Double {
            let c = RidgeInformation.Channel(gamma: g, r2: 1, sigma2: 1, noiseScale: 0.3, lambda: lambda)
            return RidgeInformationTheory.limit(gamma: g, covariance: cov, channel: c).information.residual
        }
        let iso = DesignCovariance.isotropic
        XCTAssertGreaterThan(residual(1, iso, lambda: 1e-3), residual(0.7, iso, lambda: 1e-3))
        XCTAssertGreaterThan(residual(1, iso, lambda: 1e-3), residual(1.4, iso, lambda: 1e-3))
        let s = RidgeInformationSettings(n: 120, gammas: [0.6, 1, 1.6], sigma2: 1, lambda: .value(1e-3), noiseScale: 0.3,
                                         samples: 3, seed: freshSeed())
        let pts = try RidgeInformationRun.run(s, on: cpu).points.map { $0.residualInformation.mean / Double($0.p) }
        XCTAssertGreaterThan(pts[1], max(pts[0], pts[2]))
    }

    func testBadInput() throws {
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        let ok = RidgeInformationSettings(n: 20, gammas: [0.5], sigma2: 1, lambda: .value(0.1), noiseScale: 1, samples: 2)
        XCTAssertNoThrow(try ok.validate())
        var bad = ok
        bad.gammas = [0.5, 0]
        XCTAssertTrue(message { try RidgeInformationRun.run(bad, on: self.cpu) }.contains("every γ must be positive (got 0"))
        bad.gammas = [-1]
        XCTAssertTrue(message { try bad.validate() }.contains("every γ must be positive (got -1"))
        bad = ok
        bad.lambda = .value(-0.5)
        XCTAssertTrue(message { try RidgeInformationRun.run(bad, on: self.cpu) }.contains("the ridge λ must be ≥ 0 (got -0.5)"))
        for s in [0.0, -2] {
            bad = ok
            bad.noiseScale = s
            XCTAssertTrue(message { try RidgeInformationRun.run(bad, on: self.cpu) }
                .contains("the noise scale s of the randomized ridge must be positive (got \(s))"))
        }
        bad = ok
        bad.sigma2 = 0
        XCTAssertTrue(message { try bad.validate() }.contains("noise variance σ² > 0 (got 0"))
        XCTAssertTrue(message { try DesignCovariance(parsing: "1,2:0.5") }.contains("2 scales but 1 weights"))
        XCTAssertTrue(message { try DesignCovariance(parsing: "1,-2:0.5,0.5") }.contains("every scale must be positive (got -2"))
        XCTAssertTrue(message { try DesignCovariance(parsing: "1,2") }.contains("is not scales:weights"))
        XCTAssertTrue(message { try DesignCovariance(parsing: "1,x:1,1") }.contains("'x' is not a number"))
        let cov = try DesignCovariance(parsing: "1, 100 : 1, 3")
        XCTAssertEqual(cov.weights, [0.25, 0.75])
        XCTAssertEqual(cov.featureScales(p: 10), [1, 1, 1] + [Double](repeating: 100, count: 7))
        XCTAssertTrue(message {
            try RidgeInformationJob.settings(n: 20, gammas: "0.5,-1", sigma2: 1, lambda: .value(0), r2: 1, noiseScale: 1,
                                             covariance: nil, samples: 2, seed: 0)
        }.contains("every γ must be positive"))
    }

    /// The JSON has relevantInformation and residualInformation as {mean, standardError, theory};
    /// the plots are well-formed SVG.
    func testReportAndPlots() throws {
        let s = RidgeInformationSettings(n: 30, gammas: [0.5, 1, 1.5], sigma2: 0.5, lambda: .optimal, noiseScale: 1,
                                         covariance: try DesignCovariance(parsing: "1,10:0.5,0.5"), samples: 2)
        let dir = try temporaryDirectory(self)
        let report = try RidgeInformationJob.run(s, on: cpu, output: dir)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report.files["json"]!)))
        let point = try XCTUnwrap(((json as? [String: Any])?["points"] as? [[String: Any]])?.first)
        for key in ["relevantInformation", "residualInformation"] {
            XCTAssertEqual(Set((point[key] as? [String: Any] ?? [:]).keys), ["mean", "standardError", "theory"])
        }
        for key in ["svg", "plane"] { try assertWellFormedSVG(URL(fileURLWithPath: report.files[key]!)) }
    }
}
