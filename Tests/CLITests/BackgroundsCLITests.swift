import GPURunApp
import Foundation
import XCTest

/// `gpurun backgrounds` as a user runs it (docs/backgrounds.md BG11, BG12).
final class BackgroundsCLITests: XCTestCase {
    /// n 8×8 images, a bright square (its place and size by class) on a black field, as X.npy,
    /// y.npy, X_test.npy, y_test.npy; `blankTest` makes test image 2 all black.
    func objectData(blankTest: Bool = false, blankTrain: Bool = false) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-bg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        func set(_ n: Int, _ name: String, blank: Int?) throws {
            let y = (0..<n).map { Int64($0 % 3) }
            var x = [Double](repeating: 0, count: n * 64)
            for i in 0..<n where i != blank {
                let c = Int(y[i]), side = 2 + c
                for r in 0..<side { for col in 0..<side { x[i * 64 + (1 + c + r) * 8 + 1 + col] = 0.4 + 0.1 * Double((i + r) % 5) } }
            }
            try Npy.write(NpyArray(x, shape: [n, 8, 8]), to: dir.appendingPathComponent("X\(name).npy"))
            try Npy.write(NpyArray(y, shape: [n]), to: dir.appendingPathComponent("y\(name).npy"))
        }
        try set(60, "", blank: blankTrain ? 5 : nil)
        try set(30, "_test", blank: blankTest ? 2 : nil)
        return dir
    }

    func testBackgroundsWritesTheSetsAndTrainReadsThem() throws {
        let data = try objectData()
        let out = data.appendingPathComponent("bg")
        let r = try GPURunProcess.run(["backgrounds", "--data", "npy:\(data.path)", "--output", out.path, "--seed", "3", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try r.json()
        XCTAssertEqual(j["trainCount"] as? Int, 60)
        XCTAssertEqual(j["testCount"] as? Int, 30)
        func read(_ name: String) throws -> NpyArray { try Npy.read(out.appendingPathComponent(name)) }
        let labels = try read("y_test.npy").int64s(), raw = try Npy.read(data.appendingPathComponent("X_test.npy")).doubles()
        let masks = try read("test-masks.npy").doubles(), fg = try read("only-fg.npy").doubles()
        XCTAssertEqual(try read("X.npy").shape, [60, 8, 8])
        XCTAssertEqual(try read("y.npy").int64s(), (0..<60).map { Int64($0 % 3) })
        for (name, donors, same) in [("mixed-same", "mixed-same-donor.npy", true), ("mixed-rand", "mixed-rand-donor.npy", false)] {
            let d = try read(donors).int64s(), x = try read("\(name).npy").doubles()
            XCTAssertEqual(d.count, 30)
            for i in 0..<30 {
                XCTAssertEqual(labels[Int(d[i])] == labels[i], same, "\(name) image \(i)")
                for k in 0..<64 where masks[i * 64 + k] == 1 { XCTAssertEqual(x[i * 64 + k], Double(Float(raw[i * 64 + k]))) }
            }
        }
        for k in 0..<(30 * 64) { XCTAssertEqual(fg[k], masks[k] == 1 ? Double(Float(raw[k])) : 0) }
        let sheet = try String(contentsOf: out.appendingPathComponent("contact-sheet.svg"), encoding: .utf8)
        XCTAssertEqual(sheet.components(separatedBy: "<g class=\"image\"").count - 1, 5 * 8, "8 images of each of the 5 sets")
        for label in ["cluttered", "original", "only-fg", "mixed-same", "mixed-rand"] { XCTAssertTrue(sheet.contains(">\(label)</text>"), label) }
        // The same seed writes the same sets; `train --data npy:DIR` trains on the cluttered set.
        let again = data.appendingPathComponent("bg2")
        XCTAssertEqual(try GPURunProcess.run(["backgrounds", "--data", "npy:\(data.path)", "--output", again.path, "--seed", "3"]).status, 0)
        XCTAssertEqual(try Data(contentsOf: again.appendingPathComponent("mixed-rand.npy")), try Data(contentsOf: out.appendingPathComponent("mixed-rand.npy")))
        let t = try GPURunProcess.run(["train", "--data", "npy:\(out.path)", "--model", "mlp", "--epochs", "1", "--batch", "8",
                                       "--device", "cpu", "--json"])
        XCTAssertEqual(t.status, 0, t.stderr)
        // Background augmentations of `train`.
        let base = ["train", "--data", "npy:\(data.path)", "--model", "mlp", "--epochs", "1", "--batch", "8", "--device", "cpu", "--json"]
        let aug = try GPURunProcess.run(base + ["--augment", "bg-random:0.5,flip"])
        XCTAssertEqual(aug.status, 0, aug.stderr)
        XCTAssertNotEqual(try aug.json()["trainLoss"] as? Double, try GPURunProcess.run(base + ["--augment", "flip"]).json()["trainLoss"] as? Double)
        let swaps = try GPURunProcess.run(base + ["--augment", "bg-swaps:0.5"])
        XCTAssertEqual(swaps.status, 64)
        XCTAssertTrue(swaps.stderr.contains("one view per sample"), swaps.stderr)
    }

    /// `ssl` on cluttered backgrounds with BG_Swaps: the probes on the four sets, and bad input refused before training.
    func testSSLWithBackgroundSwapsReportsTheChallenge() throws {
        let data = try objectData()
        let base = ["ssl", "--data", "npy:\(data.path)", "--model", "cnn", "--epochs", "1", "--batch", "8", "--queue", "16",
                    "--projection-dim", "8", "--device", "cpu"]
        let r = try GPURunProcess.run(base + ["--backgrounds", "cluttered:0.8", "--background", "bg-swaps:0.5", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let tests = try XCTUnwrap(try r.json()["backgroundTests"] as? [String: [String: Double]], r.stdout)
        for probe in ["linearProbe", "knn", "initialLinearProbe", "initialKnn"] {
            let a = try XCTUnwrap(tests[probe], probe)
            for set in ["original", "onlyForeground", "mixedSame", "mixedRandom"] { XCTAssertTrue((0...1).contains(a[set] ?? -1), "\(probe).\(set)") }
            XCTAssertEqual(a["robustnessGap"]!, a["mixedSame"]! - a["mixedRandom"]!, accuracy: 1e-12)
        }
        for (extra, text) in [(["--background", "bg-swaps:2"], "probability must be in [0, 1]"),
                              (["--background", "bg-blur:0.5"], "bg-rm:P, bg-random:P or bg-swaps:P")] {
            let bad = try GPURunProcess.run(base + extra)
            XCTAssertEqual(bad.status, 64, "\(extra): \(bad.stderr)")
            XCTAssertTrue(bad.stderr.contains(text), "\(extra): \(bad.stderr)")
        }
        let blank = try objectData(blankTrain: true)
        let refused = try GPURunProcess.run(["ssl", "--data", "npy:\(blank.path)", "--model", "cnn", "--batch", "8", "--queue", "16",
                                             "--background", "bg-random:0.5", "--device", "cpu"])
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("has no foreground"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("] 1/"), "no step before the error: \(refused.stderr)")
    }

    func testImagesWithoutForegroundAndBadOptionsAreRefused() throws {
        let data = try objectData(blankTest: true)
        let out = data.appendingPathComponent("bg")
        let r = try GPURunProcess.run(["backgrounds", "--data", "npy:\(data.path)", "--output", out.path])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("image 2 (label 2) has no foreground"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing is written")
        let tie = try GPURunProcess.run(["backgrounds", "--data", "npy:\(data.path)", "--output", out.path, "--class-tie", "2"])
        XCTAssertEqual(tie.status, 64)
        XCTAssertTrue(tie.stderr.contains("the class tie ρ must be in [0, 1], got 2.0"), tie.stderr)
        let fam = try GPURunProcess.run(["backgrounds", "--output", out.path, "--families", "noise,stripes"])
        XCTAssertEqual(fam.status, 64)
        XCTAssertTrue(fam.stderr.contains("'stripes' is not one of noise, grating, checkerboard, crop"), fam.stderr)
    }

    func testTrainOnClutteredBackgroundsReportsTheChallenge() throws {
        let data = try objectData()
        let args = ["train", "--data", "npy:\(data.path)", "--model", "mlp", "--epochs", "2", "--batch", "8", "--device", "cpu",
                    "--backgrounds", "cluttered:0.5", "--seed", "4"]
        let r = try GPURunProcess.run(args + ["--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try r.json()
        let b = try XCTUnwrap(j["backgroundTests"] as? [String: Any])
        let (same, rand) = (try XCTUnwrap(b["mixedSame"] as? Double), try XCTUnwrap(b["mixedRandom"] as? Double))
        XCTAssertEqual(try XCTUnwrap(b["robustnessGap"] as? Double), same - rand, accuracy: 1e-12)
        XCTAssertEqual(b["original"] as? Double, j["testAccuracy"] as? Double)
        XCTAssertNotNil(b["onlyForeground"] as? Double)
        // A resumed run clutters the same way (the configuration carries the backgrounds).
        let out = data.appendingPathComponent("run")
        XCTAssertEqual(try GPURunProcess.run(args + ["--output", out.path, "--checkpoint-at", "8"]).status, 0)
        let resumed = try GPURunProcess.run(["train", "--resume", out.appendingPathComponent("checkpoint-8").path, "--device", "cpu", "--json"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(NSDictionary(dictionary: try XCTUnwrap(try resumed.json()["backgroundTests"] as? [String: Any])), NSDictionary(dictionary: b))
        let text = try GPURunProcess.run(args)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("backgrounds: original "), text.stdout)
        let bad = try GPURunProcess.run(["train", "--data", "npy:\(data.path)", "--backgrounds", "cluttered:3", "--device", "cpu"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("the class tie ρ must be in [0, 1], got 3.0"), bad.stderr)
        let blank = try objectData(blankTest: true)
        let refused = try GPURunProcess.run(["train", "--data", "npy:\(blank.path)", "--backgrounds", "cluttered", "--device", "cpu"])
        XCTAssertEqual(refused.status, 64)
        XCTAssertTrue(refused.stderr.contains("image 2 (label 2) has no foreground"), refused.stderr)
    }
}
