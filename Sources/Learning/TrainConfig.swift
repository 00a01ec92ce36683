import Compute
/// Everything that determines a training run; saved in checkpoints so a resumed run continues
/// the same computation.
public struct TrainConfig: Codable, Sendable {
    public var model: ModelChoice
    /// `DataSource` text: fashion-mnist:DIR, npy:DIR or csv:FILE.
    public var data: String
    public var epochs: Int, batch: Int
    public var optimizer: OptimizerSpec
    public var trainOnly: ParameterGroup
    public var seed: UInt64
    public var initScheme: InitScheme
    /// Iterations (completed steps) after which a checkpoint is written.
    public var checkpointAt: [Int]
    public var dtype: DType
    /// Only the first n training (test) samples, when set.
    public var trainLimit: Int?, testLimit: Int?
    /// Random transformations of the training batches (Augmentation.swift).
    public var augmentations: [Augmentation]
    /// Iterations on altered data before the run proper (Pretraining.swift).
    public var pretraining: Pretraining?
    public var loss: LossKind
    /// Cluttered backgrounds for the training and test sets, with the Backgrounds-Challenge
    /// sets evaluated at the end (docs/backgrounds.md BG11, BG12); nil: the data as they are.
    public var backgrounds: ClutterSpec?

    public init(model: ModelChoice, data: String, epochs: Int, batch: Int, optimizer: OptimizerSpec,
                trainOnly: ParameterGroup = .all, seed: UInt64 = 1, initScheme: InitScheme = .kaiming, checkpointAt: [Int] = [],
                dtype: DType = .f32, trainLimit: Int? = nil, testLimit: Int? = nil, augmentations: [Augmentation] = [],
                pretraining: Pretraining? = nil, loss: LossKind = .crossEntropy, backgrounds: ClutterSpec? = nil) {
        (self.model, self.data, self.epochs, self.batch) = (model, data, epochs, batch)
        (self.optimizer, self.trainOnly, self.seed, self.initScheme) = (optimizer, trainOnly, seed, initScheme)
        (self.checkpointAt, self.dtype, self.trainLimit, self.testLimit) = (checkpointAt, dtype, trainLimit, testLimit)
        (self.augmentations, self.pretraining, self.loss, self.backgrounds) = (augmentations, pretraining, loss, backgrounds)
    }

    /// A built-in model with SGD.
    public init(model: ModelKind, data: String, epochs: Int, batch: Int, sgd: SGD, trainOnly: ParameterGroup = .all,
                seed: UInt64 = 1, initScheme: InitScheme = .kaiming, checkpointAt: [Int] = [], dtype: DType = .f32,
                trainLimit: Int? = nil, testLimit: Int? = nil) {
        self.init(model: .builtin(model), data: data, epochs: epochs, batch: batch, optimizer: .sgd(sgd), trainOnly: trainOnly,
                  seed: seed, initScheme: initScheme, checkpointAt: checkpointAt, dtype: dtype, trainLimit: trainLimit,
                  testLimit: testLimit)
    }

    /// Why this configuration cannot run, or nil.
    public func problem() -> String? {
        if epochs < 1 { return "epochs must be at least 1, got \(epochs)" }
        if batch < 2 { return "the minibatch must be at least 2 (BatchNorm needs two samples), got \(batch)" }
        if let p = optimizer.optimizer.problem() { return p }
        if let bad = checkpointAt.first(where: { $0 < 1 }) { return "checkpoint iteration \(bad) is not positive" }
        if let n = trainLimit, n < 2 { return "the training-sample limit must be at least 2, got \(n)" }
        if let n = testLimit, n < 1 { return "the test-sample limit must be at least 1, got \(n)" }
        for a in augmentations { if let p = a.problem() { return p } }
        if let p = backgrounds?.problem() { return p }
        if backgrounds != nil, let n = testLimit, n < 2 { return "the Backgrounds-Challenge sets need at least 2 test samples, got a limit of \(n)" }
        return nil
    }
}

/// One epoch's metrics.
public struct EpochRecord: Codable, Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double, trainAccuracy: Double, testAccuracy: Double, testLoss: Double
    public var seconds: Double
}

/// Progress of a run, for the progress bar.
public struct TrainProgress: Sendable {
    public var iteration: Int, total: Int, epoch: Int
    /// Running means over the epoch so far.
    public var loss: Double, accuracy: Double
}
