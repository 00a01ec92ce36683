import Compute

/// Validation of MoCo on a device against the CPU engine (docs/ssl.md S3–S6): the InfoNCE loss
/// and its gradient through the L2 normalisation with a band of negatives, and the loss curve
/// of MoCo steps of a small CNN encoder from the same seed.
package enum MoCoChecks {
    static var all: [ValidationCheck] { [infoNCE, lossCurve] }

    /// InfoNCE (band 50–100) of normalised random rows against a queue: loss and ∂ℓ/∂z agree.
    static let infoNCE = ValidationCheck(op: "ssl.infonce") { cpu, dev, seed in
        let (n, d, k) = (Validation.size(32, small: 4), 16, Validation.size(256, small: 16))
        let z: [Float] = PhiloxFill.normal(count: n * d, seed: seed, stream: 1)
        let kp: [Float] = PhiloxFill.normal(count: n * d, seed: seed, stream: 2)
        let qu: [Float] = PhiloxFill.normal(count: k * d, seed: seed, stream: 3)
        let labels = (0..<n).map { Int32($0 % 4) }, queueLabels = (0..<k).map { Int32($0 % 5) - 1 }
        let out = try [cpu, dev].map { be -> (Double, [Double]) in
            let norm = L2Normalize<Float>("q", on: be), kn = L2Normalize<Float>("k", on: be), qn = L2Normalize<Float>("queue", on: be)
            let q = try norm.forward(try be.tensor(z, shape: [n, d]), train: true)
            let loss = try InfoNCE<Float>(temperature: 0.2, selection: .band(lo: 50, hi: 100), on: be)
            let r = try loss(q, positives: try kn.forward(try be.tensor(kp, shape: [n, d]), train: true),
                             queue: try qn.forward(try be.tensor(qu, shape: [k, d]), train: true), labels: labels, queueLabels: queueLabels)
            return (r.meanLoss, try norm.backward(r.gradient!)!.toArray().map(\.double))
        }
        return [.compare(op: "ssl.infonce.loss", shape: [1], ref: [out[0].0], got: [out[1].0], tolerance: 1e-4, seed: seed),
                .compare(op: "ssl.infonce.grad", shape: [n, d], ref: out[0].1, got: out[1].1, tolerance: 1e-3, seed: seed)]
    }

    /// MoCo steps (two views, momentum encoder, queue) of a small CNN encoder on random 12×12 images: the losses agree.
    static let lossCurve = ValidationCheck(op: "ssl.loss-curve") { cpu, dev, seed in
        let data = try TrainingChecks.syntheticData(seed: seed, count: Validation.size(96, small: 16), shape: [1, 12, 12], classes: 4)
        let model = ModelChoice.described(ModelDescription(name: "small", layers: [
            LayerSpec(.conv, out: 8, kernel: 3, padding: 1, bias: false), LayerSpec(.batchnorm), LayerSpec(.relu), LayerSpec(.maxpool),
            LayerSpec(.flatten), LayerSpec(.linear, out: 32), LayerSpec(.relu), LayerSpec(.linear)]))
        let train = TrainConfig(model: model, data: "synthetic", epochs: 1, batch: Validation.size(16, small: 8),
                                optimizer: .sgd(SGD(lr: 0.03, momentum: 0.9, weightDecay: 1e-4)), seed: seed)
        let config = MoCoConfig(train: train, queue: Validation.size(64, small: 16), temperature: 0.2, momentum: 0.99, projectionDim: 16)
        let curves = try [cpu, dev].map { be -> [Double] in
            let t = try MoCoTrainer<Float>(config: config, data: data, backend: be)
            try t.run()
            return t.losses
        }
        return [.compare(op: "ssl.loss-curve.moco", shape: [curves[0].count], ref: curves[0], got: curves[1], tolerance: 2e-3, seed: seed)]
    }
}
