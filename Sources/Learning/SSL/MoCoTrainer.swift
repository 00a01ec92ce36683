import Compute
import Foundation

/// A MoCo v2 run (docs/ssl.md S1–S9) on any backend: per step, two Philox views of each image
/// of a minibatch, query embeddings from the trained encoder and keys from its momentum copy,
/// InfoNCE against the queue (all negatives or a band), an optimiser step, the momentum
/// update and the enqueueing of the keys. Minibatches are full (the last partial one of an
/// epoch is dropped); epochs are shuffled by stream 1 as in supervised training.
public final class MoCoTrainer<T: Scalar> {
    public let config: MoCoConfig
    public let data: TrainingData
    public let backend: any Backend
    public let query: MoCoEncoder<T>
    public let key: MoCoEncoder<T>
    public let queue: NegativeQueue<T>
    public let optimizer: any Optimizer
    public let loss: InfoNCE<T>
    /// Whether each step ranks the queue for the band statistics (S8) when all negatives are
    /// used (a band always ranks it); off for timing.
    public var statistics = true
    public internal(set) var iteration = 0
    /// Loss and positive-top-1 count of every step so far.
    public internal(set) var losses: [Double] = []
    public internal(set) var correct: [Int] = []
    private var xq: Tensor<T>?, xk: Tensor<T>?, xn: Tensor<T>?, negativeKeys = Reusable<T>()
    /// The background augmentation's masks and textures (S12); nil without one.
    let backgrounds: MoCoBackgrounds?

    public init(config: MoCoConfig, data: TrainingData, backend: any Backend) throws {
        if let p = config.problem() { throw ComputeError.invalidArgument(p) }
        guard T.dtype == config.train.dtype else { throw ComputeError.invalidArgument("trainer type differs from \(config.train.dtype)") }
        var d = data
        d.train = d.train.prefix(config.train.trainLimit)
        d.test = d.test.prefix(config.train.testLimit)
        if let p = config.problem(trainCount: d.train.count, shape: d.train.sampleShape) { throw ComputeError.invalidArgument(p) }
        (self.config, self.data, self.backend) = (config, d, backend)
        query = try Self.encoder(config, d, backend)
        key = try MoCoEncoder(model: config.train.model, shape: d.train.sampleShape, classes: d.train.classes,
                              projectionDim: config.projectionDim, on: backend)
        try key.copy(from: query)
        queue = try NegativeQueue(size: config.queue, dimension: config.projectionDim, seed: config.train.seed, on: backend)
        optimizer = config.train.optimizer.optimizer
        loss = try InfoNCE(temperature: config.temperature, selection: config.negatives, on: backend)
        backgrounds = try config.background.map { try MoCoBackgrounds($0, data: d) }
    }

    /// The query encoder at its initialisation (parameter i from stream 1000 + i, N6).
    static func encoder(_ c: MoCoConfig, _ d: TrainingData, _ backend: any Backend) throws -> MoCoEncoder<T> {
        let e = try MoCoEncoder<T>(model: c.train.model, shape: d.train.sampleShape, classes: d.train.classes,
                                   projectionDim: c.projectionDim, on: backend)
        try c.train.initScheme.initialize(e.parameters, seed: c.train.seed)
        return e
    }

    public var batchesPerEpoch: Int { data.train.count / config.train.batch }
    public var totalIterations: Int { batchesPerEpoch * config.train.epochs }

    /// The views of samples `indices` in `epoch` on the backend: query and key [N, C, H, W]
    /// (S9, after the background augmentation of S12), and with BG_Swaps the negatives [N, C, H, W]
    /// with, per row, whether it applied (the negative takes the key's view steps).
    func views(_ indices: ArraySlice<Int>, epoch: Int) throws -> (Tensor<T>, Tensor<T>, negatives: (Tensor<T>, [Bool])?) {
        let set = data.train, size = set.sampleSize, n = indices.count, seed = config.train.seed
        let rows = set.rows(indices)
        var out = [[Float]](repeating: [Float](repeating: 0, count: n * size), count: 3)
        var kept = [Bool](repeating: false, count: n)
        for (r, i) in indices.enumerated() {
            var samples = [Array(rows[(r * size)..<((r + 1) * size)])]
            samples.append(samples[0])
            if let bg = backgrounds {
                let a = try bg.apply(query: samples[0], key: samples[1], sample: i, set: set, epoch: epoch, seed: seed)
                samples = [a.query, a.key]
                if let neg = a.negative { samples.append(neg); kept[r] = true }
            }
            for (v, var sample) in samples.enumerated() {
                config.view.apply(&sample, shape: set.sampleShape, seed: seed, epoch: epoch, index: i, count: set.count,
                                  view: min(v, 1))
                out[v].replaceSubrange((r * size)..<((r + 1) * size), with: sample)
            }
        }
        func upload(_ values: [Float], _ cache: inout Tensor<T>?) throws -> Tensor<T> {
            let shape = [n] + set.sampleShape
            let t = try cache.flatMap { $0.shape == shape ? $0 : nil } ?? backend.zeros(shape, as: T.self)
            cache = t
            try backend.write(T.self == Float.self ? values as! [T] : values.map { T(Double($0)) }, into: t)
            return t
        }
        let a = try upload(out[0], &xq), b = try upload(out[1], &xk)
        guard backgrounds?.augmentation.kind == .swaps else { return (a, b, nil) }
        return (a, b, (try upload(out[2], &xn), kept))
    }

    /// One MoCo step on views (xq, xk) of images with `labels`; returns its loss and the count
    /// of queries whose positive is the top logit.
    /// `negatives`: BG_Swaps' extra negative per query and whether each row has one (S12),
    /// embedded by the momentum encoder like the keys.
    @discardableResult
    public func step(_ xq: Tensor<T>, _ xk: Tensor<T>, labels: [Int32], rate: Double,
                     negatives: (Tensor<T>, [Bool])? = nil) throws -> (loss: Double, correct: Int) {
        // The encoders' passes run as a training step (one OpenBLAS thread on the CPU engine, their
        // own loops sharing the cores); InfoNCE's GEMMs against the queue, large and alone, get
        // OpenBLAS's threads.
        let (q, k, e) = try backend.trainingStep { () -> (Tensor<T>, Tensor<T>, Tensor<T>?) in
            let q = try query.forward(xq, train: true)
            // The key encoder's output buffer is reused by its next pass: the negatives' embeddings are copied out first.
            var e: Tensor<T>?
            if let (xn, _) = negatives {
                let out = try key.forward(xn, train: true)
                let copy = try negativeKeys.get(out.shape, on: backend)
                try backend.copy(out, into: copy)
                e = copy
            }
            return (q, try key.forward(xk, train: true), e)
        }
        let r = try loss(q, positives: k, queue: queue.keys, labels: labels, queueLabels: queue.labels, statistics: statistics,
                         extra: e, extraKept: negatives?.1)
        guard r.meanLoss.isFinite else {
            throw ComputeError.invalidArgument("the loss diverged (\(r.meanLoss)) at iteration \(iteration + 1); lower the learning rate")
        }
        try backend.trainingStep {
            _ = try query.network.backward(r.gradient!)
            try optimizer.step(query.parameters, rate: rate)
            try key.momentumUpdate(from: query, momentum: config.momentum)
        }
        try queue.enqueue(k, labels: labels)
        return (r.meanLoss, r.correct)
    }

    /// Runs the steps up to `until` (default: the end), from wherever the run stands.
    public func train(until end: Int? = nil, progress: (TrainProgress) -> Void = { _ in }) throws {
        let perEpoch = batchesPerEpoch, total = totalIterations, b = config.train.batch
        let stop = min(end ?? total, total)
        while iteration < stop {
            let epoch = iteration / perEpoch, i = iteration % perEpoch
            let order = TrainingStreams.permutation(data.train.count, seed: config.train.seed, stream: TrainingStreams.shuffle,
                                                    offset: UInt64(epoch) &* UInt64((data.train.count + 3) / 4))
            let indices = order[(i * b)..<((i + 1) * b)]
            let (a, k, negatives) = try views(indices, epoch: epoch)
            let rate = optimizer.learningRate.at(iteration: iteration, epoch: epoch, total: total)
            let r = try step(a, k, labels: indices.map { data.train.labels[$0] }, rate: rate, negatives: negatives)
            iteration += 1
            losses.append(r.loss)
            correct.append(r.correct)
            progress(TrainProgress(iteration: iteration, total: total, epoch: epoch + 1, loss: r.loss,
                                   accuracy: Double(r.correct) / Double(b)))
        }
        try backend.synchronize()
    }

    /// Runs to the end, writing the configured checkpoints (checkpoint-ITERATION) under
    /// `checkpointDirectory`; returns their paths.
    @discardableResult
    public func run(checkpointDirectory: URL? = nil, progress: (TrainProgress) -> Void = { _ in }) throws -> [String] {
        var written: [String] = []
        if let dir = checkpointDirectory {
            for c in Set(config.train.checkpointAt).sorted() where c > iteration && c <= totalIterations {
                try train(until: c, progress: progress)
                let url = dir.appendingPathComponent("checkpoint-\(c)")
                try MoCoCheckpoint.save(self, to: url)
                written.append(url.path)
            }
        }
        try train(progress: progress)
        return written
    }
}
