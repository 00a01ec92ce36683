/// Validation of the training ops on a device against the CPU engine: BatchNorm statistics,
/// forward and backward on [N, C, S] shapes (odd sizes, S = 1 for BatchNorm1d), softmax
/// cross-entropy with its gradient, and the ReLU mask on signed inputs.
enum NormalizationChecks {
    static var all: [ValidationCheck] {
        [ops(Float.self, tolerance: 1e-4), ops(Double.self, tolerance: 1e-11)]
    }

    static var shapes: [(Int, Int, Int)] {
        Validation.shapes([(2, 3, 1), (7, 5, 13), (3, 16, 49), (64, 10, 1), (1, 4, 7)], small: [(2, 3, 1), (3, 2, 7)])
    }

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
}
