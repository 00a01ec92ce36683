import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

/// Pruning masks and magnitude pruning.
final class TrainingPruningTests: XCTestCase {
    let be = CPUBackend.shared

    /// Global pruning removes the smallest magnitudes over all parameters, layer-wise the
    /// smallest of each; a second round prunes P of what is left.
    func testMagnitudePruning() throws {
        let a = try Parameter<Double>("a", role: .weight, shape: [4], fanIn: 1, on: be)
        let b = try Parameter<Double>("b", role: .weight, shape: [4], fanIn: 1, on: be)
        try be.write([0.1, -0.2, 3, 4], into: a.value)
        try be.write([5, -6, 0.05, 8], into: b.value)
        XCTAssertEqual(try MagnitudePruning.masks([a, b], fraction: 0.25, scope: .global), [[0, 1, 1, 1], [1, 1, 0, 1]])
        XCTAssertEqual(try MagnitudePruning.masks([a, b], fraction: 0.25, scope: .layerwise), [[0, 1, 1, 1], [1, 1, 0, 1]])
        XCTAssertEqual(try MagnitudePruning.masks([a, b], fraction: 0.5, scope: .global), [[0, 0, 0, 1], [1, 1, 0, 1]])
        XCTAssertEqual(try MagnitudePruning.masks([a, b], fraction: 0.5, scope: .layerwise), [[0, 0, 1, 1], [0, 1, 0, 1]])
        try MagnitudePruning.prune([a, b], fraction: 0.5, scope: .global)
        XCTAssertEqual(try a.value.toArray(), [0, 0, 0, 4])
        XCTAssertEqual(try MagnitudePruning.density([a, b]), 0.5)
        try MagnitudePruning.prune([a, b], fraction: 0.5, scope: .global)
        XCTAssertEqual(try MagnitudePruning.density([a, b]), 0.25)
        XCTAssertEqual(try b.maskValues(), [0, 1, 0, 1])
        for bad in [0.0, 1.0, -0.5, 1.5] {
            XCTAssertThrowsError(try MagnitudePruning.masks([a], fraction: bad, scope: .global)) {
                XCTAssertTrue("\($0)".contains("in (0, 1)"), "\($0)")
            }
        }
        XCTAssertThrowsError(try a.setMask([1, 0])) { XCTAssertTrue("\($0)".contains("has 2 values"), "\($0)") }
        XCTAssertThrowsError(try a.setMask([1, 0, 2, 1])) { XCTAssertTrue("\($0)".contains("only 0 and 1"), "\($0)") }
    }

    /// Pruned weights stay exactly 0 through SGD with momentum and weight decay and through
    /// AdamW, on the CPU engine and on OpenCL, and both engines give the same losses.
    func testPrunedWeightsStayZeroOnBothEngines() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        let data = try TrainingChecks.syntheticData(seed: seed, count: 64, shape: [1, 8, 8], classes: 3)
        for opt in [OptimizerSpec.sgd(SGD(lr: 0.05, momentum: 0.9, weightDecay: 1e-2)),
                    .adam(Adam(lr: 0.01, weightDecay: 0.1, decoupled: true))] {
            let config = TrainConfig(model: .builtin(.resnet), data: "s", epochs: 3, batch: 16, optimizer: opt, seed: seed,
                                     dtype: .f64)
            var curves: [[Double]] = []
            for engine in [be, cl] as [any Backend] {
                let t = try Trainer<Double>(config: config, data: data, backend: engine)
                let prunable = MagnitudePruning.prunable(t.model.parameters)
                var masks: [[Double]] = []
                // Pruned after 4 steps, when the optimiser's buffers are non-zero everywhere.
                _ = try t.run(hooks: [.at([4]) { _ in
                    try MagnitudePruning.prune(prunable, fraction: 0.6, scope: .layerwise)
                    masks = try prunable.map { try $0.maskValues() }
                }])
                XCTAssertEqual(t.iteration, 12)
                for (p, m) in zip(prunable, masks) {
                    let v = try p.value.toArray()
                    XCTAssertTrue(zip(v, m).allSatisfy { $1 == 1 || $0 == 0 }, "\(opt.name) \(engine.label): \(p.name)")
                    XCTAssertTrue(zip(v, m).contains { $1 == 1 && $0 != 0 }, p.name)
                }
                XCTAssertEqual(try MagnitudePruning.density(prunable), 0.4, accuracy: 0.01)
                curves.append(t.losses)
            }
            XCTAssertLessThan(Compare.maxRelativeError(curves[0], curves[1]), 1e-9, "\(opt.name) (seed \(seed))")
        }
    }

    /// Mask files: written in the parameter's shape (4-D weights as 2-D), read back, and a file
    /// of the wrong shape or naming no parameter refused before any mask is set.
    func testMaskFiles() throws {
        let dir = try temporaryDirectory(self)
        let data = try TrainingChecks.syntheticData(seed: 2, count: 16, shape: [1, 8, 8], classes: 3)
        let config = TrainConfig(model: .cnn, data: "s", epochs: 1, batch: 8, sgd: SGD(lr: 0.1))
        let t = try Trainer<Float>(config: config, data: data, backend: be)
        let prunable = MagnitudePruning.prunable(t.model.parameters)
        try MagnitudePruning.prune(prunable, fraction: 0.3, scope: .global)
        _ = try MaskFiles.write(prunable, to: dir)
        XCTAssertEqual(try Npy.read(MaskFiles.url(dir, "conv1.weight")).shape, [16, 9])
        let fresh = try Trainer<Float>(config: config, data: data, backend: be)
        XCTAssertEqual(try MaskFiles.read(dir, into: fresh.model.parameters), prunable.map(\.name))
        for (p, q) in zip(MagnitudePruning.prunable(fresh.model.parameters), prunable) {
            XCTAssertEqual(try p.maskValues(), try q.maskValues())
        }
        try Npy.write(NpyArray([Double](repeating: 1, count: 16 * 3), shape: [16, 3]), to: MaskFiles.url(dir, "conv1.weight"))
        let third = try Trainer<Float>(config: config, data: data, backend: be)
        XCTAssertThrowsError(try MaskFiles.read(dir, into: third.model.parameters)) {
            XCTAssertTrue("\($0)".contains("a mask of shape [16, 3] for conv1.weight, which needs [16, 9]"), "\($0)")
        }
        XCTAssertTrue(third.model.parameters.allSatisfy { $0.mask == nil }, "nothing set after a bad file")
        try FileManager.default.removeItem(at: MaskFiles.url(dir, "conv1.weight"))
        try Npy.write(NpyArray([1.0], shape: [1]), to: MaskFiles.url(dir, "conv9.weight"))
        XCTAssertThrowsError(try MaskFiles.read(dir, into: third.model.parameters)) {
            XCTAssertTrue("\($0)".contains("no parameter is named conv9.weight"), "\($0)")
        }
    }
}
