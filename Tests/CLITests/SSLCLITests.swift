import GPURunApp
import Foundation
import XCTest

/// `gpurun ssl` as a user runs it, on the small .npy images of TrainCLITests (48 train, 12 test).
final class SSLCLITests: XCTestCase {
    func testSSLReportsProbesWritesFilesAndResumesExactly() throws {
        let data = try trainingNpyData(self)
        let out = data.appendingPathComponent("out")
        let args = ["ssl", "--model", "cnn", "--data", "npy:\(data.path)", "--epochs", "2", "--batch", "8", "--queue", "24",
                    "--projection-dim", "16", "--negatives", "band:50:100", "--device", "cpu", "--json"]
        let r = try GPURunProcess.run(args + ["--output", out.path, "--checkpoint-at", "7"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try r.json()
        XCTAssertEqual(j["iterations"] as? Int, 12)
        for key in ["linearProbeAccuracy", "knnAccuracy", "initialLinearProbeAccuracy", "initialKnnAccuracy"] {
            let v = try XCTUnwrap(j[key] as? Double, key)
            XCTAssertTrue((0...1).contains(v), "\(key) = \(v)")
        }
        XCTAssertGreaterThan(try XCTUnwrap(j["initialLinearProbeAccuracy"] as? Double), 0.5, "3 separable classes")
        let bands = try XCTUnwrap(j["bandStatistics"] as? [String: [String: Any]])
        XCTAssertEqual(bands["band"]?["negatives"] as? String, "band:50:100")
        XCTAssertEqual(bands["band"]?["negativesSeen"] as? Int, 12 * 8 * 12)
        XCTAssertTrue(r.stderr.contains("] 1/12"), "progress bar: \(r.stderr)")
        for f in ["result.json", "losses.npy", "checkpoint/state.json", "checkpoint-7/state.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), f)
        }
        let losses = try Npy.read(out.appendingPathComponent("losses.npy"))
        XCTAssertEqual(losses.shape, [12])
        let resumed = try GPURunProcess.run(["ssl", "--resume", out.appendingPathComponent("checkpoint-7").path, "--device", "cpu",
                                             "--json"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let rj = try resumed.json()
        XCTAssertEqual(rj["finalLoss"] as? Double, j["finalLoss"] as? Double)
        XCTAssertEqual(rj["linearProbeAccuracy"] as? Double, j["linearProbeAccuracy"] as? Double)
        XCTAssertEqual(rj["knnAccuracy"] as? Double, j["knnAccuracy"] as? Double)
        let other = try GPURunProcess.run(["ssl", "--resume", out.appendingPathComponent("checkpoint-7").path, "--queue", "8",
                                           "--device", "cpu"])
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.stderr.contains("drop --queue"), other.stderr)
    }

    func testBadInputIsRefusedBeforeTraining() throws {
        let data = try trainingNpyData(self)
        let base = ["ssl", "--model", "cnn", "--data", "npy:\(data.path)", "--batch", "8", "--device", "cpu"]
        for (extra, text) in [(["--queue", "49"], "larger than the training set (48 samples)"),
                              (["--queue", "24", "--negatives", "band:95:95"], "LO < HI"),
                              (["--queue", "24", "--negatives", "band:95:100.5"], "[0, 100]"),
                              (["--queue", "24", "--negatives", "band:-5:10"], "[0, 100]"),
                              (["--queue", "24", "--temperature", "0"], "temperature must be positive"),
                              (["--queue", "24", "--temperature", "-1"], "temperature must be positive")] {
            let r = try GPURunProcess.run(base + extra)
            XCTAssertEqual(r.status, 64, "\(extra): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(text), "\(extra): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("] 1/"), "no step before the error: \(r.stderr)")
        }
    }
}
