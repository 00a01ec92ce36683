import Compute
import Dynamics
import OpenCLRuntime
import CBLAS
import XCTest

/// W = S D S⁻¹ (row-major n×n): eigenvalues d_i, eigenvectors the columns of S. Solves
/// Sᵀ Wᵀ = (S D)ᵀ by LAPACK.
func matrixWithEigenvectors(_ s: [Double], _ d: [Double], _ n: Int) -> [Double] {
    var st = [Double](repeating: 0, count: n * n), b = st
    for i in 0..<n { for j in 0..<n { st[i * n + j] = s[j * n + i]; b[i * n + j] = s[j * n + i] * d[i] } }
    var ipiv = [Int32](repeating: 0, count: n)
    precondition(LAPACKE_dgesv(LAPACK_ROW_MAJOR, Int32(n), Int32(n), &st, Int32(n), &ipiv, &b, Int32(n)) == 0)
    var w = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { w[i * n + j] = b[j * n + i] } }
    return w
}

/// Covariant Lyapunov vectors by Ginelli's method (docs/lyapunov.md L15–L18).
final class CovariantVectorTests: XCTestCase {
    func covariant<M: RecurrentModel>(_ model: M, _ config: LyapunovConfig, window: Int) throws -> (LyapunovResult, CovariantVectors) {
        let run = try LyapunovRun(model: model, config: config, identity: [:], covariantSteps: window)
        guard case .finished(let result) = try run.run(), let v = run.covariant else {
            throw ComputeError.invalidArgument("the run stopped without being asked to")
        }
        return (result, v)
    }

    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    func unit(_ a: [Double]) -> [Double] { let n = dot(a, a).squareRoot(); return a.map { $0 / n } }

    /// A linear map's covariant vectors are its eigenvectors (the Gram–Schmidt vectors are not:
    /// they are orthogonal, the eigenvectors of a non-normal W are not), and each grows at ln|d_i|.
    func testLinearMapVectorsAreEigenvectors() throws {
        let seed = freshSeed()
        let (n, k) = (7, 4)
        let d: [Double] = [0.9, -0.7, 0.5, 0.35, -0.25, 0.15, 0.1]
        var s: [Double] = PhiloxFill.normal(count: n * n, seed: seed, stream: 5)
        for i in 0..<n { s[i * n + i] += 2 }
        let w = matrixWithEigenvectors(s, d, n)
        let eigenvectors = (0..<k).map { i in unit((0..<n).map { s[$0 * n + i] }) }
        var results: [CovariantVectors] = []
        for backend in [CPUBackend.shared as any Backend] + ((try? openCLBackend()).map { [$0] } ?? []) {
            let model = try LinearMap<Double>(backend: backend, matrix: w, units: n)
            let (r, v) = try covariant(model, LyapunovConfig(steps: 60, transient: 0, qTransient: 60, k: k, seed: seed), window: 120)
            for i in 0..<k {
                XCTAssertEqual(Swift.abs(dot(v.vector(i), eigenvectors[i])), 1, accuracy: 1e-9, "vector \(i) on \(backend.label), seed \(seed)")
                XCTAssertEqual(r.covariant!.exponents[i], Foundation.log(Swift.abs(d[i])), accuracy: 1e-9)
            }
            // The vectors are not orthogonal: their angles are the eigenvectors'.
            let angles = v.angles(member: 0)
            let want = Foundation.acos(Swift.abs(dot(eigenvectors[0], eigenvectors[1]))) * 180 / .pi
            XCTAssertEqual(angles[1], want, accuracy: 1e-6)
            XCTAssertLessThan(want, 89, "seed \(seed): a test of non-orthogonal vectors needs a non-normal W")
            let ipr = v.inverseParticipationRatios(member: 0)
            for i in 0..<k { XCTAssertEqual(ipr[i], eigenvectors[i].reduce(0) { $0 + Foundation.pow($1, 4) }, accuracy: 1e-9) }
            results.append(v)
        }
        if results.count == 2 {
            for (a, b) in zip(results[0].vectors[0], results[1].vectors[0]) { XCTAssertEqual(a, b, accuracy: 1e-10, "CPU vs OpenCL") }
        }
    }

    /// Products of Gaussian matrices: each covariant vector grows, on average, at its exponent
    /// (Newman's λ_i), and the backward pass converges (a longer window gives the same vectors).
    func testGaussianProductGrowthAndConvergence() throws {
        let seed = freshSeed()
        let (n, k) = (10, 4)
        let config = LyapunovConfig(steps: 200, transient: 0, qTransient: 100, k: k, seed: seed)
        let (r, long) = try covariant(try GaussianProduct<Double>(backend: CPUBackend.shared, units: n, gain: 1, seed: seed),
                                      config, window: 3000)
        let (_, short) = try covariant(try GaussianProduct<Double>(backend: CPUBackend.shared, units: n, gain: 1, seed: seed),
                                       config, window: 600)
        let newman = (1...k).map { i in 0.5 * (Foundation.log(2 / Double(n)) + SpecialFunctions.digamma(Double(n - i + 1) / 2)) }
        let c = r.covariant!
        XCTAssertEqual(c.intervals, 3000)
        for i in 0..<k { XCTAssertEqual(c.exponents[i], newman[i], accuracy: 0.04, "vector \(i), seed \(seed)") }
        XCTAssertEqual(c.firstVectorGrowth.count, 3000)
        XCTAssertEqual(c.firstVectorGrowth.mean, newman[0], accuracy: 0.04)
        XCTAssertGreaterThan(c.firstVectorGrowth.standardDeviation, 0.1, "finite-time growth fluctuates")
        for i in 0..<k {
            XCTAssertEqual(Swift.abs(dot(long.vector(i), short.vector(i))), 1, accuracy: 1e-6, "vector \(i) converged, seed \(seed)")
        }
        // Vector 1 is the first Gram–Schmidt vector: its growth is ln R_11 of the window.
        XCTAssertEqual(zip(long.growth.prefix(600), short.growth).map { Swift.abs($0[0][0] - $1[0][0]) }.max()!, 0, accuracy: 1e-9)
    }

    /// A run stopped inside the window resumes from the checkpoint at the window's start to the same vectors.
    func testStopInsideTheWindowResumesToTheSameVectors() throws {
        let seed = freshSeed()
        let config = LyapunovConfig(steps: 40, transient: 10, k: 3, reorth: 2, seed: seed)
        func model() throws -> RateNetwork<Double> { try RateNetwork<Double>(backend: CPUBackend.shared, units: 20, g: 3, dt: 0.1, seed: seed) }
        let (_, straight) = try covariant(try model(), config, window: 30)
        let url = try temporaryDirectory(self).appendingPathComponent("run.ckpt")
        let first = try LyapunovRun(model: try model(), config: config, identity: [:], covariantSteps: 30)
        guard case .stopped = try first.run(checkpointing: .init(url: url, intervalSeconds: 1e9),
                                            shouldStop: { first.phase == 3 && first.t == 7 }) else { return XCTFail("it did not stop") }
        let second = try LyapunovRun(model: try model(), config: config, identity: [:], covariantSteps: 30)
        try second.resume(from: url)
        XCTAssertEqual(second.phase, 3)
        guard case .finished = try second.run(), let resumed = second.covariant else { return XCTFail("it did not finish") }
        XCTAssertEqual(resumed.vectors, straight.vectors)
    }

    func testBadWindowsAreRefused() throws {
        let model = try LinearMap<Double>(backend: CPUBackend.shared, units: 8, g: 1, seed: 1)
        let config = LyapunovConfig(steps: 10, transient: 0, k: 8)
        XCTAssertThrowsError(try LyapunovRun(model: model, config: config, identity: [:], covariantSteps: 0)) {
            XCTAssertTrue("\($0)".contains("at least 1 step"), "\($0)")
        }
        XCTAssertThrowsError(try LyapunovRun(model: model, config: config, identity: [:], covariantSteps: Int.max / 4)) {
            XCTAssertTrue("\($0)".contains("needs") && "\($0)".contains("covariant window"), "\($0)")
        }
    }
}
