import Compute
import Foundation
import Learning
import XCTest

/// The cluttered set, the Backgrounds Challenge, the augmentations and the real Fashion-MNIST
/// masks (docs/backgrounds.md BG3, BG9–BG15).
final class BackgroundSetTests: XCTestCase {
    func testClutteredSetIsDeterministicAndKeepsForegrounds() throws {
        let seed = freshSeed()
        let set = try BackgroundTests.objects(120, seed: seed)
        let a = try ClutteredDataset(set, seed: seed), b = try ClutteredDataset(set, seed: seed)
        XCTAssertEqual(a.cluttered.samples, b.cluttered.samples)
        XCTAssertNotEqual(a.cluttered.samples, try ClutteredDataset(set, seed: seed &+ 1).cluttered.samples)
        XCTAssertEqual(a.cluttered.labels, set.labels)
        XCTAssertEqual(Set(a.families), Set(TextureFamily.allCases))
        let size = 120
        for i in [0, 7, 119] {
            let m = a.mask(i), bg = try a.background(i)
            for k in 0..<size {
                let got = a.cluttered.samples[i * size + k]
                XCTAssertEqual(got, m[m.startIndex + k] == 1 ? set.samples[i * size + k] : bg[k], "image \(i) pixel \(k)")
            }
            XCTAssertTrue(m.contains(0), "the background of image \(i) is not empty")
        }
        // ρ = 1 ties the family to the class; ρ = 0 does not.
        let tied = try ClutteredDataset(set, spec: ClutterSpec(classTie: 1), seed: seed)
        XCTAssertEqual(tied.families, set.labels.map { TextureFamily.allCases[Int($0) % 4] })
        XCTAssertNotEqual(a.families, tied.families)
        XCTAssertThrowsError(try ClutteredDataset(set, spec: ClutterSpec(classTie: 1.5), seed: seed))
        XCTAssertThrowsError(try ClutteredDataset(set, spec: ClutterSpec(families: []), seed: seed))
    }

    func testChallengeMixesSameAndOtherClassBackgrounds() throws {
        let seed = freshSeed()
        let test = try BackgroundTests.objects(90, classes: 4, seed: seed &+ 7)
        let ch = try BackgroundChallenge(test: test, seed: seed)
        XCTAssertEqual(ch.original.samples, ch.clutter.cluttered.samples)
        XCTAssertNotEqual(ch.original.samples, try ClutteredDataset(test, seed: seed).cluttered.samples, "test units start at 2³²")
        let size = 120
        for i in 0..<test.count {
            let (s, d) = (ch.sameDonor[i], ch.randomDonor[i])
            XCTAssertNotEqual(s, i)
            XCTAssertEqual(test.labels[s], test.labels[i], "MIXED_SAME image \(i)")
            XCTAssertNotEqual(test.labels[d], test.labels[i], "MIXED_RAND image \(i)")
            let m = ch.clutter.mask(i), bs = try ch.clutter.background(s), bd = try ch.clutter.background(d)
            for k in 0..<size {
                let fg = m[m.startIndex + k] == 1, x = test.samples[i * size + k]
                XCTAssertEqual(ch.mixedSame.samples[i * size + k], fg ? x : bs[k])
                XCTAssertEqual(ch.mixedRandom.samples[i * size + k], fg ? x : bd[k])
                XCTAssertEqual(ch.onlyForeground.samples[i * size + k], fg ? x : 0)
            }
        }
        for v in BackgroundChallenge.Variant.allCases { XCTAssertEqual(ch.set(v).labels, test.labels) }
        XCTAssertGreaterThan(Set(ch.sameDonor).count, 30, "partners are spread over the class")
        let lonely = try Dataset(samples: Array(test.samples[0..<(4 * size)]), labels: [0, 1, 2, 0], sampleShape: [1, 10, 12],
                                 classes: 3, name: "t")
        XCTAssertThrowsError(try BackgroundChallenge(test: lonely, seed: seed)) {
            XCTAssertTrue("\($0)".contains("MIXED_SAME needs two test images of every class"), "\($0)")
        }
        let single = try Dataset(samples: Array(test.samples[0..<(2 * size)]), labels: [1, 1], sampleShape: [1, 10, 12], classes: 2, name: "t")
        XCTAssertThrowsError(try BackgroundChallenge(test: single, seed: seed)) { XCTAssertTrue("\($0)".contains("two classes"), "\($0)") }
    }

    func testAugmentationsAtProbabilityZeroAndOne() throws {
        let seed = freshSeed()
        let set = try BackgroundTests.objects(30, seed: seed)
        let masks = try ForegroundMask.standard.masks(of: set)
        // Crops of these mostly-black images may leave a background black; the other families are in (0, 1].
        let context = BackgroundContext(donors: set.samples, donorCount: set.count, families: [.noise, .grating, .checkerboard])
        var applied = 0
        for i in 0..<set.count {
            let x = Array(set.samples[(i * 120)..<((i + 1) * 120)]), m = Array(masks[(i * 120)..<((i + 1) * 120)])
            let u = BackgroundStreams.augmentationUnit(epoch: 2, sample: i, count: set.count, view: 0)
            let d = BackgroundDraws(seed: seed, stream: BackgroundStreams.augment, unit: u, pixels: 120)
            for kind in [BackgroundAugmentation.Kind.remove, .random] {
                XCTAssertEqual(try BackgroundAugmentation(kind, probability: 0).apply(x, mask: m, draws: d, own: i, shape: [1, 10, 12],
                                                                                       context: context), x)
                let y = try BackgroundAugmentation(kind, probability: 1).apply(x, mask: m, draws: d, own: i, shape: [1, 10, 12],
                                                                                context: context)
                for k in 0..<120 where m[k] == 1 { XCTAssertEqual(y[k], x[k]) }
                XCTAssertTrue((0..<120).allSatisfy { m[$0] == 1 || y[$0] != x[$0] }, "\(kind) kept a background pixel of \(i)")
                if kind == .remove { XCTAssertTrue((0..<120).allSatisfy { m[$0] == 1 || y[$0] == 0.5 }) }
            }
            if try BackgroundAugmentation(.random, probability: 0.5).apply(x, mask: m, draws: d, own: i, shape: [1, 10, 12],
                                                                            context: context) != x { applied += 1 }
        }
        XCTAssertTrue((6...24).contains(applied), "P = 0.5 applied to \(applied) of 30")
    }

    func testSwapsGiveThePositiveAnotherBackgroundAndTheNegativeTheQuerys() throws {
        let seed = freshSeed()
        let set = try BackgroundTests.objects(12, seed: seed)
        let masks = try ForegroundMask.standard.masks(of: set)
        let context = BackgroundContext(donors: set.samples, donorCount: set.count, families: [.noise])
        func sample(_ i: Int) -> ([Float], [Float]) { (Array(set.samples[(i * 120)..<((i + 1) * 120)]), Array(masks[(i * 120)..<((i + 1) * 120)])) }
        for i in 0..<set.count {
            let draws = (0..<2).map { BackgroundDraws(seed: seed, stream: BackgroundStreams.augment,
                                                      unit: BackgroundStreams.augmentationUnit(epoch: 0, sample: i, count: 12, view: $0),
                                                      pixels: 120) }
            let j = BackgroundAugmentation.negativeIndex(draws[0], own: i, count: 12)
            XCTAssertNotEqual(j, i)
            let (x, m) = sample(i), neg = sample(j)
            let swaps = BackgroundAugmentation(.swaps, probability: 1)
            let r = try swaps.swaps(query: x, queryMask: m, key: x, keyMask: m, queryDraws: draws[0], keyDraws: draws[1], own: i,
                                    shape: [1, 10, 12], negative: (neg.0, neg.1), context: context)
            let n = try XCTUnwrap(r.negative)
            for k in 0..<120 {
                XCTAssertEqual(r.query[k], m[k] == 1 ? x[k] : Philox.unitFloat(draws[0].noise[k]))
                XCTAssertEqual(r.key[k], m[k] == 1 ? x[k] : Philox.unitFloat(draws[1].noise[k]))
                XCTAssertEqual(n[k], neg.1[k] == 1 ? neg.0[k] : Philox.unitFloat(draws[0].noise[k]))
            }
            let off = try BackgroundAugmentation(.swaps, probability: 0).swaps(
                query: x, queryMask: m, key: x, keyMask: m, queryDraws: draws[0], keyDraws: draws[1], own: i, shape: [1, 10, 12],
                negative: (neg.0, neg.1), context: context)
            XCTAssertEqual(off.query, x)
            XCTAssertNil(off.negative)
            XCTAssertThrowsError(try swaps.apply(x, mask: m, draws: draws[0], own: i, shape: [1, 10, 12], context: context))
        }
        let (x, m) = sample(0)
        let d = BackgroundDraws(seed: seed, stream: BackgroundStreams.augment, unit: 0, pixels: 120)
        XCTAssertThrowsError(try BackgroundAugmentation(.random, probability: 1).apply(x, mask: m, draws: d, own: 0, shape: [1, 10, 12],
                                                                                        context: BackgroundContext(families: [.crop]))) {
            XCTAssertTrue("\($0)".contains("need a texture family"), "\($0)")
        }
    }

    func testParsingAndValidation() throws {
        let a = try BackgroundAugmentation(parsing: "bg-random:0.25")
        XCTAssertEqual(a, BackgroundAugmentation(.random, probability: 0.25))
        XCTAssertEqual(try BackgroundAugmentation(parsing: a.description), a)
        XCTAssertEqual(try JSONDecoder().decode(BackgroundAugmentation.self, from: JSONEncoder().encode(a)), a)
        XCTAssertEqual(try BackgroundAugmentation(parsing: "bg-rm:1").kind, .remove)
        XCTAssertEqual(try BackgroundAugmentation(parsing: "bg-swaps:0").kind, .swaps)
        for bad in ["bg-random", "bg-random:x", "bg-blur:0.5", "bg-rm:-0.1"] {
            XCTAssertThrowsError(try BackgroundAugmentation(parsing: bad), bad)
        }
        XCTAssertThrowsError(try BackgroundAugmentation(parsing: "bg-rm:1.5")) {
            XCTAssertTrue("\($0)".contains("the bg-rm probability must be in [0, 1], got 1.5"), "\($0)")
        }
    }

    /// Every Fashion-MNIST image has a foreground at τ = 0.05, r = 1 (BG3); Debian's
    /// dataset-fashion-mnist is installed here and in CI (missing there, the test fails).
    func testFashionMNISTImagesAllHaveForegrounds() throws {
        let dir = try requireFashionMNIST()
        for prefix in ["train", "t10k"] {
            let images = try IDX.read("\(dir)/\(prefix)-images-idx3-ubyte.gz"), labels = try IDX.read("\(dir)/\(prefix)-labels-idx1-ubyte.gz")
            let set = try Dataset(samples: images.bytes.map { Float($0) / 255 }, labels: labels.bytes.map { Int32($0) },
                                  sampleShape: [1, 28, 28], classes: 10, name: prefix)
            let masks = try ForegroundMask.standard.masks(of: set)
            let coverage = Double(masks.reduce(0, +)) / Double(masks.count)
            XCTAssertTrue(coverage > 0.2 && coverage < 0.9, "\(prefix): masks cover \(coverage) of the pixels")
        }
    }
}
