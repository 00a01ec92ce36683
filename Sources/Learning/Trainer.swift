import Compute
import Foundation

/// A training run of any `Layer` model on a backend: an `Optimizer` over Philox-shuffled,
/// optionally augmented minibatches, per-epoch evaluation on the test set, hooks at chosen
/// iterations (TrainHook.swift), pruning masks (Masks.swift) and checkpoints
/// (TrainCheckpoint.swift) from which `resume` continues exactly.
public final class Trainer<T: Scalar> {
    public let config: TrainConfig
    public let data: TrainingData
    public let backend: any Backend
    public let model: any Layer<T>
    public let optimizer: any Optimizer
    let lossFunction: any Loss<T>
    /// Completed iterations.
    public internal(set) var iteration = 0
    public internal(set) var epochs: [EpochRecord] = []
    /// Loss of every iteration so far (pre-training not included).
    public internal(set) var losses: [Double] = []
    /// Whether the configured pre-training has run (Pretraining.swift).
    public internal(set) var pretrained = false
    /// Sums over the current epoch's batches so far.
    var epochLoss = 0.0, epochCorrect = 0, epochSeen = 0, epochSeconds = 0.0
    private var batchX: [Int: Tensor<T>] = [:], batchY: [Int: Tensor<T>] = [:]
    /// The training samples' masks and texture context of a background augmentation (BackgroundBatch.swift).
    let backgrounds: BackgroundBatch?

    /// A trainer of `model`, or when nil of the model the configuration names (built here and
    /// initialised from the seed). A given model keeps its weights.
    public init(config: TrainConfig, data: TrainingData, backend: any Backend, model: (any Layer<T>)? = nil) throws {
        if let problem = config.problem() { throw ComputeError.invalidArgument(problem) }
        guard T.dtype == config.dtype else { throw ComputeError.invalidArgument("trainer type differs from \(config.dtype)") }
        var d = data
        d.train = d.train.prefix(config.trainLimit)
        d.test = d.test.prefix(config.testLimit)
        guard d.train.count >= 2 else { throw ComputeError.invalidArgument("fewer than two training samples") }
        if config.augmentations.contains(where: \.needsImages), d.train.sampleShape.count != 3 {
            throw ComputeError.invalidArgument("image augmentations need [C, H, W] samples, the data have \(d.train.sampleShape)")
        }
        for case .randomLabels(let f) in config.augmentations {
            d.train.labels = BatchRecipe.randomLabels(d.train.labels, fraction: f, classes: d.train.classes, seed: config.seed,
                                                      stream: TrainingStreams.randomLabels)
        }
        if let p = config.pretraining, let problem = p.problem(sampleShape: d.train.sampleShape, classes: d.train.classes) {
            throw ComputeError.invalidArgument(problem)
        }
        backgrounds = try BackgroundBatch(config.augmentations, data: d)
        self.config = config
        self.data = d
        self.backend = backend
        optimizer = config.optimizer.optimizer
        if let model {
            self.model = model
        } else {
            let built = try config.model.build(T.self, input: d.train.sampleShape, classes: d.train.classes, on: backend)
            try config.initScheme.initialize(built.parameters, seed: config.seed)
            self.model = built
        }
        config.trainOnly.apply(to: self.model.parameters)
        lossFunction = config.loss.make(T.self, on: backend)
        // Last of the checks, so that the model's and the options' own errors come first.
        guard config.batch <= d.train.count else {
            throw ComputeError.invalidArgument("the minibatch (\(config.batch)) is larger than the training set (\(d.train.count) samples)")
        }
    }

    /// Minibatches per epoch: the last partial batch is kept unless it has a single sample.
    public var batchesPerEpoch: Int {
        let n = data.train.count, b = config.batch
        return n / b + (n % b >= 2 ? 1 : 0)
    }

    public var totalIterations: Int { batchesPerEpoch * config.epochs }

    /// The order of the training samples in `epoch`: a Fisher–Yates shuffle driven by Philox
    /// (seed, stream 1 — or `stream` — one block range per epoch).
    public func permutation(epoch: Int, stream: UInt32 = TrainingStreams.shuffle) -> [Int] {
        let n = data.train.count
        return TrainingStreams.permutation(n, seed: config.seed, stream: stream, offset: UInt64(epoch) &* UInt64((n + 3) / 4))
    }

    /// Samples `indices` of `set` as a batch on the backend (tensors reused per batch size),
    /// transformed by `recipe` (training batches) when given.
    func batch(_ set: Dataset, _ indices: ArraySlice<Int>, recipe: BatchRecipe? = nil) throws -> (x: Tensor<T>, y: Tensor<T>) {
        let n = indices.count
        var (rows, labels) = (set.rows(indices), indices.map { set.labels[$0] })
        if let recipe { try recipe.apply(&rows, &labels, indices: indices, count: set.count, shape: set.sampleShape, seed: config.seed) }
        let xs: [T] = T.self == Float.self ? rows as! [T] : rows.map { T(Double($0)) }
        let x = try batchX[n] ?? backend.zeros([n] + set.sampleShape, as: T.self)
        let y = try batchY[n] ?? backend.zeros([n], as: T.self)
        (batchX[n], batchY[n]) = (x, y)
        try backend.write(xs, into: x)
        try backend.write(labels.map { T(Double($0)) }, into: y)
        return (x, y)
    }

    /// One optimiser step on a batch (masked gradients and weights, Masks.swift); returns its
    /// loss and correct count.
    @discardableResult
    public func step(_ x: Tensor<T>, _ y: Tensor<T>, rate: Double) throws -> (loss: Double, correct: Int) {
        try backend.trainingStep {
            let logits = try model.forward(x, train: true)
            let r = try lossFunction(logits, labels: y, gradient: true)
            guard r.meanLoss.isFinite else {
                throw ComputeError.invalidArgument("the loss diverged (\(r.meanLoss)) at iteration \(iteration + 1); lower the learning rate")
            }
            _ = try model.backward(r.gradient!)
            try optimizer.maskedStep(model.parameters, rate: rate)
            return (r.meanLoss, r.correct)
        }
    }

    /// Accuracy and mean loss on `set` in evaluation mode.
    public func evaluate(_ set: Dataset) throws -> (accuracy: Double, loss: Double) {
        var correct = 0, loss = 0.0
        let all = Array(0..<set.count)
        for start in stride(from: 0, to: set.count, by: config.batch) {
            let (x, y) = try batch(set, all[start..<min(start + config.batch, set.count)])
            let r = try lossFunction(model.forward(x, train: false), labels: y, gradient: false)
            correct += r.correct
            loss += r.meanLoss * Double(x.shape[0])
        }
        return (Double(correct) / Double(set.count), loss / Double(set.count))
    }

    /// Runs to the end (from wherever a resumed run stands): the configured pre-training first
    /// on a fresh run, then the steps, with `hooks`, and the configured checkpoints under
    /// `checkpointDirectory`.
    public func run(checkpointDirectory: URL? = nil, hooks: [TrainHook<T>] = [], progress: (TrainProgress) -> Void = { _ in },
                    onEpoch: (EpochRecord) -> Void = { _ in }) throws -> TrainResult {
        let perEpoch = batchesPerEpoch, total = totalIterations
        let start = Timing.now()
        var images = 0
        var written: [String] = []
        var all = hooks
        if let dir = checkpointDirectory, !config.checkpointAt.isEmpty {
            all.append(.save(at: Set(config.checkpointAt), to: dir) { written.append($0.path) })
        }
        if iteration == 0 {
            if let p = config.pretraining, !pretrained { try pretrain(p) }
            for h in all where h.fires(0) { try h.action(self) }
        }
        while iteration < total {
            let epoch = iteration / perEpoch, first = iteration % perEpoch
            let order = permutation(epoch: epoch)
            var recipe = BatchRecipe(config.augmentations, epoch: epoch)
            recipe.backgrounds = backgrounds
            var t0 = Timing.now()
            for b in first..<perEpoch {
                let rate = optimizer.learningRate.at(iteration: iteration, epoch: epoch, total: total)
                let (x, y) = try batch(data.train, order[(b * config.batch)..<min((b + 1) * config.batch, order.count)],
                                       recipe: recipe)
                let r = try step(x, y, rate: rate)
                iteration += 1
                losses.append(r.loss)
                epochLoss += r.loss * Double(x.shape[0])
                epochCorrect += r.correct
                epochSeen += x.shape[0]
                images += x.shape[0]
                progress(TrainProgress(iteration: iteration, total: total, epoch: epoch + 1, loss: epochLoss / Double(epochSeen),
                                       accuracy: Double(epochCorrect) / Double(epochSeen)))
                if b == perEpoch - 1 {
                    try backend.synchronize()
                    epochSeconds += Timing.now() - t0
                    let test = try evaluate(data.test)
                    epochs.append(EpochRecord(epoch: epoch + 1, trainLoss: epochLoss / Double(epochSeen),
                                              trainAccuracy: Double(epochCorrect) / Double(epochSeen),
                                              testAccuracy: test.accuracy, testLoss: test.loss, seconds: epochSeconds))
                    onEpoch(epochs[epochs.count - 1])
                    (epochLoss, epochCorrect, epochSeen, epochSeconds) = (0, 0, 0, 0)
                    t0 = Timing.now()
                }
                let firing = all.filter { $0.fires(iteration) }
                if !firing.isEmpty {
                    epochSeconds += Timing.now() - t0
                    for h in firing { try h.action(self) }
                    t0 = Timing.now()
                }
            }
        }
        return try result(seconds: Timing.now() - start, images: images, checkpoints: written)
    }

    /// Every BatchNorm γ of the model.
    public func gammas() throws -> [Double] {
        try model.parameters.filter { $0.role == .gamma }.flatMap { try $0.value.toArray().map(\.double) }
    }

    func result(seconds: Double, images: Int, checkpoints: [String]) throws -> TrainResult {
        let g = try gammas()
        let params = model.parameters
        let last = epochs.last
        let trained = params.filter(\.trainable).reduce(0) { $0 + $1.value.count }
        let totalCount = params.reduce(0) { $0 + $1.value.count }
        let nearZero: Double? = g.isEmpty ? nil : Double(g.filter { abs($0) < TrainResult.gammaThreshold }.count) / Double(g.count)
        var r = TrainResult(model: config.model.name, data: config.data, device: backend.label, config: config)
        r.dtype = config.dtype.rawValue
        r.trainOnly = config.trainOnly.rawValue
        r.optimizer = config.optimizer.name
        r.epochs = epochs.count
        r.iterations = iteration
        r.testAccuracy = last?.testAccuracy ?? .nan
        r.trainLoss = last?.trainLoss ?? .nan
        r.trainAccuracy = last?.trainAccuracy ?? .nan
        r.perEpoch = epochs
        r.trainedParameters = trained
        r.totalParameters = totalCount
        if params.contains(where: { $0.mask != nil }) { r.density = try MagnitudePruning.density(params.filter { $0.mask != nil }) }
        r.gammaCount = g.count
        r.gammaNearZeroFraction = nearZero
        r.seconds = seconds
        r.imagesPerSecond = seconds > 0 ? Double(images) / seconds : nil
        r.checkpoints = checkpoints
        r.backgroundTests = try backgroundAccuracies()
        return r
    }
}
