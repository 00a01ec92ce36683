import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
/// The participation ratio of Lyapunov runs (against the covariance of the replayed trajectory,
/// by LAPACK's eigenvalues) and its bit-identical resumption from a checkpoint.
import Foundation
import XCTest

final class TheoryLyapunovTests: XCTestCase {
    let cpu = CPUBackend.shared

    /// (Σλ_C)²/Σλ_C² of the covariance of `frames` (rows of `size`), eigenvalues by dsyevd.
    func participationRatio(_ frames: [[Double]]) throws -> Double {
        let size = frames[0].count, t = Double(frames.count)
        let mean = (0..<size).map { i in frames.reduce(0) { $0 + $1[i] } / t }
        var c = [Double](repeating: 0, count: size * size)
        for f in frames { for i in 0..<size { for j in 0..<size { c[i * size + j] += (f[i] - mean[i]) * (f[j] - mean[j]) / t } } }
        let ev = try LAPACK.eigenvalues(symmetric: c, n: size)
        return pow(ev.reduce(0, +), 2) / ev.reduce(0) { $0 + $1 * $1 }
    }

    func testParticipationRatioMatchesTheTrajectory() throws {
        let seed = freshSeed()
        let models: [any RecurrentModel<Double>] = [
            try RateNetwork<Double>(backend: cpu, units: 25, g: 2.5, dt: 0.1, seed: seed),
            try GatedRNN<Double>(backend: cpu, units: 8, options: GatedRNNOptions(gH: 3, dt: 0.2), seed: seed),
        ]
        for model in models { try check(model, seed: seed) }
    }

    /// On an OpenCL device (float64, one segment) the covariance is accumulated there (L8a) and
    /// gives the replayed trajectory's participation ratio, as the host path does.
    func testParticipationRatioOnTheDevice() throws {
        let seed = freshSeed()
        let cl = try openCLBackend()
        try check(RateNetwork<Double>(backend: cl, units: 25, g: 2.5, dt: 0.1, seed: seed), seed: seed)
        try check(GRU<Double>(backend: cl, units: 20, g: 2, seed: seed), seed: seed)
        let run = try LyapunovRun(model: RateNetwork<Double>(backend: cl, units: 10, g: 2, dt: 0.1, seed: seed),
                                  config: LyapunovConfig(steps: 5, transient: 1, k: 2), identity: [:])
        XCTAssertEqual(run.covarianceLocation, "device")
        let gated = try LyapunovRun(model: GatedRNN<Double>(backend: cl, units: 6, options: GatedRNNOptions(), seed: seed),
                                    config: LyapunovConfig(steps: 5, transient: 1, k: 2), identity: [:])
        XCTAssertEqual(gated.covarianceLocation, "host", "three segments: the host path")
    }

    func check<M: RecurrentModel>(_ model: M, seed: UInt64) throws {
        let config = LyapunovConfig(steps: 300, transient: 40, qTransient: 30, k: 3, seed: seed, batch: 2)
        let r = try lyapunov(model, config)
        let x = try JacobianCheck.randomStates(model, batch: 2, seed: seed)
        for _ in 0..<(config.transient + config.qTransient) { try model.step(x) }
        var frames: [[[Double]]] = [[], []]
        for _ in 0..<config.steps {
            try model.step(x)
            let v = try x.toArray()
            let n = model.units
            for b in 0..<2 {
                var frame = [Double](repeating: 0, count: model.stateSize)
                for i in 0..<model.stateSize {
                    let at: Int = ((i / n) * 2 + b) * n + i % n
                    frame[i] = v[at].double
                }
                frames[b].append(frame)
            }
        }
        let want = try (participationRatio(frames[0]) + participationRatio(frames[1])) / 2
        let got = try XCTUnwrap(r.participationRatio)
        XCTAssertEqual(got, want, accuracy: 1e-9 * want, "\(model.name), seed \(seed)")
        XCTAssertGreaterThan(got, 1)
        XCTAssertLessThan(got, Double(model.stateSize))
    }

    /// A run stopped mid-accumulation (a partial covariance block pending) and resumed from its
    /// checkpoint ends bit-identical to an unbroken run: exponents and participation ratio.
    /// The same on an OpenCL device, whose covariance is accumulated there (L8a).
    func testResumeIsBitIdenticalWithTheCovariance() throws {
        try resumeIsBitIdentical(on: cpu)
        try resumeIsBitIdentical(on: try openCLBackend())
    }

    func resumeIsBitIdentical(on backend: any Backend) throws {
        let seed = freshSeed()
        let dir = try temporaryDirectory(self)
        let url = dir.appendingPathComponent("run.ckpt")
        let config = LyapunovConfig(steps: 400, transient: 100, qTransient: 100, k: 5, reorth: 3, seed: seed, batch: 2)
        func make() throws -> RateNetwork<Double> { try RateNetwork<Double>(backend: backend, units: 30, g: 2.5, dt: 0.1, seed: seed) }
        let whole = try lyapunov(make(), config)
        let first = try LyapunovRun(model: make(), config: config, identity: ["test": "1"])
        var calls = 0
        guard case .stopped = try first.run(checkpointing: .init(url: url, intervalSeconds: 1e9),
                                            shouldStop: { calls += 1; return calls > 330 }) else {
            return XCTFail("the run was not stopped")
        }
        XCTAssertEqual(first.phase, 2)
        XCTAssertNotEqual(first.t % StateCovariance.blockRows, 0, "the stop should leave a partial block")
        let second = try LyapunovRun(model: make(), config: config, identity: ["test": "1"])
        try second.resume(from: url)
        guard case .finished(let resumed) = try second.run() else { return XCTFail() }
        XCTAssertEqual(resumed.exponents, whole.exponents)
        XCTAssertEqual(resumed.participationRatio, whole.participationRatio)
        XCTAssertNotNil(whole.participationRatio)
    }
}
