import Compute
import Foundation

/// The final metrics of a run (`gpurun train --json`).
public struct TrainResult: Codable, Sendable {
    /// |γ| below this counts as "near zero" in `gammaNearZeroFraction`.
    public static let gammaThreshold = 0.01

    public var model: String
    public var data: String
    public var device: String
    public var dtype = ""
    public var trainOnly = ""
    /// sgd, adam or adamw.
    public var optimizer = ""
    public var epochs = 0
    public var iterations = 0
    public var testAccuracy = Double.nan
    /// Mean training loss over the last epoch.
    public var trainLoss = Double.nan
    public var trainAccuracy = Double.nan
    public var perEpoch: [EpochRecord] = []
    public var trainedParameters = 0
    public var totalParameters = 0
    /// The fraction of the masked parameters' weights kept, when any are masked.
    public var density: Double?
    /// BatchNorm γ values, and the fraction with |γ| < 0.01.
    public var gammaCount = 0
    public var gammaNearZeroFraction: Double?
    /// Wall time of this process's part of the run, and its training throughput.
    public var seconds = 0.0
    public var imagesPerSecond: Double?
    public var checkpoints: [String] = []
    public var resumedFrom: String?
    /// Accuracies on the four Backgrounds-Challenge sets, for cluttered data (docs/backgrounds.md BG12).
    public var backgroundTests: BackgroundTestAccuracies?
    public var config: TrainConfig

    public init(model: String, data: String, device: String, config: TrainConfig) {
        self.model = model
        self.data = data
        self.device = device
        self.config = config
    }
}

/// Files of a run's output folder: result.json, losses.npy (one loss per iteration),
/// gamma.npy (every BatchNorm γ) and gamma_histogram.svg.
public enum TrainOutput {
    public static func write<T>(_ result: TrainResult, trainer: Trainer<T>, to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // The same JSON as stdout's (a non-finite number is null, named under nonFiniteValues).
        try (ReportJSON.encode(result) + Data("\n".utf8)).write(to: dir.appendingPathComponent("result.json"), options: .atomic)
        try Npy.write(NpyArray(trainer.losses, shape: [trainer.losses.count]), to: dir.appendingPathComponent("losses.npy"))
        let g = try trainer.gammas()
        if !g.isEmpty {
            try Npy.write(NpyArray(g, shape: [g.count]), to: dir.appendingPathComponent("gamma.npy"))
            try histogram(g, title: "BatchNorm γ (\(result.model), train only \(result.trainOnly))")
                .write(to: dir.appendingPathComponent("gamma_histogram.svg"))
        }
    }

    /// A 40-bin histogram of the values.
    public static func histogram(_ values: [Double], title: String, bins: Int = 40) -> SVGPlot {
        let lo = values.min() ?? 0, hi0 = values.max() ?? 1
        let hi = hi0 > lo ? hi0 : lo + 1
        let width = (hi - lo) / Double(bins)
        var counts = [Double](repeating: 0, count: bins)
        for v in values { counts[min(Int((v - lo) / width), bins - 1)] += 1 }
        var plot = SVGPlot(title: title, x: .init(label: "γ"), y: .init(label: "count"))
        plot.bars(edges: (0...bins).map { lo + Double($0) * width }, heights: counts)
        return plot
    }
}
