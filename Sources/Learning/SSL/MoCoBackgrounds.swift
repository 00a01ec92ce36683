import Compute

/// BG_RM, BG_Random and BG_Swaps in MoCo's views (docs/ssl.md S12; docs/backgrounds.md
/// BG13–BG15): the training images' masks, computed once at the standard threshold mapped to
/// the standardised scale, and the textures' context. Each view of sample i in epoch e draws
/// unit 2(e n + i) + v of stream 11; the view steps (S9) follow on the result.
struct MoCoBackgrounds: Sendable {
    let augmentation: BackgroundAugmentation
    /// count × H × W.
    let masks: [Float]
    let context: BackgroundContext
    let shape: [Int]

    /// Refuses training images without a foreground (BG3).
    init(_ augmentation: BackgroundAugmentation, data: TrainingData) throws {
        self.augmentation = augmentation
        shape = data.train.sampleShape
        masks = try ForegroundMask.standard.standardized(mean: data.mean, scale: data.scale).masks(of: data.train)
        context = BackgroundContext(mean: data.mean, scale: data.scale, donors: data.train.samples, donorCount: data.train.count)
    }

    func mask(_ i: Int) -> [Float] {
        let plane = shape[1] * shape[2]
        return Array(masks[(i * plane)..<((i + 1) * plane)])
    }

    func draws(sample i: Int, of count: Int, epoch: Int, view: Int, seed: UInt64) -> BackgroundDraws {
        BackgroundDraws(seed: seed, stream: BackgroundStreams.augment,
                        unit: BackgroundStreams.augmentationUnit(epoch: epoch, sample: i, count: count, view: view),
                        pixels: shape.reduce(1, *))
    }

    /// The query and key samples of training sample `i` before their view steps, and BG_Swaps'
    /// negative (another training image's foreground on the query's background) where it applies.
    func apply(query: [Float], key: [Float], sample i: Int, set: Dataset, epoch: Int, seed: UInt64) throws
        -> (query: [Float], key: [Float], negative: [Float]?) {
        let dq = draws(sample: i, of: set.count, epoch: epoch, view: 0, seed: seed)
        let dk = draws(sample: i, of: set.count, epoch: epoch, view: 1, seed: seed)
        let m = mask(i)
        switch augmentation.kind {
        case .remove, .random:
            return (try augmentation.apply(query, mask: m, draws: dq, own: i, shape: shape, context: context),
                    try augmentation.apply(key, mask: m, draws: dk, own: i, shape: shape, context: context), nil)
        case .swaps:
            let j = BackgroundAugmentation.negativeIndex(dq, own: i, count: set.count)
            let size = set.sampleSize
            let other = (sample: Array(set.samples[(j * size)..<((j + 1) * size)]), mask: mask(j))
            return try augmentation.swaps(query: query, queryMask: m, key: key, keyMask: m, queryDraws: dq, keyDraws: dk, own: i,
                                          shape: shape, negative: other, context: context)
        }
    }
}
