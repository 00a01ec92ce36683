import Compute

/// Training on altered data for N iterations before the run proper (docs/training.md N16;
/// Frankle, Schwab & Morcos, "The early phase of neural network training", section 6):
/// blurred inputs, self-supervised rotation prediction (a random quarter turn per sample, the
/// label its index 0–3, read from the first four outputs), or random labels. Its own shuffles
/// and draws (docs/random.md P7); the learning rate follows the run's schedule over the N
/// iterations; the optimiser's buffers are then cleared and the run starts at iteration 0.
public struct Pretraining: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case blur, rotation
        case randomLabels = "random-labels"
    }
    public var kind: Kind
    public var iterations: Int
    /// The blur's σ in pixels.
    public var sigma: Double

    public init(_ kind: Kind, iterations: Int, sigma: Double = 2) {
        (self.kind, self.iterations, self.sigma) = (kind, iterations, sigma)
    }

    /// "blur:N[:SIGMA]", "rotation:N" or "random-labels:N".
    public init(parsing s: String) throws {
        let parts = s.split(separator: ":").map(String.init)
        guard parts.count >= 2, let kind = Kind(rawValue: parts[0]), let n = Int(parts[1]),
              parts.count == 2 || (kind == .blur && parts.count == 3 && Double(parts[2]) != nil) else {
            throw ComputeError.invalidArgument("pre-training is blur:N[:SIGMA], rotation:N or random-labels:N, got '\(s)'")
        }
        self.init(kind, iterations: n, sigma: parts.count == 3 ? Double(parts[2])! : 2)
    }

    public var description: String { kind == .blur ? "blur:\(iterations):\(sigma)" : "\(kind.rawValue):\(iterations)" }

    public func problem(sampleShape: [Int], classes: Int) -> String? {
        if iterations < 1 { return "pre-training needs at least 1 iteration, got \(iterations)" }
        if kind == .blur, !(sigma > 0) { return "the pre-training blur σ must be positive, got \(sigma)" }
        if kind != .randomLabels, sampleShape.count != 3 { return "\(kind.rawValue) pre-training needs image samples, got \(sampleShape)" }
        if kind == .rotation, sampleShape.count == 3, sampleShape[1] != sampleShape[2] {
            return "rotation pre-training needs square images, got \(sampleShape)"
        }
        if kind == .rotation, classes < 4 { return "rotation pre-training needs at least 4 outputs, the data have \(classes) classes" }
        return nil
    }
}

extension Trainer {
    /// Runs the pre-training (once: `pretrained` records it, checkpoints keep it).
    func pretrain(_ p: Pretraining) throws {
        var set = data.train
        if p.kind == .randomLabels {
            set.labels = BatchRecipe.randomLabels(set.labels, fraction: 1, classes: set.classes, seed: config.seed,
                                                  stream: TrainingStreams.pretrainLabels)
        }
        let perEpoch = batchesPerEpoch
        for t in 0..<p.iterations {
            let epoch = t / perEpoch, b = t % perEpoch
            let order = permutation(epoch: epoch, stream: TrainingStreams.pretrainShuffle)
            var recipe = BatchRecipe(p.kind == .blur ? [.blur(sigma: p.sigma)] : [], epoch: epoch)
            recipe.stream = TrainingStreams.pretrainDraws
            recipe.rotations = p.kind == .rotation
            let (x, y) = try batch(set, order[(b * config.batch)..<min((b + 1) * config.batch, order.count)], recipe: recipe)
            try step(x, y, rate: optimizer.learningRate.at(iteration: t, epoch: epoch, total: p.iterations))
        }
        for param in model.parameters { param.resetOptimizerState() }
        pretrained = true
    }
}
