import Compute
import Learning
import XCTest

/// Class counts come from the labels only when those are 0..K−1 (issue 23.6).
final class TrainingDataTests: XCTestCase {
    func testInferredClassesMustBeContiguous() throws {
        let x = [Float](repeating: 0.5, count: 6)
        XCTAssertEqual(try Dataset(samples: x, labels: [0, 2, 1, 2, 0, 1], sampleShape: [1], name: "ok").classes, 3)
        XCTAssertThrowsError(try Dataset(samples: x, labels: [0, 1, 1_000_000, 1, 0, 2], sampleShape: [1], name: "y.npy")) { e in
            XCTAssertTrue("\(e)".contains("the labels are not the classes 0..3: 1000000 lies outside (4 distinct labels)"), "\(e)")
        }
        XCTAssertThrowsError(try Dataset(samples: x, labels: [0, 3, 3, 0, 0, 3], sampleShape: [1], name: "y.npy")) { e in
            XCTAssertTrue("\(e)".contains("0..1: 3 lies outside"), "\(e)")
        }
        // An explicit class count admits absent classes.
        XCTAssertEqual(try Dataset(samples: x, labels: [0, 3, 3, 0, 0, 3], sampleShape: [1], classes: 10, name: "y").classes, 10)
    }
}

/// A checkpoint carries a manifest: a missing, damaged or non-finite file is refused on resume
/// (a deleted momentum file used to resume with zero momentum).
final class TrainCheckpointManifestTests: XCTestCase {
    func testIncompleteDamagedOrNonFiniteCheckpointsAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-manifest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try TrainingChecks.syntheticData(seed: 4, count: 40, shape: [6], classes: 2)
        let config = TrainConfig(model: .mlp, data: "synthetic", epochs: 1, batch: 8, sgd: SGD(lr: 0.05, momentum: 0.9),
                                 checkpointAt: [2])
        _ = try Trainer<Float>(config: config, data: data, backend: CPUBackend.shared).run(checkpointDirectory: dir)
        let cp = dir.appendingPathComponent("checkpoint-2")
        func resume() throws { _ = try TrainCheckpoint.resume(Float.self, from: cp, data: data, backend: CPUBackend.shared) }
        XCTAssertNoThrow(try resume())

        let velocity = cp.appendingPathComponent("velocity0.npy"), saved = try Data(contentsOf: velocity)
        try FileManager.default.removeItem(at: velocity)
        XCTAssertThrowsError(try resume()) { XCTAssertTrue("\($0)".contains("incomplete: velocity0.npy is missing"), "\($0)") }
        var damaged = saved
        damaged[damaged.count - 1] ^= 0x40
        try damaged.write(to: velocity)
        XCTAssertThrowsError(try resume()) { XCTAssertTrue("\($0)".contains("differs from the file the checkpoint wrote"), "\($0)") }
        try saved.write(to: velocity)
        XCTAssertNoThrow(try resume())
        // NaN in a parameter (a checkpoint without manifest, as older versions wrote) is refused too.
        let state = cp.appendingPathComponent("state.json")
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: state)) as? [String: Any])
        json["manifest"] = nil
        try JSONSerialization.data(withJSONObject: json).write(to: state)
        try Npy.write(NpyArray([Double](repeating: .nan, count: try Npy.read(cp.appendingPathComponent("param0.npy")).count),
                               shape: [try Npy.read(cp.appendingPathComponent("param0.npy")).count]),
                      to: cp.appendingPathComponent("param0.npy"))
        XCTAssertThrowsError(try resume()) { XCTAssertTrue("\($0)".contains("non-finite numbers"), "\($0)") }
    }
}
