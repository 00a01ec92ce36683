import Compute
import Foundation
import Learning
import XCTest

/// `--augment bg-rm:P` / `bg-random:P` in training runs (docs/backgrounds.md BG13, BG14).
final class BackgroundTrainingTests: XCTestCase {
    func data(seed: UInt64) throws -> TrainingData {
        try TrainingData(name: "objects", train: BackgroundTests.objects(48, seed: seed), test: BackgroundTests.objects(12, seed: seed &+ 1))
    }

    func losses(_ augmentations: [Augmentation], data: TrainingData) throws -> [Double] {
        let config = TrainConfig(model: .builtin(.mlp), data: "objects", epochs: 2, batch: 8, optimizer: .sgd(SGD(lr: 0.05, momentum: 0.9)),
                                 seed: 5, augmentations: augmentations)
        let t = try Trainer<Float>(config: config, data: data, backend: CPUBackend.shared)
        _ = try t.run()
        return t.losses
    }

    func testProbabilityZeroIsTheIdentityAndOneChangesTheRun() throws {
        let d = try data(seed: freshSeed())
        let plain = try losses([], data: d)
        XCTAssertEqual(try losses([try Augmentation(parsing: "bg-rm:0")], data: d), plain)
        XCTAssertEqual(try losses([try Augmentation(parsing: "bg-random:0")], data: d), plain)
        let removed = try losses([try Augmentation(parsing: "bg-rm:1")], data: d)
        let random = try losses([try Augmentation(parsing: "bg-random:1")], data: d)
        XCTAssertNotEqual(removed, plain)
        XCTAssertNotEqual(random, plain)
        XCTAssertNotEqual(random, removed)
        XCTAssertEqual(try losses([try Augmentation(parsing: "bg-random:1")], data: d), random, "a seed is one run")
        XCTAssertEqual(try Augmentation(parsing: "bg-random:0.5").description, "bg-random:0.5")
        let config = try JSONEncoder().encode([Augmentation.background(BackgroundAugmentation(.remove, probability: 0.25)), .flip])
        XCTAssertEqual(try JSONDecoder().decode([Augmentation].self, from: config),
                       [.background(BackgroundAugmentation(.remove, probability: 0.25)), .flip])
    }

    func testSwapsTwoBackgroundAugmentationsAndBlankImagesAreRefused() throws {
        let d = try data(seed: freshSeed())
        XCTAssertThrowsError(try losses([try Augmentation(parsing: "bg-swaps:0.5")], data: d)) {
            XCTAssertTrue("\($0)".contains("one view per sample"), "\($0)")
        }
        XCTAssertThrowsError(try losses([try Augmentation(parsing: "bg-rm:0.5"), try Augmentation(parsing: "bg-random:0.5")], data: d)) {
            XCTAssertTrue("\($0)".contains("at most one background augmentation"), "\($0)")
        }
        var blank = try BackgroundTests.objects(48, seed: 3)
        for k in (5 * 120)..<(6 * 120) { blank.samples[k] = 0 }
        let withBlank = try TrainingData(name: "blank", train: blank, test: BackgroundTests.objects(12, seed: 4))
        XCTAssertThrowsError(try losses([try Augmentation(parsing: "bg-random:0.5")], data: withBlank)) {
            XCTAssertTrue("\($0)".contains("image 5 (label 2) has no foreground"), "\($0)")
        }
        XCTAssertThrowsError(try Augmentation(parsing: "bg-random:2")) { XCTAssertTrue("\($0)".contains("[0, 1]"), "\($0)") }
    }

    func testClutteredRunReportsTheFourTestSets() throws {
        let seed = freshSeed()
        XCTAssertEqual(try ClutterSpec(parsing: "cluttered"), ClutterSpec())
        XCTAssertEqual(try ClutterSpec(parsing: "cluttered:0.5").classTie, 0.5)
        for bad in ["clutter", "cluttered:x", "cluttered:1.5"] { XCTAssertThrowsError(try ClutterSpec(parsing: bad), bad) }
        let raw = try TrainingData(name: "objects", train: BackgroundTests.objects(48, seed: seed),
                                   test: BackgroundTests.objects(24, seed: seed &+ 1), standardize: false)
        XCTAssertThrowsError(try ClutterSpec().trainingData(data(seed: seed), seed: 1, trainLimit: nil, testLimit: nil)) {
            XCTAssertTrue("\($0)".contains("raw, unstandardised"), "\($0)")
        }
        let spec = ClutterSpec(classTie: 1)
        let d = try spec.trainingData(raw, seed: 9, trainLimit: 40, testLimit: 21)
        XCTAssertEqual(d.train.count, 40)
        XCTAssertEqual(d.train.samples, d.standardized(try ClutteredDataset(raw.train.prefix(40), spec: spec, seed: 9).cluttered).samples)
        let sets = try XCTUnwrap(d.backgroundTests)
        let challenge = try BackgroundChallenge(test: raw.test.prefix(21), spec: spec, seed: 9)
        XCTAssertEqual(sets.mixedRandom.samples, d.standardized(challenge.mixedRandom).samples)
        XCTAssertEqual(sets.original.samples, d.test.samples)
        let config = TrainConfig(model: .builtin(.mlp), data: "objects", epochs: 2, batch: 8, optimizer: .sgd(SGD(lr: 0.05, momentum: 0.9)),
                                 seed: 9, backgrounds: spec)
        let r = try Trainer<Float>(config: config, data: d, backend: CPUBackend.shared).run()
        let b = try XCTUnwrap(r.backgroundTests)
        XCTAssertEqual(b.original, r.testAccuracy)
        XCTAssertEqual(b.robustnessGap, b.mixedSame - b.mixedRandom)
        for a in [b.onlyForeground, b.mixedSame, b.mixedRandom] { XCTAssertTrue(a >= 0 && a <= 1) }
        XCTAssertNil(try Trainer<Float>(config: config, data: data(seed: seed), backend: CPUBackend.shared).run().backgroundTests)
    }
}
