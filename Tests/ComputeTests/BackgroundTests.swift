import Compute
import Foundation
import Learning
import XCTest

/// Foreground masks, textures, compositing, the cluttered set, the Backgrounds Challenge and
/// the background augmentations (docs/backgrounds.md BG1–BG15).
final class BackgroundTests: XCTestCase {
    /// n raw images of `shape`, each a rectangle of intensities in [0.3, 1] on a zero field, labels i mod classes.
    static func objects(_ n: Int, shape: [Int] = [1, 10, 12], classes: Int = 3, seed: UInt64) throws -> Dataset {
        let (c, h, w) = (shape[0], shape[1], shape[2])
        var x = [Float](repeating: 0, count: n * c * h * w)
        for i in 0..<n {
            let r = PhiloxFill.raw(count: 8, seed: seed, stream: 99, offset: UInt64(2 * i))
            let (y0, x0) = (1 + Int(r[0] % UInt32(h / 2)), 1 + Int(r[1] % UInt32(w / 2)))
            let (hh, ww) = (1 + Int(r[2] % 3), 1 + Int(r[3] % 3))
            for ch in 0..<c {
                for y in y0..<(y0 + hh) {
                    for xx in x0..<(x0 + ww) { x[((i * c + ch) * h + y) * w + xx] = 0.3 + 0.7 * Philox.unitFloat(r[4 + ch % 4]) }
                }
            }
        }
        return try Dataset(samples: x, labels: (0..<n).map { Int32($0 % classes) }, sampleShape: shape, classes: classes, name: "objects")
    }

    func testMaskThresholdAndDilation() {
        let (h, w) = (5, 6)
        var img = [Float](repeating: 0, count: 2 * h * w)
        img[0] = 0.05          // exactly τ: not bright (BG1 is strict)
        img[2 * w + 3] = 0.6   // channel 0, (2, 3)
        img[h * w + 4 * w + 5] = 0.2  // channel 1, the corner (4, 5)
        let bare = ForegroundMask(threshold: 0.05, dilation: 0).mask(img, c: 2, h: h, w: w)
        XCTAssertEqual(bare.indices.filter { bare[$0] == 1 }, [2 * w + 3, 4 * w + 5])
        let m = ForegroundMask.standard.mask(img, c: 2, h: h, w: w)
        var expected = Set<Int>()
        for y in 1...3 { for x in 2...4 { expected.insert(y * w + x) } }
        for (y, x) in [(3, 4), (3, 5), (4, 4), (4, 5)] { expected.insert(y * w + x) }  // clipped at the corner
        XCTAssertEqual(Set(m.indices.filter { m[$0] == 1 }), expected)
        XCTAssertTrue(m.allSatisfy { $0 == 0 || $0 == 1 })
        let wide = ForegroundMask(threshold: 0.05, dilation: 2).mask(img, c: 2, h: h, w: w)
        XCTAssertEqual(wide.filter { $0 == 1 }.count, 5 * 5)  // rows 0–4 × columns 1–5 cover both squares
        // A standardised threshold selects the same pixels.
        let (mean, scale): (Float, Float) = (0.2, 3)
        let std = ForegroundMask.standard.standardized(mean: mean, scale: scale).mask(img.map { ($0 - mean) * scale }, c: 2, h: h, w: w)
        XCTAssertEqual(std, m)
    }

    func testImagesWithoutForegroundAreRefused() throws {
        var x = [Float](repeating: 0, count: 3 * 16)
        x[5] = 0.9
        x[16 + 7] = 0.04
        x[32 + 1] = 0.5
        let set = try Dataset(samples: x, labels: [0, 1, 0], sampleShape: [1, 4, 4], classes: 2, name: "t")
        XCTAssertThrowsError(try ForegroundMask.standard.masks(of: set)) { e in
            XCTAssertTrue("\(e)".contains("image 1 (label 1) has no foreground: its largest value 0.04 is not above the threshold τ = 0.05"), "\(e)")
        }
        XCTAssertThrowsError(try ClutteredDataset(set, seed: 1)) { XCTAssertTrue("\($0)".contains("image 1 (label 1)"), "\($0)") }
        let flat = try Dataset(samples: [Float](repeating: 1, count: 6), labels: [0, 1], sampleShape: [3], name: "f")
        XCTAssertThrowsError(try ForegroundMask.standard.masks(of: flat)) { XCTAssertTrue("\($0)".contains("[C, H, W]"), "\($0)") }
    }

    func texture(_ f: TextureFamily, seed: UInt64, unit: UInt64, shape: (Int, Int, Int) = (2, 9, 11), donors: Dataset? = nil) throws -> BackgroundTexture {
        let d = BackgroundDraws(seed: seed, stream: BackgroundStreams.cluttered, unit: unit, pixels: shape.0 * shape.1 * shape.2)
        return try BackgroundTexture(f, draws: d, c: shape.0, h: shape.1, w: shape.2, own: 0, donors: donors?.samples[...],
                                     donorCount: donors?.count ?? 0)
    }

    func testTexturesAreDeterministicDistinctAndInRange() throws {
        let seed = freshSeed()
        let donors = try Self.objects(5, shape: [2, 9, 11], seed: seed)
        for f in TextureFamily.allCases {
            let a = try texture(f, seed: seed, unit: 3, donors: donors)
            XCTAssertEqual(a.values, try texture(f, seed: seed, unit: 3, donors: donors).values, "\(f)")
            XCTAssertNotEqual(a.values, try texture(f, seed: seed &+ 1, unit: 3, donors: donors).values, "\(f)")
            XCTAssertNotEqual(a.values, try texture(f, seed: seed, unit: 4, donors: donors).values, "\(f)")
            XCTAssertEqual(a.values.count, 2 * 9 * 11)
            switch f {
            case .noise: XCTAssertTrue(a.values.allSatisfy { $0 > 0 && $0 <= 1 })
            case .grating:
                XCTAssertTrue(a.contrast > 0 && a.contrast <= 0.5 && a.period > 3 && a.period <= 10)
                XCTAssertTrue(a.values.allSatisfy { abs($0 - 0.5) <= Float(a.contrast) + 1e-6 })
            case .checkerboard:
                XCTAssertTrue((2...7).contains(a.cell) && a.offset.x < a.cell && a.offset.y < a.cell)
                XCTAssertTrue(a.values.allSatisfy { $0 == a.levels.0 || $0 == a.levels.1 })
            case .crop:
                let j = try XCTUnwrap(a.donor)
                XCTAssertTrue(j != 0 && j < 5)
                XCTAssertEqual(Set(a.values), Set(donors.samples[(j * 198)..<((j + 1) * 198)]))
            }
        }
        XCTAssertThrowsError(try texture(.crop, seed: seed, unit: 0)) { XCTAssertTrue("\($0)".contains("at least two donor images"), "\($0)") }
    }

    func testNoiseHasUniformMoments() throws {
        let seed = freshSeed()
        var v: [Float] = []
        for u in 0..<20 { v += try texture(.noise, seed: seed, unit: UInt64(u), shape: (1, 28, 28)).values }
        let mean = v.reduce(0, +) / Float(v.count)
        let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(v.count)
        // 15680 draws: the mean's standard error is 0.0023, the variance's 0.0005.
        XCTAssertEqual(mean, 0.5, accuracy: 0.012)
        XCTAssertEqual(variance, 1 / 12, accuracy: 0.003)
    }

    func testGratingPeriodFromZeroCrossings() throws {
        let seed = freshSeed(), w = 400
        var checked = 0
        for u in 0..<40 {
            let t = try texture(.grating, seed: seed, unit: UInt64(u), shape: (1, 3, w))
            let expected = 2 * Double(w) * abs(Foundation.cos(t.orientation)) / t.period
            guard expected >= 4 else { continue }  // nearly vertical stripes: too few crossings along a row
            let row = t.values[(w)..<(2 * w)].map { Double($0) - 0.5 }
            let crossings = zip(row.dropLast(), row.dropFirst()).filter { $0 * $1 < 0 || ($0 != 0 && $1 == 0) }.count
            XCTAssertEqual(Double(crossings), expected, accuracy: 2, "unit \(u): θ \(t.orientation), P \(t.period)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
    }

    func testCheckerboardCellSizeAndOffset() throws {
        let seed = freshSeed()
        for u in 0..<20 {
            let t = try texture(.checkerboard, seed: seed, unit: UInt64(u), shape: (1, 30, 30))
            guard t.levels.0 != t.levels.1 else { continue }
            for y in [0, 13] {
                let row = Array(t.values[(y * 30)..<(y * 30 + 30)])
                var runs: [Int] = [1]
                for x in 1..<30 { if row[x] == row[x - 1] { runs[runs.count - 1] += 1 } else { runs.append(1) } }
                XCTAssertEqual(runs[0], t.cell - t.offset.x, "unit \(u)")
                XCTAssertTrue(runs.dropFirst().dropLast().allSatisfy { $0 == t.cell }, "unit \(u): \(runs) for cell \(t.cell)")
            }
            // Down a column the cells alternate with offset o_y.
            let column = (0..<30).map { t.values[$0 * 30] }
            XCTAssertEqual(column.prefix { $0 == column[0] }.count, t.cell - t.offset.y)
        }
    }

    func testCompositingKeepsForegroundExactly() {
        let x = PhiloxFill.uniform(count: 2 * 20, seed: 5, stream: 0) as [Float]
        let b = PhiloxFill.uniform(count: 2 * 20, seed: 6, stream: 0) as [Float]
        let m: [Float] = (0..<20).map { $0 % 3 == 0 ? 1 : 0 }
        let out = Compositing.composite(x[...], mask: m[...], background: b)
        for k in 0..<40 { XCTAssertEqual(out[k].bitPattern, (m[k % 20] == 1 ? x[k] : b[k]).bitPattern) }
        XCTAssertEqual(Compositing.constant(x[...], mask: m[...], level: 0).filter { $0 == 0 }.count, 2 * 13)
    }
}
