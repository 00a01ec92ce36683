import GPURunApp
import Foundation
import XCTest

/// `gpurun train` as a user runs it, on a small .npy data set.
final class TrainCLITests: XCTestCase {
    /// 60 random 8×8 images in 3 classes whose class shifts the mean, so they can be learnt.
    func npyData() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let n = 60
        let y = (0..<n).map { Int64($0 % 3) }
        let noise: [Double] = PhiloxFill.normal(count: n * 64, seed: 4, stream: 0)
        let x = noise.enumerated().map { i, v in v + Double(y[i / 64]) * (i % 64 < 32 ? 1.5 : -1.5) }
        try Npy.write(NpyArray(x, shape: [n, 8, 8]), to: dir.appendingPathComponent("X.npy"))
        try Npy.write(NpyArray(y, shape: [n]), to: dir.appendingPathComponent("y.npy"))
        return dir
    }

    func testTrainWritesMetricsFilesAndResumesExactly() throws {
        let data = try npyData()
        let out = data.appendingPathComponent("out")
        let args = ["train", "--model", "cnn", "--data", "npy:\(data.path)", "--epochs", "3", "--batch", "8", "--lr", "0.05",
                    "--device", "cpu", "--json"]
        let r = try GPURunProcess.run(args + ["--output", out.path, "--checkpoint-at", "7"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try r.json()
        XCTAssertEqual(j["epochs"] as? Int, 3)
        let acc = try XCTUnwrap(j["testAccuracy"] as? Double)
        let loss = try XCTUnwrap(j["trainLoss"] as? Double)
        XCTAssertGreaterThan(acc, 0.5, "3 separable classes")
        XCTAssertTrue(r.stderr.contains("epoch 1: train loss"), r.stderr)
        XCTAssertTrue(r.stderr.contains("] 1/"), "progress bar: \(r.stderr)")
        for f in ["result.json", "losses.npy", "gamma.npy", "gamma_histogram.svg", "checkpoint-7/state.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), f)
        }
        let gamma = try Npy.read(out.appendingPathComponent("gamma.npy"))
        XCTAssertEqual(gamma.shape, [48])
        // Resumed from the checkpoint: the same final metrics.
        let resumed = try GPURunProcess.run(["train", "--resume", out.appendingPathComponent("checkpoint-7").path,
                                             "--device", "cpu", "--json"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let rj = try resumed.json()
        XCTAssertEqual(rj["testAccuracy"] as? Double, acc)
        XCTAssertEqual(rj["trainLoss"] as? Double, loss)
        XCTAssertEqual(rj["iterations"] as? Int, j["iterations"] as? Int)
        // A resume that names another configuration is refused, not silently overridden.
        let other = try GPURunProcess.run(["train", "--resume", out.appendingPathComponent("checkpoint-7").path,
                                           "--model", "cnn", "--lr", "0.5", "--device", "cpu"])
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.stderr.contains("drop --model, --lr"), other.stderr)
    }

    func testTrainOnlyBatchNormAndErrors() throws {
        let data = try npyData()
        let r = try GPURunProcess.run(["train", "--model", "resnet", "--data", "npy:\(data.path)", "--epochs", "1",
                                       "--batch", "16", "--train-only", "batchnorm", "--device", "cpu", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try r.json()
        XCTAssertEqual(j["trainOnly"] as? String, "batchnorm")
        XCTAssertLessThan(try XCTUnwrap(j["trainedParameters"] as? Int), try XCTUnwrap(j["totalParameters"] as? Int))
        XCTAssertNotNil(j["gammaNearZeroFraction"] as? Double)

        let missing = try GPURunProcess.run(["train", "--data", "npy:/nonexistent-dir", "--device", "cpu"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("X.npy"), missing.stderr)
        let badModel = try GPURunProcess.run(["train", "--model", "vgg", "--device", "cpu"])
        XCTAssertNotEqual(badModel.status, 0)
        XCTAssertTrue(badModel.stderr.contains("--model"), badModel.stderr)
        let noOutput = try GPURunProcess.run(["train", "--data", "npy:\(data.path)", "--checkpoint-at", "3", "--device", "cpu"])
        XCTAssertNotEqual(noOutput.status, 0)
        XCTAssertTrue(noOutput.stderr.contains("--output"), noOutput.stderr)
    }
}
