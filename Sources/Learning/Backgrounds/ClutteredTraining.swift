import Compute

/// The four Backgrounds-Challenge test sets of a run, standardised like its data (BG12).
public struct BackgroundTestSets: Sendable {
    public var original: Dataset, onlyForeground: Dataset, mixedSame: Dataset, mixedRandom: Dataset
}

/// A trained model's accuracy on each of the four sets; robustnessGap = mixedSame − mixedRandom (BG12).
public struct BackgroundTestAccuracies: Codable, Sendable, Equatable {
    public var original: Double, onlyForeground: Double, mixedSame: Double, mixedRandom: Double, robustnessGap: Double

    public init(original: Double, onlyForeground: Double, mixedSame: Double, mixedRandom: Double) {
        (self.original, self.onlyForeground, self.mixedSame, self.mixedRandom) = (original, onlyForeground, mixedSame, mixedRandom)
        robustnessGap = mixedSame - mixedRandom
    }
}

extension ClutterSpec {
    /// "cluttered" (ρ = 0) or "cluttered:RHO", all four families, the standard mask.
    public init(parsing s: String) throws {
        let parts = s.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts[0] == "cluttered", parts.count == 1 || Double(parts[1]) != nil else {
            throw ComputeError.invalidArgument("backgrounds are cluttered or cluttered:RHO (the class tie ρ in [0, 1]), got '\(s)'")
        }
        self.init(classTie: parts.count == 2 ? Double(parts[1])! : 0)
        if let p = problem() { throw ComputeError.invalidArgument(p) }
    }

    public var description: String { classTie == 0 ? "cluttered" : "cluttered:\(classTie)" }

    /// A run's data on cluttered backgrounds (BG11, BG12): from raw (unstandardised) data, the
    /// first `trainLimit` training images cluttered, the first `testLimit` test images made
    /// into the four sets; trained on the cluttered set, tested on ORIGINAL, all standardised
    /// by the cluttered training set. Images without a foreground are refused (BG3).
    public func trainingData(_ raw: TrainingData, seed: UInt64, trainLimit: Int?, testLimit: Int?) throws -> TrainingData {
        guard raw.mean == 0, raw.scale == 1 else { throw ComputeError.invalidArgument("cluttered backgrounds need raw, unstandardised images") }
        let train = try ClutteredDataset(raw.train.prefix(trainLimit), spec: self, seed: seed)
        let challenge = try BackgroundChallenge(test: raw.test.prefix(testLimit), spec: self, seed: seed)
        var data = try TrainingData(name: "\(raw.name), \(description)", train: train.cluttered, test: challenge.original)
        data.backgroundTests = BackgroundTestSets(original: data.test, onlyForeground: data.standardized(challenge.onlyForeground),
                                                  mixedSame: data.standardized(challenge.mixedSame),
                                                  mixedRandom: data.standardized(challenge.mixedRandom))
        return data
    }
}

extension Trainer {
    /// Accuracy on each of the data's Backgrounds-Challenge sets, when it has them.
    public func backgroundAccuracies() throws -> BackgroundTestAccuracies? {
        guard let s = data.backgroundTests else { return nil }
        return BackgroundTestAccuracies(original: try evaluate(s.original).accuracy, onlyForeground: try evaluate(s.onlyForeground).accuracy,
                                        mixedSame: try evaluate(s.mixedSame).accuracy, mixedRandom: try evaluate(s.mixedRandom).accuracy)
    }
}
