import Compute

/// Validation of training on a device against the CPU engine: 20 SGD steps of a small CNN
/// from the same seed (the loss curves agree).
package enum TrainingChecks {
    static var all: [ValidationCheck] { [lossCurve] }

    /// 20 SGD steps of the CNN on random 12×12 images from the seed (2 under `--shapes small`): the losses agree.
    static let lossCurve = ValidationCheck(op: "train.loss-curve") { cpu, dev, seed in
        let data = try syntheticData(seed: seed, count: Validation.size(200, small: 20), shape: [1, 12, 12], classes: 4)
        let config = TrainConfig(model: .cnn, data: "synthetic", epochs: Validation.size(2, small: 1), batch: Validation.size(20, small: 10),
                                 sgd: SGD(lr: 0.05, momentum: 0.9, weightDecay: 1e-4), seed: seed)
        let curves = try [cpu, dev].map { be -> [Double] in
            let t = try Trainer<Float>(config: config, data: data, backend: be)
            _ = try t.run()
            return t.losses
        }
        return [.compare(op: "train.loss-curve.cnn", shape: [curves[0].count], ref: curves[0], got: curves[1],
                         tolerance: 2e-3, seed: seed)]
    }

    /// Random normal images with random labels from the seed (for checks and tests).
    public static func syntheticData(seed: UInt64, count: Int, shape: [Int], classes: Int) throws -> TrainingData {
        let size = shape.reduce(1, *)
        func set(_ n: Int, _ stream: UInt32) throws -> Dataset {
            let x: [Double] = PhiloxFill.normal(count: n * size, seed: seed, stream: stream)
            let y = PhiloxFill.raw(count: n, seed: seed, stream: stream + 1).map { Int32($0 % UInt32(classes)) }
            return try Dataset(samples: x.map { Float($0) }, labels: y, sampleShape: shape, classes: classes, name: "synthetic")
        }
        return try TrainingData(name: "synthetic", train: set(count, 80), test: set(max(count / 4, 1), 82))
    }
}
