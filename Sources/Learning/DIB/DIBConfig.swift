import Compute

/// Everything that determines one DIB run (docs/dib.md D1–D7).
public struct DIBConfig: Codable, Sendable, Equatable {
    /// Widths of the encoder's hidden layers, each Linear then ReLU; the last is the
    /// representation's dimension d.
    public var encoderWidths: [Int]
    /// The family 𝒱 of the classifier and of every nuisance and measuring head.
    public var head: DIBHeadFamily
    /// K: nuisance heads in training, one labeling each (D4).
    public var heads: Int
    /// k: the values of each labeling (D3).
    public var labelingSize: Int
    /// β ≥ 0: the weight of the reversed nuisance term (D4).
    public var beta: Double
    /// Clamp each nuisance loss at the baseline ln k in the encoder's objective (D4′): a head
    /// already doing worse than the uniform guess pushes the encoder no further.
    public var clampAtBaseline: Bool
    public var epochs: Int, batch: Int
    /// Adam's learning rate for every parameter (D5).
    public var learningRate: Double
    public var seed: UInt64
    public var initScheme: InitScheme
    public var dtype: DType
    /// The measure (D7): fresh labelings and heads, and their training.
    public var measure: DecodableInformationSettings

    public init(encoderWidths: [Int], head: DIBHeadFamily = .linear, heads: Int = 3, labelingSize: Int = 2, beta: Double,
                clampAtBaseline: Bool = true, epochs: Int, batch: Int, learningRate: Double = 1e-3, seed: UInt64 = 1,
                initScheme: InitScheme = .kaiming, dtype: DType = .f32, measure: DecodableInformationSettings = DecodableInformationSettings()) {
        (self.encoderWidths, self.head, self.heads, self.labelingSize) = (encoderWidths, head, heads, labelingSize)
        (self.beta, self.epochs, self.batch, self.learningRate) = (beta, epochs, batch, learningRate)
        self.clampAtBaseline = clampAtBaseline
        (self.seed, self.initScheme, self.dtype, self.measure) = (seed, initScheme, dtype, measure)
    }

    /// Why this configuration cannot run, or nil.
    public func problem() -> String? {
        if encoderWidths.isEmpty { return "the encoder needs at least one hidden layer" }
        if let w = encoderWidths.first(where: { $0 < 1 }) { return "encoder widths must be positive, got \(w)" }
        if let p = head.problem() { return p }
        if heads < 1 { return "DIB needs at least one nuisance head, got \(heads)" }
        if labelingSize < 2 { return "the labelings need at least 2 values (k ≥ 2), got \(labelingSize)" }
        if labelingSize > 1 << 32 { return "the labelings draw from 32-bit words: k must be at most 2³², got \(labelingSize)" }
        if !(beta >= 0) || !beta.isFinite { return "β must be finite and non-negative, got \(beta)" }
        if epochs < 1 { return "epochs must be at least 1, got \(epochs)" }
        if batch < 2 { return "the minibatch must be at least 2, got \(batch)" }
        if !(learningRate > 0) || !learningRate.isFinite { return "the learning rate must be positive, got \(learningRate)" }
        return measure.problem()
    }
}

/// How the decodable information of a frozen encoder is measured (docs/dib.md D7).
public struct DecodableInformationSettings: Codable, Sendable, Equatable {
    /// K′: fresh labelings, one fresh head each.
    public var heads: Int
    public var epochs: Int, batch: Int
    public var learningRate: Double

    public init(heads: Int = 3, epochs: Int = 30, batch: Int = 128, learningRate: Double = 1e-2) {
        (self.heads, self.epochs, self.batch, self.learningRate) = (heads, epochs, batch, learningRate)
    }

    public func problem() -> String? {
        if heads < 1 { return "the measure needs at least one head, got \(heads)" }
        if epochs < 1 { return "the measure needs at least one epoch, got \(epochs)" }
        if batch < 1 { return "the measure's minibatch must be at least 1, got \(batch)" }
        if !(learningRate > 0) || !learningRate.isFinite {
            return "the measure's learning rate must be positive, got \(learningRate)"
        }
        return nil
    }
}
