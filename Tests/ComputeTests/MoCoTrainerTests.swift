import Compute
import GPURunApp
import Learning
import Foundation
import XCTest

/// MoCo training runs (docs/ssl.md): both engines give the same loss curve, a resumed run the
/// very same one, bad configurations are refused before training.
final class MoCoTrainerTests: XCTestCase {
    /// Images [1, 8, 8] of `classes` classes: a class-dependent bar plus Philox noise.
    static func images(count: Int, seed: UInt64, classes: Int = 4) throws -> TrainingData {
        func set(_ n: Int, stream: UInt32) throws -> Dataset {
            let noise: [Float] = PhiloxFill.normal(count: n * 64, seed: seed, stream: stream)
            var x = noise.map { 0.3 * $0 }
            let labels = (0..<n).map { Int32($0 % classes) }
            for i in 0..<n { for r in 0..<8 { x[i * 64 + r * 8 + 2 * Int(labels[i])] += 2 } }
            return try Dataset(samples: x, labels: labels, sampleShape: [1, 8, 8], classes: classes, name: "bars")
        }
        return try TrainingData(name: "bars", train: set(count, stream: 1), test: set(count / 2, stream: 2))
    }

    static let tinyCNN = ModelChoice.described(ModelDescription(name: "tiny", layers: [
        LayerSpec(.conv, out: 4, kernel: 3, padding: 1), LayerSpec(.batchnorm), LayerSpec(.relu), LayerSpec(.maxpool),
        LayerSpec(.flatten), LayerSpec(.linear, out: 16), LayerSpec(.relu), LayerSpec(.linear)]))

    static func config(epochs: Int = 2, seed: UInt64, negatives: NegativeSelection = .all, checkpointAt: [Int] = []) -> MoCoConfig {
        let train = TrainConfig(model: tinyCNN, data: "bars", epochs: epochs, batch: 8,
                                optimizer: .sgd(SGD(lr: 0.05, momentum: 0.9)), seed: seed,
                                checkpointAt: checkpointAt)
        return MoCoConfig(train: train, queue: 16, temperature: 0.2, momentum: 0.9, negatives: negatives, projectionDim: 8)
    }

    /// Bars of intensity 0.6–1 on a black field, standardised: objects with a foreground (BG1).
    static func objects(count: Int, seed: UInt64, classes: Int = 4) throws -> TrainingData {
        func set(_ n: Int, stream: UInt32) throws -> Dataset {
            let u: [Float] = PhiloxFill.uniform(count: n * 64, seed: seed, stream: stream)
            var x = [Float](repeating: 0, count: n * 64)
            let labels = (0..<n).map { Int32($0 % classes) }
            for i in 0..<n { for r in 1..<7 { let at = i * 64 + r * 8 + 1 + Int(labels[i]); x[at] = 0.6 + 0.4 * u[at] } }
            return try Dataset(samples: x, labels: labels, sampleShape: [1, 8, 8], classes: classes, name: "objects")
        }
        return try TrainingData(name: "objects", train: set(count, stream: 1), test: set(count / 2, stream: 2))
    }

    /// Background augmentations in the views (S12): probability 0 is the plain run, BG_RM,
    /// BG_Random and BG_Swaps change it, both engines agree with BG_Swaps' extra negatives;
    /// images without a foreground are refused before training.
    func testBackgroundAugmentationsInTheViews() throws {
        let seed = freshSeed()
        let data = try Self.objects(count: 32, seed: seed)
        func curve(_ bg: BackgroundAugmentation?, on be: any Backend = CPUBackend()) throws -> [Double] {
            var c = Self.config(seed: seed)
            c.background = bg
            let t = try MoCoTrainer<Float>(config: c, data: data, backend: be)
            try t.run()
            return t.losses
        }
        let plain = try curve(nil)
        XCTAssertEqual(try curve(BackgroundAugmentation(.random, probability: 0)), plain)
        XCTAssertEqual(try curve(BackgroundAugmentation(.swaps, probability: 0)), plain, "no row has an extra negative")
        XCTAssertNotEqual(try curve(BackgroundAugmentation(.random, probability: 1)), plain)
        XCTAssertNotEqual(try curve(BackgroundAugmentation(.remove, probability: 1)), plain)
        let swaps = BackgroundAugmentation(.swaps, probability: 1)
        let cpu = try curve(swaps)
        XCTAssertNotEqual(cpu, plain)
        let gpu = try curve(swaps, on: try openCLBackend())
        for (a, b) in zip(cpu, gpu) { XCTAssertEqual(a, b, accuracy: 2e-3 * max(1, abs(a))) }

        var blank = data
        blank.train.samples.replaceSubrange(0..<64, with: [Float](repeating: blank.train.samples.min()!, count: 64))
        var c = Self.config(seed: seed)
        c.background = swaps
        XCTAssertThrowsError(try MoCoTrainer<Float>(config: c, data: blank, backend: CPUBackend())) {
            XCTAssertTrue("\($0)".contains("image 0") && "\($0)".contains("no foreground"), "\($0)")
        }
    }

    func testEnginesGiveTheSameLossCurve() throws {
        let seed = freshSeed()
        let data = try Self.images(count: 32, seed: seed)
        let cl = try openCLBackend()
        var curves: [[Double]] = [], stats: [BandStatistics] = []
        for be in [CPUBackend(), cl] as [any Backend] {
            let t = try MoCoTrainer<Float>(config: Self.config(seed: seed, negatives: .band(lo: 25, hi: 100)), data: data, backend: be)
            try t.run()
            XCTAssertEqual(t.iteration, 8)
            curves.append(t.losses)
            stats.append(t.loss.band)
        }
        XCTAssertEqual(curves[0].count, 8)
        for (a, b) in zip(curves[0], curves[1]) { XCTAssertEqual(a, b, accuracy: 2e-3 * max(1, abs(a))) }
        XCTAssertEqual(stats[0].negatives, stats[1].negatives)
        XCTAssertEqual(stats[0].negatives, 8 * 8 * 12)  // 8 steps × 8 queries × ranks 4..<16
        // The first step's loss is log(1 + 12) or so at random embeddings; it must move.
        XCTAssertNotEqual(curves[0][0], curves[0][7])
    }

    func testResumeGivesTheStraightRunBitForBit() throws {
        let seed = freshSeed()
        let data = try Self.images(count: 32, seed: seed)
        let dir = try temporaryDirectory(self)
        let be = CPUBackend()
        let straight = try MoCoTrainer<Float>(config: Self.config(epochs: 2, seed: seed), data: data, backend: be)
        try straight.run()
        let first = try MoCoTrainer<Float>(config: Self.config(epochs: 1, seed: seed, checkpointAt: [4]), data: data, backend: be)
        let written = try first.run(checkpointDirectory: dir)
        XCTAssertEqual(written, [dir.appendingPathComponent("checkpoint-4").path])
        let resumed = try MoCoCheckpoint.resume(Float.self, from: URL(fileURLWithPath: written[0]), data: data, backend: be, epochs: 2)
        XCTAssertEqual(resumed.iteration, 4)
        try resumed.run()
        XCTAssertEqual(resumed.losses, straight.losses)
        XCTAssertEqual(resumed.loss.whole, straight.loss.whole)
        XCTAssertEqual(try resumed.queue.keys.toArray(), try straight.queue.keys.toArray())
        for (a, b) in zip(resumed.key.parameters, straight.key.parameters) { XCTAssertEqual(try a.value.toArray(), try b.value.toArray()) }
        // A damaged file is refused.
        try Data("x".utf8).write(to: URL(fileURLWithPath: written[0]).appendingPathComponent("queue.npy"))
        XCTAssertThrowsError(try MoCoCheckpoint.resume(Float.self, from: URL(fileURLWithPath: written[0]), data: data, backend: be))
    }

    func testBadConfigurationsAreRefusedBeforeTraining() throws {
        let seed = freshSeed()
        let data = try Self.images(count: 32, seed: seed)
        func refuses(_ change: (inout MoCoConfig) -> Void, _ text: String) {
            var c = Self.config(seed: seed)
            change(&c)
            XCTAssertThrowsError(try MoCoTrainer<Float>(config: c, data: data, backend: CPUBackend())) { e in
                XCTAssertTrue("\(e)".contains(text), "\(e)")
            }
        }
        refuses({ $0.queue = 33 }, "larger than the training set")
        refuses({ $0.temperature = 0 }, "temperature must be positive")
        refuses({ $0.temperature = -0.1 }, "temperature must be positive")
        refuses({ $0.negatives = .band(lo: 50, hi: 50) }, "LO < HI")
        refuses({ $0.negatives = .band(lo: 50, hi: 120) }, "[0, 100]")
        refuses({ $0.momentum = 1 }, "momentum")
        refuses({ $0.train.model = .builtin(.resnet) ; $0.train.augmentations = [.flip] }, "views")
    }

    func testValidateChecksPass() throws {
        let dev = try openCLBackend()
        let results = AllChecks.run(device: dev, seed: freshSeed(), filter: "ssl")
        XCTAssertEqual(Set(results.map(\.op)), ["ssl.infonce.loss", "ssl.infonce.grad", "ssl.loss-curve.moco"])
        assertAllPass(results)
    }
}
