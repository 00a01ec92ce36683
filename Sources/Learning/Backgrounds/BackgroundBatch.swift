import Compute

/// What a single-view trainer needs to apply BG_RM or BG_Random to its training batches
/// (docs/backgrounds.md BG13, BG14): the training samples' masks, computed once with the
/// threshold on their standardised scale, and the textures' context.
struct BackgroundBatch: Sendable {
    var augmentation: BackgroundAugmentation
    /// count × H × W.
    var masks: [Float]
    var context: BackgroundContext

    /// For `train` of `data` (standardised or raw); refuses BG_Swaps (two views), more than one
    /// background augmentation, and training images without a foreground (BG3).
    init?(_ augmentations: [Augmentation], data: TrainingData) throws {
        let bg = augmentations.compactMap { if case .background(let b) = $0 { b } else { nil } }
        guard let first = bg.first else { return nil }
        if bg.count > 1 { throw ComputeError.invalidArgument("give at most one background augmentation, got \(bg.map(\.description))") }
        if first.kind == .swaps {
            throw ComputeError.invalidArgument("bg-swaps builds a query, a positive and a negative for contrastive training; "
                + "this trainer has one view per sample (use bg-random or bg-rm)")
        }
        augmentation = first
        masks = try ForegroundMask.standard.standardized(mean: data.mean, scale: data.scale).masks(of: data.train)
        context = BackgroundContext(mean: data.mean, scale: data.scale, donors: data.train.samples, donorCount: data.train.count)
    }

    /// Sample `i` of `count` (its values `v`, shape [C, H, W]) in `epoch`: view 0's draws of stream 11 (BG13).
    func apply(_ v: [Float], sample i: Int, count: Int, epoch: Int, shape: [Int], seed: UInt64) throws -> [Float] {
        let plane = shape[1] * shape[2]
        let d = BackgroundDraws(seed: seed, stream: BackgroundStreams.augment,
                                unit: BackgroundStreams.augmentationUnit(epoch: epoch, sample: i, count: count, view: 0),
                                pixels: v.count)
        return try augmentation.apply(v, mask: Array(masks[(i * plane)..<((i + 1) * plane)]), draws: d, own: i, shape: shape,
                                      context: context)
    }
}
