import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import CBLAS
import XCTest

/// The six checks of shared/docs/MODELS.md (docs/checks.md C1, C4–C8) for the Lyapunov engine.
final class LyapunovTests: XCTestCase {
    /// Eigenvalues of a row-major n×n matrix by LAPACK.
    func eigenvalues(_ a: [Double], _ n: Int) -> [(re: Double, im: Double)] {
        var m = a, wr = [Double](repeating: 0, count: n), wi = wr
        var vl = [Double](repeating: 0, count: 1), vr = vl
        let info = LAPACKE_dgeev(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "N")), Int32(n), &m,
                                 Int32(n), &wr, &wi, &vl, 1, &vr, 1)
        XCTAssertEqual(info, 0)
        return zip(wr, wi).map { ($0, $1) }
    }

    func run<M: RecurrentModel>(_ model: M, _ config: LyapunovConfig) throws -> LyapunovResult {
        let r = try LyapunovRun(model: model, config: config, identity: [:])
        guard case .finished(let result) = try r.run() else { throw ComputeError.invalidArgument("the run stopped without being asked to") }
        return result
    }

    /// Check 1: a linear map with a real spectrum of distinct moduli, W = S D S⁻¹: exponents
    /// ln|d_i| to 1e-6 relative.
    func testLinearMapRealSpectrum() throws {
        let seed = freshSeed()
        let n = 12
        let d: [Double] = (0..<n).map { i in (i % 2 == 0 ? 1 : -1) * Foundation.exp(0.4 - 0.15 * Double(i)) }
        var s: [Double] = PhiloxFill.normal(count: n * n, seed: seed, stream: 5)
        for i in 0..<n { s[i * n + i] += 3 }  // well conditioned
        let w = matrixWithEigenvectors(s, d, n)
        let model = try LinearMap<Double>(backend: CPUBackend.shared, matrix: w, units: n)
        let r = try run(model, LyapunovConfig(steps: 400, transient: 0, qTransient: 400, k: n))
        let expected = d.map { Foundation.log(Swift.abs($0)) }.sorted(by: >)
        for (got, want) in zip(r.exponents, expected) {
            XCTAssertEqual(got, want, accuracy: 1e-6 * Swift.abs(want), "seed \(seed)")
        }
    }

    /// Check 1 for a Gaussian W: complex pairs share a modulus, so compare sorted moduli with a
    /// tolerance that covers the O(1/T) split within a pair; the sum is exact to round-off.
    func testLinearMapGaussian() throws {
        let seed = freshSeed()
        let n = 16
        let model = try LinearMap<Double>(backend: CPUBackend.shared, units: n, g: 1.2, seed: seed)
        let r = try run(model, LyapunovConfig(steps: 4000, transient: 0, qTransient: 200, k: n))
        let mu = eigenvalues(try model.matrix.toArray(), n)
        let expected = mu.map { 0.5 * Foundation.log($0.re * $0.re + $0.im * $0.im) }.sorted(by: >)
        for (got, want) in zip(r.exponents, expected) { XCTAssertEqual(got, want, accuracy: 2e-2, "seed \(seed)") }
        XCTAssertEqual(r.sum, expected.reduce(0, +), accuracy: 1e-6 * Swift.abs(expected.reduce(0, +)) + 1e-9)
    }

    /// Check 2: the full spectrum's sum equals the time average of ln|det M| / δ along the same
    /// trajectory, to round-off; with J_ii = 0 and small δ the mean exponent is −1.
    func testSumRule() throws {
        let seed = freshSeed()
        let (n, dt) = (30, 0.05)
        let model = try RateNetwork<Double>(backend: CPUBackend.shared, units: n, g: 3, dt: dt, seed: seed)
        let config = LyapunovConfig(steps: 300, transient: 100, qTransient: 50, k: n, seed: seed)
        let r = try run(model, config)
        // Replay the trajectory and add up ln|det M_t|.
        let x = try JacobianCheck.randomStates(model, batch: 1, seed: seed)
        for _ in 0..<(config.transient + config.qTransient) { try model.step(x) }
        var logDet = 0.0
        for _ in 0..<config.steps {
            var m = try model.jacobian(x).toArray()
            var ipiv = [Int32](repeating: 0, count: n)
            XCTAssertEqual(LAPACKE_dgetrf(LAPACK_ROW_MAJOR, Int32(n), Int32(n), &m, Int32(n), &ipiv), 0)
            for i in 0..<n { logDet += Foundation.log(Swift.abs(m[i * n + i])) }
            try model.step(x)
        }
        let expected = logDet / (Double(config.steps) * dt)
        XCTAssertEqual(r.sum, expected, accuracy: 1e-9 * Swift.abs(expected), "seed \(seed)")
        XCTAssertEqual(r.sum / Double(n), -1, accuracy: 0.05)
    }

    /// Check 3: g = 0.5, δ = 0.1: the state decays to 0 and λ_i = ln|1 − δ + δ μ_i(J)| / δ.
    func testStableRegime() throws {
        let seed = freshSeed()
        let (n, dt) = (20, 0.1)
        let model = try RateNetwork<Double>(backend: CPUBackend.shared, units: n, g: 0.5, dt: dt, seed: seed)
        let r = try run(model, LyapunovConfig(steps: 10000, transient: 1500, qTransient: 200, k: n, seed: seed))
        let mu = eigenvalues(try model.couplings.toArray(), n)
        let expected = mu.map { m in
            0.5 * Foundation.log(pow(1 - dt + dt * m.re, 2) + pow(dt * m.im, 2)) / dt
        }.sorted(by: >)
        for (got, want) in zip(r.exponents, expected) { XCTAssertEqual(got, want, accuracy: 1e-2, "seed \(seed)") }
    }

    /// Check 4: products of i.i.d. Gaussian matrices against Newman's formula.
    func testGaussianProducts() throws {
        let seed = freshSeed()
        let (n, s) = (8, 1.5)
        let model = try GaussianProduct<Double>(backend: CPUBackend.shared, units: n, gain: s, seed: seed)
        let r = try run(model, LyapunovConfig(steps: 20000, transient: 0, qTransient: 10, k: n, seed: seed))
        let expected = SpecialFunctions.gaussianProductExponents(n: n, gain: s)
        // Each estimate has standard deviation ≈ 0.5/√T·√(ψ'((N−i+1)/2)) ≲ 0.01 at T = 20000.
        for (got, want) in zip(r.exponents, expected) { XCTAssertEqual(got, want, accuracy: 0.04, "seed \(seed)") }
    }

    /// Check 6: CPU and OpenCL spectra of the same network from the same seed.
    func testCPUAndOpenCLAgree() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        let config = LyapunovConfig(steps: 200, transient: 100, k: 10, reorth: 5, seed: seed, batch: 2)
        let a = try run(RateNetwork<Double>(backend: CPUBackend.shared, units: 40, g: 2, dt: 0.1, seed: seed), config)
        let b = try run(RateNetwork<Double>(backend: cl, units: 40, g: 2, dt: 0.1, seed: seed), config)
        XCTAssertLessThan(Compare.maxRelativeError(a.exponents, b.exponents, floor: 1), 1e-8, "seed \(seed)")
        let fa = try run(RateNetwork<Float>(backend: CPUBackend.shared, units: 40, g: 2, dt: 0.1, seed: seed), config)
        XCTAssertLessThan(Compare.maxRelativeError(a.exponents, fa.exponents, floor: 1), 1e-2, "f32 vs f64, seed \(seed)")
    }

    func testDigamma() {
        XCTAssertEqual(SpecialFunctions.digamma(1), -0.5772156649015329, accuracy: 1e-13)
        XCTAssertEqual(SpecialFunctions.digamma(0.5), -1.9635100260214235, accuracy: 1e-13)
        XCTAssertEqual(SpecialFunctions.digamma(10), 2.251752589066721, accuracy: 1e-13)
    }

    func testMetrics() {
        XCTAssertEqual(SpectrumMetrics.kaplanYorke([0.5, 0.1, -0.3, -1]), 3 + 0.3 / 1, accuracy: 1e-12)
        XCTAssertEqual(SpectrumMetrics.kaplanYorke([-0.1, -1]), 0)
        XCTAssertEqual(SpectrumMetrics.entropyRate([0.5, 0.1, -0.3]), 0.6, accuracy: 1e-15)
    }

    /// CholeskyQR2 and the host Householder QR give the same Q and ln R_ii (the QR with a
    /// positive diagonal is unique), on the CPU and on the device.
    func testCholeskyQR2MatchesHouseholder() throws {
        let seed = freshSeed()
        for be in [CPUBackend.shared as any Backend, try openCLBackend()] {
            let a: [Double] = PhiloxFill.normal(count: 90 * 30, seed: seed, stream: 3)
            let q1 = try be.tensor(a, shape: [90, 30]), q2 = try be.tensor(a, shape: [90, 30])
            let l1 = try TangentQR.hostQR(q1)
            let l2 = try CholeskyQR2<Double>(backend: be).orthonormalize(q2)
            XCTAssertLessThan(Compare.maxRelativeError(l1, l2, floor: 1), 1e-12, be.label)
            XCTAssertLessThan(Compare.maxRelativeError(try q1.toArray(), try q2.toArray(), floor: 1), 1e-12, be.label)
        }
        let cl = try openCLBackend()
        let config = LyapunovConfig(steps: 100, transient: 50, k: 12, reorth: 2, seed: seed, qr: .cholesky)
        var host = config
        host.qr = .host
        let a = try run(RateNetwork<Double>(backend: cl, units: 30, g: 2.5, dt: 0.1, seed: seed), config)
        let b = try run(RateNetwork<Double>(backend: cl, units: 30, g: 2.5, dt: 0.1, seed: seed), host)
        XCTAssertLessThan(Compare.maxRelativeError(a.exponents, b.exponents, floor: 1), 1e-10)
    }

    /// Deliberately ill-conditioned blocks A = U Σ Vᵀ (singular values 1 … 1/κ, log-spaced):
    /// past the condition limit the shifted pass comes first, and Q is orthonormal to round-off
    /// with the same R as Householder's, as accurate as Householder (docs/lyapunov.md L5a).
    func testIllConditionedBlocksStayOrthonormal() throws {
        let seed = freshSeed()
        let (s, k) = (120, 16)
        func orthonormalColumns(_ rows: Int, _ cols: Int, _ stream: UInt32) throws -> [Double] {
            let z = try CPUBackend.shared.tensor(PhiloxFill.normal(count: rows * cols, seed: seed, stream: stream) as [Double],
                                                 shape: [rows, cols])
            _ = try TangentQR.hostQR(z)
            return try z.toArray()
        }
        let u = try orthonormalColumns(s, k, 11), v = try orthonormalColumns(k, k, 12)
        for be in [CPUBackend.shared as any Backend] + ((try? openCLBackend()).map { [$0] } ?? []) {
            for (kappa, shifted) in [(1e2, false), (1e7, true), (1e11, true)] {
                let sigma = (0..<k).map { Foundation.pow(kappa, -Double($0) / Double(k - 1)) }
                var a = [Double](repeating: 0, count: s * k)
                for r in 0..<s { for j in 0..<k { for i in 0..<k { a[r * k + j] += u[r * k + i] * sigma[i] * v[j * k + i] } } }
                let qr = CholeskyQR2<Double>(backend: be)
                let q1 = try be.tensor(a, shape: [s, k]), q2 = try be.tensor(a, shape: [s, k])
                let householder = try TangentQR.hostQR(q1)
                let logs = try qr.orthonormalize(q2)
                XCTAssertEqual(qr.shiftedCalls, shifted ? 1 : 0, "κ = \(kappa) on \(be.label)")
                XCTAssertEqual(qr.householderCalls, 0, "κ = \(kappa): no fallback to the host")
                let q = try q2.toArray()
                var worst = 0.0
                for i in 0..<k {
                    for j in 0..<k {
                        let d = (0..<s).reduce(0) { $0 + q[$1 * k + i] * q[$1 * k + j] }
                        worst = max(worst, Swift.abs(d - (i == j ? 1 : 0)))
                    }
                }
                XCTAssertLessThan(worst, 1e-13, "‖QᵀQ − I‖ at κ = \(kappa) on \(be.label), seed \(seed)")
                // ln R_ii agree to the accuracy Householder itself has there: u·κ relative in R_kk.
                for (x, y) in zip(householder, logs) { XCTAssertEqual(x, y, accuracy: 1e-14 * kappa + 1e-12, "κ = \(kappa)") }
            }
        }
        // At κ = 1e11 the plain Cholesky of G (cond 1e22 > 1/u) fails: before the shifted pass this
        // block went to the host Householder QR. The limit (1e6 in float64) is conservative: the
        // plain passes still held at κ = 1e7 on these blocks.
        XCTAssertEqual(CholeskyQR2<Double>.conditionLimit, 0.01 / Double.ulpOfOne.squareRoot(), accuracy: 1)
    }
}
