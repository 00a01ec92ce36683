import Compute

/// The background augmentations of Ryali, Schwab & Morcos (docs/backgrounds.md BG13–BG15), each
/// applied with probability `probability` per sample and view, drawn from stream 11.
public struct BackgroundAugmentation: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// BG_RM: the background replaced by a constant grey (BG14).
        case remove = "bg-rm"
        /// BG_Random: the foreground on a random texture (BG14).
        case random = "bg-random"
        /// BG_Swaps: a positive with another background, a negative with the query's (BG15).
        case swaps = "bg-swaps"
    }
    public var kind: Kind
    public var probability: Double

    /// The grey g of BG_RM on raw intensities (BG14).
    public static let grey: Float = 0.5

    public init(_ kind: Kind, probability: Double) { (self.kind, self.probability) = (kind, probability) }

    /// "bg-rm:P", "bg-random:P" or "bg-swaps:P".
    public init(parsing s: String) throws {
        let parts = s.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = Kind(rawValue: parts[0]), let p = Double(parts[1]) else {
            throw ComputeError.invalidArgument("a background augmentation is bg-rm:P, bg-random:P or bg-swaps:P, got '\(s)'")
        }
        self.init(kind, probability: p)
        if let problem = problem() { throw ComputeError.invalidArgument(problem) }
    }

    public var description: String { "\(kind.rawValue):\(probability)" }

    public func problem() -> String? {
        probability >= 0 && probability <= 1 ? nil : "the \(kind.rawValue) probability must be in [0, 1], got \(probability)"
    }
}

/// What a background augmentation needs besides the sample: the samples' scale and the donors.
public struct BackgroundContext: Sendable {
    /// The samples are (raw − mean)·scale (`TrainingData`); textures and the grey are mapped alike (BG10).
    public var mean: Float, scale: Float
    /// The donor samples (the training set, on the samples' scale), count × C·H·W, for crops (BG8).
    public var donors: [Float], donorCount: Int
    public var families: [TextureFamily]

    public init(mean: Float = 0, scale: Float = 1, donors: [Float] = [], donorCount: Int = 0,
                families: [TextureFamily] = TextureFamily.allCases) {
        (self.mean, self.scale, self.donors, self.donorCount) = (mean, scale, donors, donorCount)
        self.families = donorCount >= 2 ? families : families.filter { $0 != .crop }
    }

    /// The texture of draws `d` for sample `own`, on the samples' scale (crops are already on it).
    func texture(_ d: BackgroundDraws, own: Int, c: Int, h: Int, w: Int) throws -> [Float] {
        guard !families.isEmpty else {
            throw ComputeError.invalidArgument("background augmentations need a texture family (crops need at least two donor images)")
        }
        let family = families[Int(d.parameters[1] % UInt32(families.count))]
        let t = try BackgroundTexture(family, draws: d, c: c, h: h, w: w, own: own, donors: donors[...], donorCount: donorCount)
        return family == .crop ? t.values : t.values.map { ($0 - mean) * scale }
    }
}

extension BackgroundAugmentation {
    /// BG_RM or BG_Random on one [C, H, W] sample `own` with its [H, W] mask and its view's
    /// draws (BG13, BG14); unchanged when u(p₀) > P. BG_Swaps needs two views (`swaps`).
    public func apply(_ x: [Float], mask: [Float], draws d: BackgroundDraws, own: Int, shape: [Int],
                      context: BackgroundContext) throws -> [Float] {
        guard d.applies(probability: probability) else { return x }
        let (c, h, w) = try ForegroundMask.imageShape(shape)
        switch kind {
        case .remove: return Compositing.constant(x[...], mask: mask[...], level: (Self.grey - context.mean) * context.scale)
        case .random: return Compositing.composite(x[...], mask: mask[...], background: try context.texture(d, own: own, c: c, h: h, w: w))
        case .swaps: throw ComputeError.invalidArgument("bg-swaps builds a query, a positive and a negative: it needs two views")
        }
    }

    /// BG_Swaps (BG15) on the query and key views of sample `own` of `count`: when u(p₀) ≤ P for
    /// the query's draws, the query on its texture b_q, the key on its own texture b_k, and a
    /// negative, training sample j = `negativeIndex` (p₁₀) on b_q; nil negative otherwise.
    public func swaps(query: [Float], queryMask: [Float], key: [Float], keyMask: [Float], queryDraws: BackgroundDraws,
                      keyDraws: BackgroundDraws, own: Int, shape: [Int], negative: (sample: [Float], mask: [Float])?,
                      context: BackgroundContext) throws -> (query: [Float], key: [Float], negative: [Float]?) {
        guard kind == .swaps, queryDraws.applies(probability: probability) else { return (query, key, nil) }
        let (c, h, w) = try ForegroundMask.imageShape(shape)
        let bq = try context.texture(queryDraws, own: own, c: c, h: h, w: w)
        let bk = try context.texture(keyDraws, own: own, c: c, h: h, w: w)
        return (Compositing.composite(query[...], mask: queryMask[...], background: bq),
                Compositing.composite(key[...], mask: keyMask[...], background: bk),
                negative.map { Compositing.composite($0.sample[...], mask: $0.mask[...], background: bq) })
    }

    /// The training sample whose foreground makes the BG_Swaps negative of `own` (BG15).
    public static func negativeIndex(_ queryDraws: BackgroundDraws, own: Int, count: Int) -> Int {
        BackgroundDraws.other(queryDraws.parameters[10], own: own, count: count)
    }
}
