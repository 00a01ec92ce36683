import Compute
/// Everything that determines a training run; saved in checkpoints so a resumed run continues
/// the same computation.
public struct TrainConfig: Codable, Sendable {
    public var model: ModelKind
    /// `DataSource` text: fashion-mnist:DIR, npy:DIR or csv:FILE.
    public var data: String
    public var epochs: Int, batch: Int
    public var sgd: SGD
    public var trainOnly: ParameterGroup
    public var seed: UInt64
    public var initScheme: InitScheme
    /// Iterations (completed steps) after which a checkpoint is written.
    public var checkpointAt: [Int]
    public var dtype: DType
    /// Only the first n training (test) samples, when set.
    public var trainLimit: Int?, testLimit: Int?

    public init(model: ModelKind, data: String, epochs: Int, batch: Int, sgd: SGD, trainOnly: ParameterGroup = .all,
                seed: UInt64 = 1, initScheme: InitScheme = .kaiming, checkpointAt: [Int] = [], dtype: DType = .f32,
                trainLimit: Int? = nil, testLimit: Int? = nil) {
        (self.model, self.data, self.epochs, self.batch) = (model, data, epochs, batch)
        (self.sgd, self.trainOnly, self.seed, self.initScheme) = (sgd, trainOnly, seed, initScheme)
        (self.checkpointAt, self.dtype, self.trainLimit, self.testLimit) = (checkpointAt, dtype, trainLimit, testLimit)
    }

    /// Why this configuration cannot run, or nil.
    public func problem() -> String? {
        if epochs < 1 { return "epochs must be at least 1, got \(epochs)" }
        if batch < 2 { return "the minibatch must be at least 2 (BatchNorm needs two samples), got \(batch)" }
        if !(sgd.lr > 0) || !sgd.lr.isFinite { return "the learning rate must be positive, got \(sgd.lr)" }
        if !(0..<1).contains(sgd.momentum) { return "the momentum must be in [0, 1), got \(sgd.momentum)" }
        if !(sgd.weightDecay >= 0) { return "the weight decay must be non-negative, got \(sgd.weightDecay)" }
        if let bad = checkpointAt.first(where: { $0 < 1 }) { return "checkpoint iteration \(bad) is not positive" }
        if let n = trainLimit, n < 2 { return "the training-sample limit must be at least 2, got \(n)" }
        if let n = testLimit, n < 1 { return "the test-sample limit must be at least 1, got \(n)" }
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
