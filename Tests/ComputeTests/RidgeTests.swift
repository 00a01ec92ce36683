import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

final class RidgeTests: XCTestCase {
    let cpu = CPUBackend.shared

    /// m(−λ) = ∫ dμ(s)/(s + λ) against the Marchenko–Pastur law of `SpectralLaw`, integrated
    /// numerically (atom included), and m′ against a finite difference.
    func testStieltjesTransformMatchesTheLaw() {
        for gamma in [0.3, 1, 2.5] {
            let law = SpectralLaw.marchenkoPastur(ratio: gamma)
            let (a, b) = (law.support.lowerBound, law.support.upperBound)
            for lambda in [0.05, 0.4, 3] {
                // x = a + (b−a)(1 − cos θ)/2 removes the square-root edges.
                let steps = 20_000
                var integral = law.atomAtZero / lambda
                for k in 0..<steps {
                    let th = Double.pi * (Double(k) + 0.5) / Double(steps)
                    let x = a + (b - a) * (1 - cos(th)) / 2
                    integral += law.density(x) / (x + lambda) * (b - a) / 2 * sin(th) * Double.pi / Double(steps)
                }
                let (m, dm) = RidgeTheory.stieltjes(gamma: gamma, lambda: lambda)
                XCTAssertEqual(m, integral, accuracy: 1e-6 * m, "γ \(gamma) λ \(lambda)")
                let h = 1e-6 * lambda
                // m′(z) at z = −λ: d/dz = −d/dλ.
                let fd = -(RidgeTheory.stieltjes(gamma: gamma, lambda: lambda + h).m
                    - RidgeTheory.stieltjes(gamma: gamma, lambda: lambda - h).m) / (2 * h)
                XCTAssertEqual(dm, fd, accuracy: 1e-6 * abs(dm), "γ \(gamma) λ \(lambda)")
            }
        }
    }

    /// λ → 0 gives the ridgeless formulas; λ* = σ²γ/r² minimises the risk; the minimum-norm
    /// risk peaks at γ = 1 (double descent).
    func testTheoryLimits() {
        let (s2, r2) = (0.5, 1.3)
        for gamma in [0.4, 2.0] {
            XCTAssertEqual(RidgeTheory.ridgeRisk(gamma: gamma, lambda: 1e-9, sigma2: s2, r2: r2),
                           RidgeTheory.minNormRisk(gamma: gamma, sigma2: s2, r2: r2), accuracy: 1e-6)
            let best = RidgeTheory.optimalLambda(gamma: gamma, sigma2: s2, r2: r2)
            let atBest = RidgeTheory.ridgeRisk(gamma: gamma, lambda: best, sigma2: s2, r2: r2)
            for f in [0.5, 0.9, 1.1, 2] {
                XCTAssertLessThan(atBest, RidgeTheory.ridgeRisk(gamma: gamma, lambda: best * f, sigma2: s2, r2: r2))
            }
            // With no noise and λ → ∞ the estimate is 0: risk r².
            XCTAssertEqual(RidgeTheory.ridgeRisk(gamma: gamma, lambda: 1e8, sigma2: 0, r2: r2), r2, accuracy: 1e-6)
        }
        XCTAssertEqual(RidgeTheory.minNormRisk(gamma: 0.5, sigma2: s2, r2: r2), s2)
        XCTAssertEqual(RidgeTheory.minNormRisk(gamma: 2, sigma2: s2, r2: r2), r2 / 2 + s2)
        XCTAssertEqual(RidgeTheory.minNormRisk(gamma: 1, sigma2: s2, r2: r2), .infinity)
        let peak = RidgeTheory.minNormRisk(gamma: 0.98, sigma2: s2, r2: r2)
        XCTAssertGreaterThan(peak, 10 * RidgeTheory.minNormRisk(gamma: 0.5, sigma2: s2, r2: r2))
        XCTAssertGreaterThan(RidgeTheory.minNormRisk(gamma: 1.02, sigma2: s2, r2: r2),
                             10 * RidgeTheory.minNormRisk(gamma: 2, sigma2: s2, r2: r2))
    }

    /// Measured risks against the MP formulas: within 4 standard errors plus 4% (finite-n bias
    /// is O(1/n); e.g. the exact min-norm risk at γ < 1 is σ² p/(n − p − 1)).
    func testEmpiricalRisksMatchTheory() throws {
        let seed = freshSeed()
        for lambda in [RidgeLambda.optimal, .value(0.2)] {
            let s = RidgeSettings(n: 200, gammas: [0.5, 2], sigma2: 0.5, lambda: lambda, r2: 1, samples: 40, seed: seed)
            let report = try RidgeRun.run(s, on: cpu)
            for p in report.points {
                for (what, e) in [("ridge", p.ridge), ("min-norm", p.minNorm)] {
                    XCTAssertEqual(e.mean, e.theory, accuracy: 4 * e.standardError + 0.04 * e.theory,
                                   "\(what) at γ \(p.gamma), λ \(lambda), seed \(seed)")
                }
            }
        }
        // Double descent in the measurements: at γ = 1 the min-norm risk is far above both sides.
        let dd = try RidgeRun.run(RidgeSettings(n: 100, gammas: [0.5, 1, 2], sigma2: 0.5, lambda: .value(0.1), samples: 10,
                                                seed: seed), on: cpu)
        XCTAssertGreaterThan(dd.points[1].minNorm.mean, 5 * max(dd.points[0].minNorm.mean, dd.points[2].minNorm.mean))
        XCTAssertLessThan(dd.points[1].ridge.mean, 2, "ridge does not blow up at γ = 1")
    }

    /// The dual (p > n) and primal ridge solves agree; λ = 0 ridge is the min-norm solution.
    func testRidgeSolvers() throws {
        let (n, p, lambda) = (20, 35, 0.3)
        let x: [Double] = PhiloxFill.normal(count: n * p, seed: 4, stream: 0)
        let y: [Double] = PhiloxFill.normal(count: n, seed: 4, stream: 1)
        let dual = try RidgeRun.ridgeFit(x, y, n: n, p: p, lambda: lambda)
        var a = Linalg.gram(x, rows: n, cols: p)
        for i in 0..<p { a[i * p + i] += Double(n) * lambda }
        let primal = try LAPACK.solvePositiveDefinite(a, n: p, b: Linalg.multiply(x, rows: n, cols: p, y, transposed: true))
        XCTAssertLessThan(Compare.maxRelativeError(primal, dual, floor: 1), 1e-10)
        // Minimum-norm least squares interpolates when p > n and has the smallest norm.
        let mn = try LAPACK.leastSquaresMinNorm(x, rows: n, cols: p, b: y)
        XCTAssertLessThan(Compare.maxRelativeError(y, Linalg.multiply(x, rows: n, cols: p, mn), floor: 1), 1e-10)
        let tiny = try RidgeRun.ridgeFit(x, y, n: n, p: p, lambda: 1e-10)
        XCTAssertLessThan(Compare.maxRelativeError(mn, tiny, floor: 1), 1e-6)
    }

    /// Draws do not depend on the device or the grid; CPU and OpenCL give the same risks.
    func testDeterminismAcrossDevicesAndGrids() throws {
        let cl = try openCLBackend()
        let s = RidgeSettings(n: 30, gammas: [0.5, 1.5], sigma2: 0.3, lambda: .optimal, samples: 3, seed: 9)
        let a = try RidgeRun.run(s, on: cpu), b = try RidgeRun.run(s, on: cl)
        for (p, q) in zip(a.points, b.points) {
            XCTAssertEqual(p.ridge.mean, q.ridge.mean, accuracy: 1e-9 * p.ridge.mean)
            XCTAssertEqual(p.minNorm.mean, q.minNorm.mean, accuracy: 1e-9 * p.minNorm.mean)
        }
        var single = s
        single.gammas = [1.5]
        XCTAssertEqual(try RidgeRun.run(single, on: cpu).points[0].ridge.mean, a.points[1].ridge.mean)
    }

    func testBadInput() throws {
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(try parseGammaList("0.5, 2"), [0.5, 2])
        XCTAssertEqual(try parseGammaList("0.5:1.5:0.5,3"), [0.5, 1, 1.5, 3])
        XCTAssertTrue(message { try parseGammaList("0.5,0") }.contains("every γ must be positive"))
        XCTAssertTrue(message { try parseGammaList("a") }.contains("not a number"))
        XCTAssertTrue(message { try parseGammaList("1:0:0.1") }.contains("step > 0"))
        XCTAssertEqual(try RidgeLambda(parsing: "optimal"), .optimal)
        XCTAssertEqual(try RidgeLambda(parsing: "0.25"), .value(0.25))
        XCTAssertTrue(message { try RidgeLambda(parsing: "-1") }.contains("the ridge λ must be a number ≥ 0 or 'optimal' (got '-1')"))
        let ok = RidgeSettings(n: 50, gammas: [0.5], sigma2: 1, lambda: .optimal, samples: 2)
        var bad = ok
        bad.n = 0
        XCTAssertTrue(message { try bad.validate() }.contains("the observations n must be at least 1 (got 0)"))
        bad = ok
        bad.samples = 0
        XCTAssertTrue(message { try bad.validate() }.contains("the samples per γ must be at least 1 (got 0)"))
        bad = ok
        bad.sigma2 = -1
        XCTAssertTrue(message { try bad.validate() }.contains("the noise variance σ² must be a number ≥ 0 (got -1"))
        bad = ok
        bad.gammas = [0.001]
        XCTAssertTrue(message { try bad.validate() }.contains("0 features"))
        bad = ok
        bad.r2 = 0
        XCTAssertTrue(message { try RidgeRun.run(bad, on: self.cpu) }.contains("the signal strength r² must be positive (got 0"))
    }

    func testPlotIsWellFormed() throws {
        let s = RidgeSettings(n: 40, gammas: [0.5, 1, 1.5], sigma2: 0.5, lambda: .value(0.05), samples: 2)
        let report = try RidgeRun.run(s, on: cpu)
        let url = try temporaryDirectory(self).appendingPathComponent("ridge.svg")
        try report.plot().write(to: url)
        try assertWellFormedSVG(url)
    }
}
