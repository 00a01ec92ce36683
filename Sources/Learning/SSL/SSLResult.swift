import Compute
import Foundation

/// The final metrics of a MoCo run (`gpurun ssl --json`).
public struct SSLResult: Codable, Sendable {
    public var model: String
    public var data: String
    public var device: String
    public var dtype = ""
    public var epochs = 0
    public var iterations = 0
    /// Mean InfoNCE loss and positive top-1 rate over the last epoch's steps.
    public var finalLoss = Double.nan
    public var positiveTop1 = Double.nan
    /// The probes of the trained encoder and of the encoder at its initialisation (S10, S11).
    public var linearProbeAccuracy = Double.nan
    public var knnAccuracy = Double.nan
    public var initialLinearProbeAccuracy = Double.nan
    public var initialKnnAccuracy = Double.nan
    /// On cluttered data (`--backgrounds`), the probes on each Backgrounds-Challenge set (S12,
    /// docs/backgrounds.md BG12), of the trained and the initial encoder; nil otherwise.
    public var backgroundTests: SSLBackgroundProbes?
    /// S8 for the band in use ("band", when not all negatives) and for the whole queue ("queue").
    public var bandStatistics: [String: BandSummary] = [:]
    /// Wall time of this process's training, and its throughput in images (two views each).
    public var seconds = 0.0
    public var imagesPerSecond: Double?
    public var checkpoints: [String] = []
    public var resumedFrom: String?
    public var config: MoCoConfig

    public init(model: String, data: String, device: String, config: MoCoConfig) {
        (self.model, self.data, self.device, self.config) = (model, data, device, config)
    }
}

/// The probes on the four Backgrounds-Challenge sets; robustnessGap = mixedSame − mixedRandom.
public struct SSLBackgroundProbes: Codable, Sendable, Equatable {
    public var linearProbe: BackgroundTestAccuracies, knn: BackgroundTestAccuracies
    public var initialLinearProbe: BackgroundTestAccuracies, initialKnn: BackgroundTestAccuracies
}

/// A band's statistics as reported (S8).
public struct BandSummary: Codable, Sendable, Equatable {
    public var negatives: String
    public var meanSimilarity: Double
    /// The fraction of queries whose band's same-class fraction exceeds the whole labelled queue's.
    public var sameClassAboveChance: Double
    public var negativesSeen: Int, labelledQueries: Int

    public init(_ name: String, _ s: BandStatistics) {
        negatives = name
        meanSimilarity = s.meanSimilarity
        sameClassAboveChance = s.aboveChanceFraction
        (negativesSeen, labelledQueries) = (s.negatives, s.labelledQueries)
    }
}

extension MoCoTrainer {
    /// The linear-probe and k-NN test accuracies of `encoder`'s backbone (S10, S11), and on
    /// cluttered data those on the four Backgrounds-Challenge sets (the first being the test set).
    public func probes(of encoder: MoCoEncoder<T>) throws -> (linear: Double, knn: Double,
                                                              backgrounds: (linear: BackgroundTestAccuracies, knn: BackgroundTestAccuracies)?) {
        let b = max(config.train.batch, 64)
        let tr = try SSLProbes.features(encoder.backbone, data.train, batch: b, on: backend)
        let sets = data.backgroundTests.map { [$0.original, $0.onlyForeground, $0.mixedSame, $0.mixedRandom] } ?? [data.test]
        let tests = try sets.map { (features: try SSLProbes.features(encoder.backbone, $0, batch: b, on: backend).values, labels: $0.labels) }
        let k = data.train.classes
        let linear = try SSLProbes.linearProbe(T.self, train: tr.values, trainLabels: data.train.labels, tests: tests,
                                               width: tr.width, classes: k, seed: config.train.seed, on: backend)
        let knn = try tests.map {
            try SSLProbes.knn(T.self, train: tr.values, trainLabels: data.train.labels, test: $0.features, testLabels: $0.labels,
                              width: tr.width, classes: k, k: config.neighbours, on: backend)
        }
        func four(_ a: [Double]) -> BackgroundTestAccuracies {
            BackgroundTestAccuracies(original: a[0], onlyForeground: a[1], mixedSame: a[2], mixedRandom: a[3])
        }
        return (linear[0], knn[0], sets.count == 4 ? (four(linear), four(knn)) : nil)
    }

    /// The query encoder as it was at the start of the run (rebuilt from the seed).
    public func initialEncoder() throws -> MoCoEncoder<T> { try Self.encoder(config, data, backend) }

    /// The result after training: losses of the last epoch, band statistics and both probes.
    public func result(seconds: Double, images: Int, checkpoints: [String]) throws -> SSLResult {
        var r = SSLResult(model: config.train.model.name, data: data.name, device: backend.label, config: config)
        r.dtype = config.train.dtype.rawValue
        r.iterations = iteration
        r.epochs = batchesPerEpoch > 0 ? iteration / batchesPerEpoch : 0
        let last = max(0, losses.count - batchesPerEpoch)
        if losses.count > last {
            r.finalLoss = losses[last...].reduce(0, +) / Double(losses.count - last)
            r.positiveTop1 = Double(correct[last...].reduce(0, +)) / Double((losses.count - last) * config.train.batch)
        }
        let trained = try probes(of: query), initial = try probes(of: initialEncoder())
        (r.linearProbeAccuracy, r.knnAccuracy) = (trained.linear, trained.knn)
        (r.initialLinearProbeAccuracy, r.initialKnnAccuracy) = (initial.linear, initial.knn)
        if let t = trained.backgrounds, let i = initial.backgrounds {
            r.backgroundTests = SSLBackgroundProbes(linearProbe: t.linear, knn: t.knn, initialLinearProbe: i.linear, initialKnn: i.knn)
        }
        if config.negatives != .all, loss.band.negatives > 0 {
            r.bandStatistics["band"] = BandSummary(config.negatives.description, loss.band)
        }
        if loss.whole.negatives > 0 { r.bandStatistics["queue"] = BandSummary("all", loss.whole) }
        r.seconds = seconds
        r.imagesPerSecond = seconds > 0 ? Double(images) / seconds : nil
        r.checkpoints = checkpoints
        return r
    }
}
