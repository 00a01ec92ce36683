import Compute
@testable import Dynamics
import Foundation
import XCTest

/// Per-block logs (docs/lyapunov.md L13), stopping on non-finite numbers (L14) and the
/// checkpoint refusals of L9: non-finite numbers, another device.
final class LyapunovBlockTests: XCTestCase {
    func tmp() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-blocks-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func finish<M: RecurrentModel>(_ run: LyapunovRun<M>) throws -> LyapunovResult {
        guard case .finished(let r) = try run.run() else { throw ComputeError.invalidArgument("stopped") }
        return r
    }

    func model(_ be: any Backend = CPUBackend.shared, seed: UInt64) throws -> RateNetwork<Double> {
        try RateNetwork<Double>(backend: be, units: 12, g: 2.5, dt: 0.1, seed: seed, networks: 2)
    }

    /// The blocks add up to each member's exponents; the standard errors and the λ1
    /// distribution are those of the block exponents.
    func testBlocksSumToTheExponents() throws {
        let seed = freshSeed()
        let config = LyapunovConfig(steps: 60, transient: 10, qTransient: 10, k: 5, reorth: 2, seed: seed, batch: 2)
        let run = try LyapunovRun(model: model(seed: seed), config: config, identity: [:], blockSteps: 10)
        let r = try finish(run)
        let blocks = try XCTUnwrap(run.blockLog?.blocks)
        XCTAssertEqual(blocks.count, 6)
        let stats = try XCTUnwrap(r.blockStatistics)
        XCTAssertEqual(stats.blocks, 6)
        XCTAssertEqual(stats.lambda1.count, 12)
        XCTAssertEqual(stats.lambda1.histogramCounts.reduce(0, +), 12)
        XCTAssertEqual(stats.lambda1.quantiles, stats.lambda1.quantiles.sorted())
        for m in 0..<2 {
            let totals = (0..<5).map { i in blocks.map { $0[m][i] }.reduce(0, +) / (60 * 0.1) }
            XCTAssertLessThan(Compare.maxRelativeError(totals.sorted(by: >), r.members[m], floor: 1), 1e-12, "seed \(seed)")
            // Member m's leading column: the one with the largest total.
            let lead = totals.indices.max { totals[$0] < totals[$1] }!
            let xs = blocks.map { $0[m][lead] / (10 * 0.1) }
            let mean = xs.reduce(0, +) / 6
            let sd = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5).squareRoot()
            XCTAssertEqual(stats.standardErrors[m][0], sd / 6.0.squareRoot(), accuracy: 1e-12)
        }
        XCTAssertThrowsError(try LyapunovRun(model: model(seed: seed), config: config, identity: [:], blockSteps: 3)) {
            XCTAssertTrue("\($0)".contains("multiple of --reorth"), "\($0)")
        }
    }

    /// Stopped, checkpointed and resumed, the block log and the exponents equal the unbroken run's.
    func testBlocksResumeToTheSameResult() throws {
        let seed = freshSeed()
        let url = try tmp().appendingPathComponent("run.ckpt")
        let config = LyapunovConfig(steps: 40, transient: 5, qTransient: 5, k: 4, reorth: 2, seed: seed, batch: 2)
        let whole = try LyapunovRun(model: model(seed: seed), config: config, identity: [:], blockSteps: 8)
        let a = try finish(whole)
        let first = try LyapunovRun(model: model(seed: seed), config: config, identity: [:], blockSteps: 8)
        var calls = 0
        guard case .stopped = try first.run(checkpointing: .init(url: url, intervalSeconds: 1e9), shouldStop: {
            calls += 1
            return calls > 33
        }) else { return XCTFail("the run did not stop") }
        let second = try LyapunovRun(model: model(seed: seed), config: config, identity: [:], blockSteps: 8)
        try second.resume(from: url)
        let b = try finish(second)
        XCTAssertEqual(a.exponents, b.exponents)
        XCTAssertEqual(whole.blockLog?.blocks, second.blockLog?.blocks)
        XCTAssertEqual(a.blockStatistics?.standardErrors, b.blockStatistics?.standardErrors)
        // Another block length is another run.
        let other = try LyapunovRun(model: model(seed: seed), config: config, identity: [:], blockSteps: 4)
        XCTAssertThrowsError(try other.resume(from: url)) { XCTAssertTrue("\($0)".contains("blockSteps"), "\($0)") }
    }

    /// A state or tangent block that overflows: the run stops naming the phase, the step and the
    /// quantity. (A linear map's state may overflow: its Jacobian does not depend on it.)
    func testNonFiniteStateAndTangentStopTheRun() throws {
        let seed = freshSeed()
        let n = 6
        // The GRU's state is bounded; an Euler rate network with δ = 1e80 is not.
        let wild = try RateNetwork<Double>(backend: CPUBackend.shared, units: n, g: 2, dt: 1e80, seed: seed)
        let run = try LyapunovRun(model: wild, config: LyapunovConfig(steps: 10, transient: 20, k: 3, seed: seed),
                                  identity: [:])
        XCTAssertThrowsError(try run.run()) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("the state became non-finite"), text)
            XCTAssertTrue(text.contains("of the state transient (|x| overflowed)"), text)
            XCTAssertTrue(text.contains("at step 4 of"), text)
        }
        let huge = try LinearMap<Double>(backend: CPUBackend.shared, units: n, g: 1e80, seed: seed)
        // From x = 0 the state stays 0 while M Q = W Q overflows between two QRs.
        let fromZero = try LyapunovRun(model: huge, config: LyapunovConfig(steps: 40, transient: 0, qTransient: 0, k: 3,
                                                                          reorth: 20, seed: seed),
                                       identity: [:], initialStates: [Double](repeating: 0, count: n))
        XCTAssertThrowsError(try fromZero.run()) { e in
            XCTAssertTrue("\(e)".contains("the tangent block"), "\(e)")
            XCTAssertTrue("\(e)".contains("non-finite at step 20 of the accumulating"), "\(e)")
        }
    }

    /// A checkpoint holding non-finite numbers, or written on another device, is refused.
    func testCheckpointRefusals() throws {
        let seed = freshSeed()
        let dir = try tmp()
        let config = LyapunovConfig(steps: 10, transient: 2, k: 3, seed: seed, batch: 2)
        let run = try LyapunovRun(model: model(seed: seed), config: config, identity: [:])
        let good = dir.appendingPathComponent("good.ckpt")
        try run.save(good, elapsed: 0)
        let (cp, st, qs, covs) = try LyapunovCheckpoint.read(good)
        let bad = dir.appendingPathComponent("bad.ckpt")
        var q = qs
        q[1][4] = .infinity
        try cp.write(to: bad, states: st, qs: q, covariances: covs)
        XCTAssertThrowsError(try run.resume(from: bad)) {
            XCTAssertTrue("\($0)".contains("tangent block holds non-finite numbers"), "\($0)")
        }
        var x = st
        x[3] = .nan
        try cp.write(to: bad, states: x, qs: qs, covariances: covs)
        XCTAssertThrowsError(try run.resume(from: bad)) {
            XCTAssertTrue("\($0)".contains("state holds non-finite numbers"), "\($0)")
        }
        let cl = try openCLBackend()
        let there = try LyapunovRun(model: model(cl, seed: seed), config: config, identity: [:])
        XCTAssertThrowsError(try there.resume(from: good)) {
            XCTAssertTrue("\($0)".contains("device: checkpoint cpu, now opencl"), "\($0)")
        }
        try run.resume(from: good)
    }
}
