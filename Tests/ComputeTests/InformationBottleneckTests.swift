import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import Foundation
import XCTest

final class InformationBottleneckTests: XCTestCase {
    /// A random jointly Gaussian problem: joint covariance G Gᵀ + 0.2 I from Philox normals.
    func gaussianProblem(seed: UInt64, dx: Int = 3, dy: Int = 2) throws -> GaussianIBProblem {
        let n = dx + dy
        let g = HostMatrix(rows: n, cols: n, values: PhiloxFill.normal(count: n * n, seed: seed, stream: 1))
        let c = g * g.transposed + 0.2 * .identity(n)
        return try GaussianIBProblem(covX: HostMatrix(rows: dx, cols: dx) { c[$0, $1] },
                                     covY: HostMatrix(rows: dy, cols: dy) { c[dx + $0, dx + $1] },
                                     covXY: HostMatrix(rows: dx, cols: dy) { c[$0, dx + $1] })
    }

    /// A problem with prescribed λ (d_x = λ.count): X = L X̃, Y = R(diag(√(1 − λ)) X̃ + diag(√λ) Z)
    /// for X̃, Z ~ N(0, I) and random L, R from Philox (diagonals lifted so both are well
    /// conditioned); the first d_y coordinates drive Y, the rest have λ = 1.
    func gaussianProblem(seed: UInt64, lambdas: [Double], dy: Int) throws -> GaussianIBProblem {
        let dx = lambdas.count
        let l = HostMatrix(rows: dx, cols: dx, values: PhiloxFill.normal(count: dx * dx, seed: seed, stream: 4))
            + 2 * .identity(dx)
        let r = HostMatrix(rows: dy, cols: dy, values: PhiloxFill.normal(count: dy * dy, seed: seed, stream: 5))
            + 2 * .identity(dy)
        let sx = HostMatrix(rows: dx, cols: dy) { i, j in i == j ? (1 - lambdas[i]).squareRoot() : 0 }
        return try GaussianIBProblem(covX: l * l.transposed, covY: r * r.transposed, covXY: l * sx * r.transposed)
    }

    // MARK: Gaussian IB

    func testCriticalBetasMatchEigenvalueFormula() throws {
        let seed = freshSeed()
        let p = try gaussianProblem(seed: seed, dx: 4, dy: 4)
        let ib = try GaussianIB(p)
        // Σ_{x|y} Σ_x⁻¹ formed explicitly, its eigenvalues from the general solver.
        let m = ib.conditional * (try p.covX.inverseSPD())
        let (re, im) = try LAPACK.eigenvalues(general: m.values, n: 4)
        XCTAssertLessThan(im.map(abs).max() ?? 0, 1e-10)
        let ref = re.sorted()
        for i in 0..<4 {
            XCTAssertEqual(ib.eigenvalues[i], ref[i], accuracy: 1e-10)
            XCTAssertEqual(ib.criticalBetas[i], 1 / (1 - ref[i]), accuracy: 1e-8 * ib.criticalBetas[i])
            XCTAssertGreaterThan(ib.eigenvalues[i], 0)
            XCTAssertLessThan(ib.eigenvalues[i], 1)
            XCTAssertEqual(ib.norms[i], 1, accuracy: 1e-10)
            // vᵢ is a left eigenvector: vᵢᵀ M = λᵢ vᵢᵀ.
            let v = ib.eigenvectors.column(i)
            let vm = Linalg.multiply(m.values, rows: 4, cols: 4, v, transposed: true)
            for j in 0..<4 { XCTAssertEqual(vm[j], ib.eigenvalues[i] * v[j], accuracy: 1e-9) }
        }
        XCTAssertEqual(ib.activeCount(beta: ib.criticalBetas[1] * 1.001), 2)
        // With d_y < d_x one direction of X says nothing about Y: λ = 1, β = ∞, never used.
        let thin = try GaussianIB(try gaussianProblem(seed: seed, dx: 4, dy: 2))
        XCTAssertEqual(thin.eigenvalues.suffix(2), [1, 1])
        XCTAssertEqual(thin.criticalBetas.filter(\.isFinite).count, 2)
        XCTAssertEqual(thin.activeCount(beta: 1e12), 2)
        XCTAssertEqual(thin.gains(beta: 1e12).suffix(2), [0, 0])
    }

    func testClosedFormAgainstBruteForce() throws {
        let seed = freshSeed()
        let p = try gaussianProblem(seed: seed, lambdas: [0.15, 0.4, 0.7], dy: 3)
        let ib = try GaussianIB(p)
        let bc = ib.criticalBetas
        XCTAssertEqual(bc[2], 1 / 0.3, accuracy: 1e-9)
        // Below the first transition, between each pair, and above the last.
        let betas = [0.8 * bc[0], (bc[0] + bc[1]) / 2, (bc[1] + bc[2]) / 2, 1.5 * bc[2]]
        var solver = try GeneralizedGaussianIB(ib, measure: .shannon)
        solver.useClosedFormStart = false
        solver.continuation = false
        solver.randomStarts = 4
        solver.seed = seed
        let sols = try solver.solve(betas: betas)
        XCTAssertEqual(sols.count, betas.count)
        for (s, beta) in zip(sols, betas) {
            let closed = ib.curve(beta: beta)
            // The closed-form encoder reproduces the closed-form curve.
            let viaEncoder = try ib.informations(encoder: ib.encoder(beta: beta))
            XCTAssertEqual(viaEncoder.iTX, closed.iTX, accuracy: 1e-9)
            XCTAssertEqual(viaEncoder.iTY, closed.iTY, accuracy: 1e-9)
            // No general encoder does better, and the brute force finds the same optimum.
            XCTAssertEqual(s.shannonObjective, ib.optimalObjective(beta: beta), accuracy: 1e-7, "β = \(beta)")
            XCTAssertGreaterThan(s.shannonGap, -1e-9 * (1 + abs(s.shannonOptimum)))
            XCTAssertEqual(s.iTX, closed.iTX, accuracy: 1e-3 * max(1, closed.iTX), "β = \(beta)")
            XCTAssertEqual(s.iTY, closed.iTY, accuracy: 1e-3 * max(1, closed.iTY), "β = \(beta)")
            XCTAssertEqual(s.activeDirections, ib.activeCount(beta: beta), "β = \(beta)")
        }
    }

    func testDivergenceClosedFormsAndGradient() throws {
        let seed = freshSeed()
        let p = try gaussianProblem(seed: seed, lambdas: [0.25, 0.5, 1], dy: 2)
        let ib = try GaussianIB(p)
        let at = HostMatrix(rows: 3, cols: 3, values: PhiloxFill.normal(count: 9, seed: seed, stream: 2))
        for measure in [IBMeasure.shannon, .renyi(0.5), .renyi(1.7), .jeffreys] {
            let solver = try GeneralizedGaussianIB(ib, measure: measure)
            let beta = 3.0
            let (f, g) = try solver.objective(at, beta: beta)
            // The canonical-correlation form agrees with the matrix closed forms of the divergences.
            let joint = solver.jointCovariances(at * solver.lInv)
            let mx = try GaussianDivergence.information(measure, joint: joint.tx, split: 3)
            let my = try GaussianDivergence.information(measure, joint: joint.ty, split: 3)
            XCTAssertEqual(f, mx - beta * my, accuracy: 1e-9 * max(1, abs(f)), measure.name)
            // The analytic gradient against central differences.
            for idx in [0, 4, 7] {
                var plus = at, minus = at
                let h = 1e-6
                plus.values[idx] += h
                minus.values[idx] -= h
                let fd = (try solver.objective(plus, beta: beta).value - solver.objective(minus, beta: beta).value) / (2 * h)
                XCTAssertEqual(g.values[idx], fd, accuracy: 1e-5 * max(1, abs(fd)), "\(measure.name) entry \(idx)")
            }
        }
        // Rényi tends to Kullback–Leibler as α → 1; Jeffreys is the symmetrised KL.
        let a = p.joint, b = HostMatrix(rows: 5, cols: 5) { $0 == $1 ? 1.5 : 0 }
        let kl = try GaussianDivergence.kl(a, b)
        XCTAssertEqual(try GaussianDivergence.renyi(1 + 1e-7, a, b), kl, accuracy: 1e-5 * kl)
        XCTAssertEqual(try GaussianDivergence.jeffreys(a, b), kl + (try GaussianDivergence.kl(b, a)), accuracy: 1e-9 * kl)
        // A one-dimensional Rényi divergence against its integral, ∫ p^α q^{1−α} by quadrature.
        let (sp, sq, alpha) = (0.7, 1.3, 0.6)
        var integral = 0.0
        let dz = 1e-3
        for i in -20000...20000 {
            let z = Double(i) * dz
            let pz = exp(-z * z / (2 * sp * sp)) / (sp * (2 * Double.pi).squareRoot())
            let qz = exp(-z * z / (2 * sq * sq)) / (sq * (2 * Double.pi).squareRoot())
            integral += pow(pz, alpha) * pow(qz, 1 - alpha) * dz
        }
        let renyi1d = try GaussianDivergence.renyi(alpha, HostMatrix(rows: 1, cols: 1, values: [sp * sp]),
                                                   HostMatrix(rows: 1, cols: 1, values: [sq * sq]))
        XCTAssertEqual(renyi1d, log(integral) / (alpha - 1), accuracy: 1e-9)
    }

    func testGeneralizedTransitionsAtShannonCriticalBetas() throws {
        let seed = freshSeed()
        let p = try gaussianProblem(seed: seed, lambdas: [0.2, 0.5, 1], dy: 2)
        let ib = try GaussianIB(p)
        let bc = ib.criticalBetas
        // d_y = 2 < d_x = 3: the third direction never switches on (βᵢ = ∞).
        let betas = bc.filter(\.isFinite).flatMap { [$0 * 0.97, $0 * 1.03] }.sorted()
        for measure in [IBMeasure.renyi(0.5), .renyi(1.5), .jeffreys] {
            var solver = try GeneralizedGaussianIB(ib, measure: measure)
            solver.seed = seed
            let sols = try solver.solve(betas: betas)
            let transitions = IBTransition.detect(sols, critical: bc, threshold: solver.activityThreshold)
            for t in transitions {
                XCTAssertTrue(t.matches, "\(measure.name): direction \(t.direction) at βᵢ = \(t.shannonBeta) switched on in (\(String(describing: t.lo)), \(String(describing: t.hi))]")
            }
            for s in sols {
                XCTAssertGreaterThan(s.shannonGap, -1e-9 * (1 + abs(s.shannonOptimum)))
                XCTAssertLessThan(s.gradientNorm, 1e-5 * (1 + abs(s.objective)), "\(measure.name) β = \(s.beta)")
                XCTAssertTrue(s.converged, "\(measure.name) β = \(s.beta)")
                // Its own objective is no worse than at the Shannon encoder.
                let shannonEncoder = ib.encoder(beta: s.beta) * solver.l
                XCTAssertLessThanOrEqual(s.objective, try solver.objective(shannonEncoder, beta: s.beta).value + 1e-9)
            }
        }
        // One quasi-Newton iteration from random starts is not a stationary point, and says so.
        var short = try GeneralizedGaussianIB(ib, measure: .renyi(0.5))
        (short.seed, short.maxIterations, short.useClosedFormStart, short.continuation) = (seed, 1, false, false)
        XCTAssertTrue(try short.solve(betas: betas).contains { !$0.converged })
    }

    /// Rényi-2 of a Gaussian pair is −log(1 − ρ²), twice the mutual information, so its IB
    /// solution is the Shannon one: the Shannon gap vanishes.
    func testRenyiTwoIsTwiceShannon() throws {
        let seed = freshSeed()
        let ib = try GaussianIB(try gaussianProblem(seed: seed, lambdas: [0.3, 0.6, 0.8], dy: 3))
        XCTAssertEqual(IBMeasure.renyi(2).pair(0.3), 2 * IBMeasure.shannon.pair(0.3), accuracy: 1e-15)
        var solver = try GeneralizedGaussianIB(ib, measure: .renyi(2))
        solver.seed = seed
        for s in try solver.solve(betas: ib.criticalBetas.map { $0 * 1.2 }) {
            XCTAssertEqual(s.shannonGap, 0, accuracy: 1e-7 * (1 + abs(s.shannonOptimum)))
            XCTAssertEqual(s.measureTX, 2 * s.iTX, accuracy: 1e-9 * (1 + s.iTX))
        }
    }

    func testGaussianBadInput() throws {
        let good = HostMatrix(rows: 2, cols: 2, values: [1, 0.2, 0.2, 1])
        let notPD = HostMatrix(rows: 2, cols: 2, values: [1, 2, 2, 1])
        let y = HostMatrix(rows: 1, cols: 1, values: [1])
        let xy = HostMatrix(rows: 2, cols: 1, values: [0.3, 0.1])
        assertError(try GaussianIBProblem(covX: notPD, covY: y, covXY: xy), contains: "Σ_x (2×2) is not positive definite")
        assertError(try GaussianIBProblem(covX: good, covY: y, covXY: HostMatrix(rows: 2, cols: 1, values: [1, 0.5])),
                    contains: "joint covariance")
        assertError(try GaussianIBProblem(covX: HostMatrix(rows: 2, cols: 2, values: [1, 0.2, 0.3, 1]), covY: y, covXY: xy),
                    contains: "not symmetric")
        assertError(try GaussianIBProblem(covX: good, covY: y, covXY: y), contains: "Σ_xy must be")
        assertError(try IBMeasure(parsing: "renyi:1"), contains: "Rényi order")
        assertError(try IBMeasure(parsing: "tsallis"), contains: "shannon, renyi:A")
    }

    func testSampleCovariances() throws {
        let seed = freshSeed()
        let n = 4000
        let z: [Double] = PhiloxFill.normal(count: 2 * n, seed: seed, stream: 3)
        // X = z₁, Y = 0.8 z₁ + 0.6 z₂: Σ_x = 1, Σ_y = 1, Σ_xy = 0.8, λ = 1 − 0.64.
        let x = HostMatrix(rows: n, cols: 1, values: (0..<n).map { z[2 * $0] })
        var yv = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let a: Double = z[2 * i], b: Double = z[2 * i + 1]
            yv[i] = 0.8 * a + 0.6 * b
        }
        let y = HostMatrix(rows: n, cols: 1, values: yv)
        let p = try GaussianIBProblem.fromSamples(x: x, y: y)
        let ib = try GaussianIB(p)
        XCTAssertEqual(ib.eigenvalues[0], 0.36, accuracy: 0.03)
        assertError(try GaussianIBProblem.fromSamples(x: x, y: HostMatrix(rows: n, cols: 1, values: x.values)),
                    contains: "not positive definite")
    }

    // MARK: discrete IB

    /// The binary symmetric channel with crossover ε and uniform input. Derivation of its onset:
    /// p(x) = p(y) = ½, so B = p(x,y)/√(p(x)p(y)) = [[1 − ε, ε], [ε, 1 − ε]], symmetric with
    /// eigenvectors (1, 1) (eigenvalue 1) and (1, −1) (eigenvalue 1 − 2ε): ρ = |1 − 2ε|. Perturb the
    /// trivial encoder along the only non-constant direction, p(t|x) = p(t)(1 + δ a_t s(x)) with
    /// s(x) = ±1 and Σ_t p(t) a_t = 0: to second order I(T;X) = ½δ² Σ_t p(t) a_t², and since
    /// E[s(X) | Y = y] = (1 − 2ε) s(y), I(T;Y) = ½δ² (1 − 2ε)² Σ_t p(t) a_t². So I(T;X) − β I(T;Y)
    /// = ½δ² Σ_t p(t) a_t² (1 − β(1 − 2ε)²), negative exactly when β > 1/(1 − 2ε)². The IB curve of
    /// the doubly symmetric binary source, I(T;Y) = log 2 − h(ε ∗ h⁻¹(log 2 − I(T;X))) (Mrs Gerber's
    /// lemma), is concave with slope (1 − 2ε)² at the origin, so η_KL = (1 − 2ε)² = ρ² and the onset
    /// is continuous: β_c = 1/(1 − 2ε)².
    func testBinarySymmetricChannelOnset() throws {
        let eps = 0.2
        let betaC = 1 / ((1 - 2 * eps) * (1 - 2 * eps))  // 2.777…
        let p = try DiscreteIBProblem.binarySymmetricChannel(crossover: eps)
        let step = 0.1
        var s = DiscreteIBSettings(clusters: 2, betas: (0..<41).map { 1 + step * Double($0) })
        s.seed = freshSeed()
        let sol = try DiscreteIB.solve(p, s, on: CPUBackend.shared)
        let onset = try IBOnset.estimate(p, points: sol.points, threshold: s.onsetThreshold, seed: s.seed)
        XCTAssertEqual(onset.rho, 1 - 2 * eps, accuracy: 1e-12)
        XCTAssertEqual(onset.betaRho, betaC, accuracy: 1e-9)
        XCTAssertEqual(onset.etaKL, (1 - 2 * eps) * (1 - 2 * eps), accuracy: 1e-6)
        let found = try XCTUnwrap(onset.fromSolutions)
        XCTAssertGreaterThanOrEqual(found, betaC)
        XCTAssertLessThanOrEqual(found, betaC + step + 1e-9)
        XCTAssertEqual(onset.matches, "both")
        // Below the onset nothing is learned; above it the curve rises and respects I(T;Y) ≤ I(X;Y).
        for pt in sol.points {
            if pt.beta < betaC - step { XCTAssertLessThan(pt.iTX, s.onsetThreshold, "β = \(pt.beta)") }
            XCTAssertLessThanOrEqual(pt.iTY, min(pt.iTX, p.mutualInformation) + 1e-9)
        }
        let last = try XCTUnwrap(sol.points.last)
        XCTAssertGreaterThan(last.iTY, 0.5 * p.mutualInformation)
        XCTAssertTrue(sol.points.filter { $0.beta > betaC + 2 * step }.allSatisfy(\.converged))
    }

    /// A Z-channel with non-uniform input, p(x) = (0.3, 0.7), W = [[1, 0], [0.4, 0.6]]: the
    /// supremum of D(qW‖pW)/D(q‖p) sits at the vertex q = (1, 0), where it is
    /// log(1/0.58)/log(1/0.3) ≈ 0.4524 > ρ² ≈ 0.3103. The trivial encoder is still locally stable
    /// up to 1/ρ², but the IB optimum jumps away from it at 1/η_KL: the onset matches η_KL.
    func testZChannelOnsetFollowsStrongDataProcessing() throws {
        let p = try DiscreteIBProblem(joint: [0.3, 0, 0.28, 0.42], rows: 2, cols: 2)
        let step = 0.1
        var s = DiscreteIBSettings(clusters: 2, betas: (0..<31).map { 1 + step * Double($0) })
        s.seed = freshSeed()
        let sol = try DiscreteIB.solve(p, s, on: CPUBackend.shared)
        let onset = try IBOnset.estimate(p, points: sol.points, threshold: s.onsetThreshold, seed: s.seed)
        let eta = log(1 / 0.58) / log(1 / 0.3)
        XCTAssertEqual(onset.etaKL, eta, accuracy: 1e-6)
        XCTAssertFalse(onset.etaIsLocalLimit)
        XCTAssertLessThan(onset.rho * onset.rho, eta - 0.1)
        let found = try XCTUnwrap(onset.fromSolutions)
        XCTAssertGreaterThanOrEqual(found, 1 / eta)
        XCTAssertLessThanOrEqual(found, 1 / eta + step + 1e-9)
        XCTAssertEqual(onset.matches, "1/eta_KL")
    }

    func testCPUAndOpenCLSweepsAgree() throws {
        let dev = try openCLBackend()
        let seed = freshSeed()
        assertAllPass(try IBChecks.sweep.run(CPUBackend.shared, dev, seed))
        // The whole continuation driver gives the same curve on both engines.
        let p = try IBChecks.problem(seed: seed, nx: 6, ny: 4)
        var s = DiscreteIBSettings(clusters: 3, betas: (0..<15).map { 1 + 1.5 * Double($0) })
        s.seed = seed
        s.maxIterations = 800
        let a = try DiscreteIB.solve(p, s, on: CPUBackend.shared)
        let b = try DiscreteIB.solve(p, s, on: dev)
        XCTAssertLessThan(Compare.maxRelativeError(a.points.map(\.iTY), b.points.map(\.iTY)), 1e-8)
        XCTAssertLessThan(Compare.maxRelativeError(a.points.map(\.iTX), b.points.map(\.iTX)), 1e-8)
    }

    /// The GPU-shaped launch (work-group from the device, up to 256) against the CPU.
    func testGPUShapedSweepAgrees() throws {
        let dev = try gpuShapedBackend()
        assertAllPass(try IBChecks.sweep.run(CPUBackend.shared, dev, freshSeed()))
        let p = try IBChecks.problem(seed: freshSeed(), nx: 70, ny: 5)
        let betas = [2.0, 6.0, 20.0]
        // Rows of p(t|x): weights 1, 2, 3 rotated by the row, normalised.
        let initial = (0..<(betas.count * 70)).flatMap { r in
            let w = (0..<4).map { Double(1 + (r + $0) % 3) }
            return w.map { $0 / w.reduce(0, +) }
        }
        let a = try DiscreteIBSweep.iterate(p, betas: betas, initial: initial, clusters: 4, maxIterations: 200,
                                            tolerance: 1e-12, on: CPUBackend.shared)
        let b = try DiscreteIBSweep.iterate(p, betas: betas, initial: initial, clusters: 4, maxIterations: 200,
                                            tolerance: 1e-12, on: dev)
        XCTAssertLessThan(Compare.maxRelativeError(a.encoders, b.encoders), 1e-9)
    }

    func testDiscreteBadInput() throws {
        assertError(try DiscreteIBProblem(joint: [0.3, 0.3, 0.3, 0.3], rows: 2, cols: 2), contains: "sums to 1.2")
        assertError(try DiscreteIBProblem(joint: [0.6, -0.1, 0.3, 0.2], rows: 2, cols: 2), contains: "negative entry -0.1")
        assertError(try DiscreteIBProblem(joint: [0.5, 0.5, 0, 0], rows: 2, cols: 2), contains: "at least 2 values")
        assertError(try DiscreteIBProblem(joint: [0.5, .nan, 0, 0.5], rows: 2, cols: 2), contains: "non-finite")
        let p = try DiscreteIBProblem.binarySymmetricChannel(crossover: 0.1)
        assertError(try DiscreteIB.solve(p, DiscreteIBSettings(clusters: 1, betas: [1]), on: CPUBackend.shared),
                    contains: "the number of clusters must be at least 2, got 1")
        assertError(try DiscreteIB.solve(p, DiscreteIBSettings(clusters: 2, betas: [2, 1]), on: CPUBackend.shared),
                    contains: "strictly increasing")
        // More clusters than |X| + 2 are refused before any work (a hang-sized sweep before).
        assertError(try DiscreteIB.solve(p, DiscreteIBSettings(clusters: 3_000_000, betas: [1]), on: CPUBackend.shared),
                    contains: "3000000 clusters for 2 values of x: the IB optimum needs at most |X| + 2 = 4")
        XCTAssertNoThrow(try DiscreteIB.solve(p, DiscreteIBSettings(clusters: 4, betas: [1, 2]), on: CPUBackend.shared))
    }

    func assertError<T>(_ body: @autoclosure () throws -> T, contains phrase: String, file: StaticString = #filePath,
                        line: UInt = #line) {
        do {
            _ = try body()
            XCTFail("expected an error containing '\(phrase)'", file: file, line: line)
        } catch {
            XCTAssertTrue("\(error)".contains(phrase), "'\(error)' lacks '\(phrase)'", file: file, line: line)
        }
    }
}
