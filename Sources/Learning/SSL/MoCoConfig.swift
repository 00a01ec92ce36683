import Compute

/// Everything that determines a MoCo v2 run (docs/ssl.md); saved in its checkpoints. `train`
/// holds what a supervised run has too (model, data, epochs, batch, optimiser, seed,
/// initialisation, checkpoints, dtype, limits); its augmentations, pre-training, loss and
/// train-only group are not used and must stay at their defaults.
public struct MoCoConfig: Codable, Sendable {
    public var train: TrainConfig
    /// K, the negatives in the queue (S6).
    public var queue: Int
    /// τ of InfoNCE (S3).
    public var temperature: Double
    /// m of the momentum encoder (S5).
    public var momentum: Double
    public var negatives: NegativeSelection
    /// d, the size of the embeddings (S1).
    public var projectionDim: Int
    /// The augmentation of both views (S9).
    public var view: ViewAugmentation
    /// k of the k-NN probe (S11).
    public var neighbours: Int
    /// BG_RM, BG_Random or BG_Swaps before each view's steps (S12, docs/backgrounds.md BG13–BG15); nil: none.
    public var background: BackgroundAugmentation?

    public init(train: TrainConfig, queue: Int = 4096, temperature: Double = 0.2, momentum: Double = 0.99,
                negatives: NegativeSelection = .all, projectionDim: Int = 128, view: ViewAugmentation = .mocoV2,
                neighbours: Int = 20, background: BackgroundAugmentation? = nil) {
        (self.train, self.queue, self.temperature, self.momentum) = (train, queue, temperature, momentum)
        (self.negatives, self.projectionDim, self.view, self.neighbours) = (negatives, projectionDim, view, neighbours)
        self.background = background
    }

    /// The largest embedding size (the head's weights are F × d).
    public static let maxProjectionDim = 65_536

    /// Why this configuration cannot run, or nil (before any data are read).
    public func problem() -> String? {
        if let p = train.problem() { return p }
        if !train.augmentations.isEmpty || train.pretraining != nil || train.loss != .crossEntropy || train.trainOnly != .all {
            return "MoCo makes its own views and loss: augmentations, pre-training, another loss or train-only groups do not apply"
        }
        if queue < 1 { return "the queue must hold at least one negative, got \(queue)" }
        if !(temperature > 0) || !temperature.isFinite { return "the temperature must be positive, got \(temperature)" }
        if !(momentum >= 0 && momentum < 1) { return "the momentum must lie in [0, 1), got \(momentum)" }
        if let p = negatives.problem() { return p }
        if let p = negatives.problem(queue: queue) { return p }
        if !(1...Self.maxProjectionDim).contains(projectionDim) {
            return "the projection dimension must lie in 1...\(Self.maxProjectionDim), got \(projectionDim)"
        }
        if neighbours < 1 { return "the k-NN probe needs at least one neighbour, got \(neighbours)" }
        if let p = background?.problem() { return p }
        return view.problem()
    }

    /// Why the configuration cannot run on a training set of `count` samples of `shape`, or nil.
    public func problem(trainCount count: Int, shape: [Int]) -> String? {
        if shape.count != 3 { return "MoCo's views need image samples [C, H, W], the data have \(shape)" }
        if queue > count {
            return "the queue (\(queue) negatives) is larger than the training set (\(count) samples): a key would meet itself"
        }
        if train.batch > count { return "the minibatch (\(train.batch)) is larger than the training set (\(count) samples)" }
        if train.batch > queue { return "the minibatch (\(train.batch)) is larger than the queue (\(queue))" }
        return nil
    }
}
