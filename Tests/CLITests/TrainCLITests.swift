import GPURunApp
import Foundation
import XCTest

/// 60 random 8×8 images in 3 classes whose class shifts the mean, so they can be learnt, as
/// X.npy and y.npy in a scratch folder.
func trainingNpyData(_ testCase: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-train-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    let n = 60
    let y = (0..<n).map { Int64($0 % 3) }
    let noise: [Double] = PhiloxFill.normal(count: n * 64, seed: 4, stream: 0)
    let x = noise.enumerated().map { i, v in v + Double(y[i / 64]) * (i % 64 < 32 ? 1.5 : -1.5) }
    try Npy.write(NpyArray(x, shape: [n, 8, 8]), to: dir.appendingPathComponent("X.npy"))
    try Npy.write(NpyArray(y, shape: [n]), to: dir.appendingPathComponent("y.npy"))
    return dir
}

/// `gpurun train` as a user runs it, on a small .npy data set.
final class TrainCLITests: XCTestCase {
    func npyData() throws -> URL { try trainingNpyData(self) }

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

/// `gpurun train` with Adam, augmentations, pre-training, a JSON model and masks.
final class TrainCLIFeatureTests: XCTestCase {
    func testAdamAugmentationsJSONModelAndMasks() throws {
        let data = try trainingNpyData(self)
        let model = data.appendingPathComponent("net.json")
        try #"{"name": "tiny", "layers": [{"type": "conv", "out": 4, "padding": 1, "bias": false}, {"type": "batchnorm"}, {"type": "relu"}, {"type": "maxpool"}, {"type": "flatten"}, {"type": "linear"}]}"#
            .write(to: model, atomically: true, encoding: .utf8)
        let r = try GPURunProcess.run(["train", "--model", model.path, "--data", "npy:\(data.path)", "--epochs", "2", "--batch", "8",
                                       "--optimizer", "adamw", "--lr", "0.01", "--warmup", "3", "--schedule", "cosine",
                                       "--augment", "crop:1,flip,blur:0.5", "--pretrain", "blur:3:1.5", "--loss", "mse", "--device", "cpu",
                                       "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try r.json()
        XCTAssertEqual(j["model"] as? String, "tiny")
        XCTAssertEqual(j["optimizer"] as? String, "adamw")
        XCTAssertEqual((j["config"] as? [String: Any])?["loss"] as? String, "mse")
        XCTAssertEqual(j["totalParameters"] as? Int, 4 * 9 + 8 + 4 * 16 * 3 + 3)

        // Masks: one of the wrong shape is refused before training; a right one prunes.
        let masks = data.appendingPathComponent("masks")
        try FileManager.default.createDirectory(at: masks, withIntermediateDirectories: true)
        try Npy.write(NpyArray([Double](repeating: 1, count: 8), shape: [2, 4]), to: masks.appendingPathComponent("mask-conv1.weight.npy"))
        let base = ["train", "--model", model.path, "--data", "npy:\(data.path)", "--batch", "8", "--device", "cpu", "--masks", masks.path]
        let bad = try GPURunProcess.run(base)
        XCTAssertEqual(bad.status, 64, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("a mask of shape [2, 4] for conv1.weight, which needs [4, 9]"), bad.stderr)
        XCTAssertFalse(bad.stderr.contains("epoch 1"), bad.stderr)
        try Npy.write(NpyArray((0..<36).map { Double($0 % 2) }, shape: [4, 9]), to: masks.appendingPathComponent("mask-conv1.weight.npy"))
        let good = try GPURunProcess.run(base + ["--json"])
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertEqual(try XCTUnwrap(good.json()["density"] as? Double), 0.5, accuracy: 1e-12)

        for (args, message) in [(["--model", #"{"layers": [{"type": "pool"}]}"#], "unknown type 'pool'"),
                                (["--model", #"{"layers": [{"type": "flatten"}, {"type": "linear", "out": 4}]}"#], "the data have 3 classes"),
                                (["--optimizer", "adam", "--momentum", "0.5"], "--momentum and --nesterov are SGD's"),
                                (["--augment", "crop:0"], "at least 1 pixel"), (["--pretrain", "rotation:0"], "at least 1 iteration")] {
            let e = try GPURunProcess.run(["train", "--data", "npy:\(data.path)", "--device", "cpu"] + args)
            XCTAssertEqual(e.status, 64, "\(args): \(e.stderr)")
            XCTAssertTrue(e.stderr.contains(message), "\(args): \(e.stderr)")
        }
    }
}

/// `gpurun bench train` times the three steps on each engine; without PyTorch it says so.
final class BenchTrainCLITests: XCTestCase {
    func testStepsAndMissingReference() throws {
        let r = try GPURunProcess.run(["bench", "train", "--engines", "cpu", "--batch", "4", "--min-seconds", "0.01",
                                       "--python", "/nonexistent/python", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try XCTUnwrap(r.json()["results"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["step"] as? String }, ["fwd+bwd", "adam", "masked-sgd"])
        XCTAssertTrue(rows.allSatisfy { ($0["imagesPerSecond"] as? Double ?? 0) > 0 })
        XCTAssertFalse(try XCTUnwrap(r.json()["notes"] as? [String]).isEmpty)
    }
}
