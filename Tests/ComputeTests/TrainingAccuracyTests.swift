import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

/// The accuracy targets on the CPU engine in float32 (PyTorch with the same models and
/// optimiser: 83–85% for the MLP after one epoch, 88–90% for the CNN after two). Fixed seed.
final class TrainingAccuracyTests: XCTestCase {
    func train(_ model: ModelKind, epochs: Int, batch: Int, lr: Double) throws -> TrainResult {
        let data = try FashionMNIST.load()
        let config = TrainConfig(model: model, data: "fashion-mnist", epochs: epochs, batch: batch,
                                 sgd: SGD(lr: lr, momentum: 0.9), seed: 1)
        let r = try Trainer<Float>(config: config, data: data, backend: CPUBackend.shared).run()
        print("\(model): test accuracy \(r.testAccuracy) after \(epochs) epochs, \(r.imagesPerSecond ?? 0) images/s")
        return r
    }

    func testMLPOneEpoch() throws {
        let r = try train(.mlp, epochs: 1, batch: 64, lr: 0.02)
        XCTAssertGreaterThanOrEqual(r.testAccuracy, 0.84)
    }

    /// Six minutes at -Onone on two cores: slow tier.
    func testCNNTwoEpochs() throws {
        try requireSlowTests()
        let r = try train(.cnn, epochs: 2, batch: 128, lr: 0.03)
        XCTAssertGreaterThanOrEqual(r.testAccuracy, 0.88)
    }
}
