import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

/// Perturbations, image augmentations, pre-training and early-phase measurements.
final class TrainingProbeTests: XCTestCase {
    let be = CPUBackend.shared

    /// Each perturbation changes only the kept weights, in the way it promises.
    func testPerturbations() throws {
        let p = try Parameter<Double>("w", role: .weight, shape: [40, 50], fanIn: 50, on: be)
        try InitScheme.kaiming.initialize([p], seed: 3)
        let mask = (0..<2000).map { Double(($0 * 7) % 3 == 0 ? 0 : 1) }
        try p.setMask(mask)
        let w = try p.value.toArray()
        let kept = mask.indices.filter { mask[$0] == 1 }
        func perturbed(_ kind: Perturbation) throws -> [Double] {
            try be.write(w, into: p.value)
            try kind.apply([(index: 0, parameter: p)], scheme: .kaiming, seed: 3, round: 1)
            let v = try p.value.toArray()
            XCTAssertTrue(mask.indices.allSatisfy { mask[$0] == 1 || v[$0] == 0 }, "\(kind): pruned weights stay 0")
            XCTAssertNotEqual(kept.map { v[$0] }, kept.map { w[$0] }, "\(kind) changed nothing")
            return v
        }
        let sign = { (x: Double) in x < 0 ? -1.0 : 1.0 }
        let reinit = try perturbed(.reinit)
        XCTAssertGreaterThan(kept.filter { sign(reinit[$0]) != sign(w[$0]) }.count, kept.count / 3)
        let keepSign = try perturbed(.reinitSign)
        XCTAssertTrue(kept.allSatisfy { sign(keepSign[$0]) == sign(w[$0]) })
        XCTAssertEqual(kept.map { abs(keepSign[$0]) }, kept.map { abs(reinit[$0]) }, "the same fresh magnitudes")
        let shuffled = try perturbed(.shuffle)
        XCTAssertEqual(kept.map { shuffled[$0] }.sorted(), kept.map { w[$0] }.sorted())
        let shuffledKeep = try perturbed(.shuffleKeepSign)
        XCTAssertEqual(kept.map { abs(shuffledKeep[$0]) }.sorted(), kept.map { abs(w[$0]) }.sorted())
        XCTAssertTrue(kept.allSatisfy { sign(shuffledKeep[$0]) == sign(w[$0]) })
        let noisy = try perturbed(.noise(scale: 0.5))
        let d = kept.map { noisy[$0] - w[$0] }
        let sd = (d.reduce(0) { $0 + $1 * $1 } / Double(d.count)).squareRoot()
        XCTAssertEqual(sd, 0.5 * (2.0 / 50).squareRoot(), accuracy: 0.1 * 0.5 * (2.0 / 50).squareRoot())
        XCTAssertThrowsError(try Perturbation(parsing: "noise:0"))
        XCTAssertEqual(try Perturbation(parsing: "shuffle-keep-sign"), .shuffleKeepSign)
    }

    func testImageOps() throws {
        let img = (0..<18).map { Float($0) }  // [2, 3, 3]
        var v = img
        ImageOps.flip(&v, c: 2, h: 3, w: 3)
        XCTAssertEqual(Array(v[0..<3]), [2, 1, 0])
        ImageOps.flip(&v, c: 2, h: 3, w: 3)
        XCTAssertEqual(v, img)
        ImageOps.rotate(&v, c: 2, n: 3, quarterTurns: 1)
        XCTAssertEqual(Array(v[0..<3]), [2, 5, 8], "a quarter turn counter-clockwise: the right column on top")
        for _ in 0..<3 { ImageOps.rotate(&v, c: 2, n: 3, quarterTurns: 1) }
        XCTAssertEqual(v, img)
        ImageOps.crop(&v, c: 2, h: 3, w: 3, pad: 1, dx: 1, dy: 1)
        XCTAssertEqual(v, img, "the centred window")
        ImageOps.crop(&v, c: 2, h: 3, w: 3, pad: 1, dx: 0, dy: 0)
        XCTAssertEqual(Array(v[0..<9]), [0, 0, 0, 0, 0, 1, 0, 3, 4])
        var flat = [Float](repeating: 2, count: 25)
        ImageOps.blur(&flat, c: 1, h: 5, w: 5, sigma: 1)
        XCTAssertTrue(flat.allSatisfy { abs($0 - 2) < 1e-5 }, "a constant image stays constant")
        XCTAssertThrowsError(try Augmentation(parsing: "crop:0"))
        XCTAssertThrowsError(try Augmentation(parsing: "random-labels:1.5"))
        XCTAssertEqual(try Augmentation(parsing: "blur:0.5"), .blur(sigma: 0.5))
    }

    /// Augmented, pre-trained (rotation), Adam-trained runs with masks set by a hook: the
    /// CPU engine and OpenCL agree, and a resumed checkpoint continues exactly.
    func testAugmentedPretrainedMaskedRunResumesAndMatchesOpenCL() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        let dir = try temporaryDirectory(self)
        let data = try TrainingChecks.syntheticData(seed: seed, count: 64, shape: [1, 8, 8], classes: 4)
        var config = TrainConfig(model: .builtin(.cnn), data: "s", epochs: 2, batch: 16, optimizer: .adam(Adam(lr: 0.005)),
                                 seed: seed, checkpointAt: [5], dtype: .f64,
                                 augmentations: [.crop(padding: 2), .flip, .blur(sigma: 0.7), .randomLabels(fraction: 0.5)],
                                 pretraining: Pretraining(.rotation, iterations: 3))
        let prune = TrainHook<Double>.at([0]) { t in
            try MagnitudePruning.prune(MagnitudePruning.prunable(t.model.parameters), fraction: 0.4, scope: .global)
        }
        var curves: [[Double]] = []
        for engine in [be, cl] as [any Backend] {
            let t = try Trainer<Double>(config: config, data: data, backend: engine)
            _ = try t.run(checkpointDirectory: dir.appendingPathComponent(engine.isCPU ? "cpu" : "cl"), hooks: [prune])
            XCTAssertTrue(t.pretrained)
            curves.append(t.losses)
        }
        XCTAssertLessThan(Compare.maxRelativeError(curves[0], curves[1]), 1e-9, "seed \(seed)")
        let resumed = try TrainCheckpoint.resume(Double.self, from: dir.appendingPathComponent("cpu/checkpoint-5"), data: data,
                                                 backend: be)
        XCTAssertEqual(try MagnitudePruning.density(MagnitudePruning.prunable(resumed.model.parameters)), 0.6, accuracy: 0.01)
        _ = try resumed.run()
        XCTAssertEqual(resumed.losses, curves[0])
        // Augmentations change the batches (and so the losses).
        config.augmentations = []
        let plain = try Trainer<Double>(config: config, data: data, backend: be)
        _ = try plain.run(hooks: [prune])
        XCTAssertNotEqual(plain.losses, curves[0])
    }

    /// Distance from initialisation starts at 0 and grows; sign changes are a fraction.
    func testEarlyPhaseProbe() throws {
        let data = try TrainingChecks.syntheticData(seed: 6, count: 64, shape: [1, 8, 8], classes: 3)
        let t = try Trainer<Float>(config: TrainConfig(model: .cnn, data: "s", epochs: 1, batch: 16, sgd: SGD(lr: 0.05)), data: data,
                                   backend: be)
        let probe = try EarlyPhaseProbe(MagnitudePruning.prunable(t.model.parameters))
        _ = try t.run(hooks: [probe.hook(until: 4, every: 2)])
        XCTAssertEqual(probe.points.map(\.iteration), [0, 2, 4])
        XCTAssertEqual(probe.points[0].distance, 0)
        XCTAssertLessThan(probe.points[1].distance, probe.points[2].distance)
        XCTAssertTrue(probe.points.allSatisfy { (0...1).contains($0.signsChanged) && (0...1).contains($0.testAccuracy) })
        XCTAssertGreaterThan(probe.points[2].signsChanged, 0)
    }
}
