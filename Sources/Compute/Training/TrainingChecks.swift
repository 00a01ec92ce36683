/// Validation of the training ops on a device against the CPU engine: BatchNorm statistics,
/// forward and backward on [N, C, S] shapes (odd sizes, S = 1 for BatchNorm1d), softmax
/// cross-entropy with its gradient, the ReLU mask on signed inputs, and 20 SGD steps of a
/// small CNN from the same seed (the loss curves agree).
enum TrainingChecks {
    static var all: [ValidationCheck] {
        [ops(Float.self, tolerance: 1e-4), ops(Double.self, tolerance: 1e-11), lossCurve]
    }

    static let shapes = [(2, 3, 1), (7, 5, 13), (3, 16, 49), (64, 10, 1), (1, 4, 7)]

    static func ops<T: Scalar>(_: T.Type, tolerance: Double) -> ValidationCheck {
        ValidationCheck(op: "train.ops") { cpu, dev, seed in
            if T.dtype == .f64 && !dev.supportsFP64 { return [] }
            var out: [ValidationResult] = []
            for (i, (n, c, s)) in shapes.enumerated() {
                let count = n * c * s
                func normal(_ k: Int, _ stream: UInt32) -> [T] {
                    (PhiloxFill.normal(count: k, seed: seed &+ UInt64(i), stream: stream) as [Double]).map { T($0 * 1.5 + 0.3) }
                }
                let (x, dy, g, b) = (normal(count, 70), normal(count, 71), normal(c, 72), normal(c, 73))
                let r = try [cpu, dev].map { be -> [T] in
                    let tx = try be.tensor(x, shape: [n, c, s]), tdy = try be.tensor(dy, shape: [n, c, s])
                    let tg = try be.tensor(g), tb = try be.tensor(b)
                    let mean = try be.zeros([c], as: T.self), variance = try be.zeros([c], as: T.self)
                    let y = try be.zeros([n, c, s], as: T.self), dx = try be.zeros([n, c, s], as: T.self)
                    let dg = try be.zeros([c], as: T.self), db = try be.zeros([c], as: T.self)
                    try be.batchNormStatistics(tx, channels: c, spatial: s, mean: mean, variance: variance)
                    try be.batchNormForward(tx, mean: mean, variance: variance, gamma: tg, beta: tb, eps: 1e-5, channels: c,
                                            spatial: s, into: y)
                    try be.batchNormBackward(tx, tdy, mean: mean, variance: variance, gamma: tg, eps: 1e-5, channels: c,
                                             spatial: s, dx: dx, dgamma: dg, dbeta: db)
                    let mask = try be.zeros([count], as: T.self)
                    try be.binary(.maskPositive, tdy.reshaped([count]), tx.reshaped([count]), into: mask)
                    return try [mean, variance, y, dx, dg, db, mask].flatMap { try $0.toArray() }
                }
                out.append(.compare(op: "train.batchnorm+relu-mask", shape: [n, c, s], ref: r[0], got: r[1],
                                    tolerance: tolerance, seed: seed))
                // Softmax cross-entropy on [n·s, c] logits.
                let rows = n * s
                let labels = (PhiloxFill.raw(count: rows, seed: seed &+ UInt64(i), stream: 74) as [UInt32]).map { T(Double($0 % UInt32(c))) }
                let sm = try [cpu, dev].map { be -> [T] in
                    let z = try be.tensor(x, shape: [rows, c]), l = try be.tensor(labels)
                    let loss = try be.zeros([rows], as: T.self), ok = try be.zeros([rows], as: T.self)
                    let grad = try be.zeros([rows, c], as: T.self)
                    try be.softmaxCrossEntropy(z, labels: l, loss: loss, correct: ok, gradient: grad, gradScale: T(0.25))
                    return try loss.toArray() + ok.toArray() + grad.toArray()
                }
                out.append(.compare(op: "train.softmax-xent", shape: [rows, c], ref: sm[0], got: sm[1], tolerance: tolerance,
                                    seed: seed))
            }
            return out
        }
    }

    /// 20 SGD steps of the CNN on random 12×12 images from the seed: the losses agree.
    static let lossCurve = ValidationCheck(op: "train.loss-curve") { cpu, dev, seed in
        let data = try syntheticData(seed: seed, count: 200, shape: [1, 12, 12], classes: 4)
        let config = TrainConfig(model: .cnn, data: "synthetic", epochs: 2, batch: 20,
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
