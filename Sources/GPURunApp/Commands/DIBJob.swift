import Compute
import Learning
import OpenCLRuntime
import Foundation

/// `gpurun dib`: a β sweep of decodable-information-bottleneck runs (docs/dib.md D8), one per
/// (seed, β), each reporting its generalisation gap beside its decodable information, and the
/// correlation of the two over all runs.
public enum DIBJob {
    public struct Settings: Sendable {
        /// `DataSource` text (as `train --data`).
        public var data: String
        public var trainLimit: Int?, testLimit: Int?
        /// Every setting of a run but β and the seed.
        public var base: DIBConfig
        public var betas: [Double]
        public var seeds: [UInt64]
        /// Folder for results.json, curves.npy and dib.svg.
        public var output: URL?

        public init(data: String, trainLimit: Int?, testLimit: Int?, base: DIBConfig, betas: [Double], seeds: [UInt64],
                    output: URL?) {
            (self.data, self.trainLimit, self.testLimit, self.base) = (data, trainLimit, testLimit, base)
            (self.betas, self.seeds, self.output) = (betas, seeds, output)
        }

        /// Every problem of the settings, before any work.
        public func validate() throws {
            try InvalidInput.check {
                guard !betas.isEmpty else { throw ComputeError.invalidArgument("a sweep needs at least one β") }
                guard !seeds.isEmpty else { throw ComputeError.invalidArgument("a sweep needs at least one seed") }
                for b in betas {
                    var c = base
                    c.beta = b
                    if let p = c.problem() { throw ComputeError.invalidArgument(p) }
                }
                if let n = trainLimit, n < 2 { throw ComputeError.invalidArgument("the training-sample limit must be at least 2, got \(n)") }
                if let n = testLimit, n < 1 { throw ComputeError.invalidArgument("the test-sample limit must be at least 1, got \(n)") }
                if let out = output { try checkFolderCanExist(out) }
            }
        }
    }

    /// A comma-separated list of β values.
    public static func betas(_ text: String) throws -> [Double] {
        try InvalidInput.check {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            return try parts.map {
                guard let v = Double($0), v.isFinite, v >= 0 else {
                    throw ComputeError.invalidArgument("β values are non-negative numbers separated by commas, got '\($0)'")
                }
                return v
            }
        }
    }

    /// A comma-separated list of seeds.
    public static func seeds(_ text: String) throws -> [UInt64] {
        try InvalidInput.check {
            try text.split(separator: ",", omittingEmptySubsequences: false).map {
                guard let v = UInt64($0.trimmingCharacters(in: .whitespaces)) else {
                    throw ComputeError.invalidArgument("seeds are non-negative integers separated by commas, got '\($0)'")
                }
                return v
            }
        }
    }

    public enum Event: Sendable {
        case loading(String)
        case started(trainCount: Int, testCount: Int, device: String, runs: Int)
        case epoch(seed: UInt64, beta: Double, epoch: Int, of: Int, objective: Double)
        case finished(DIBRunResult)
    }

    public struct Report: Encodable, Sendable {
        public var data: String, device: String, dtype: String
        public var trainCount: Int, testCount: Int
        public var encoderWidths: [Int], head: String, heads: Int, labelingSize: Int
        public var epochs: Int, batch: Int, learningRate: Double
        public var measure: DecodableInformationSettings
        public var betas: [Double], seeds: [UInt64]
        /// One per (seed, β), seeds outer.
        public var runs: [DIBRunResult]
        /// Decodable information (bits) against the generalisation gap over all runs.
        public var correlation: Correlation
        public var wallSeconds: Double
        public var files: [String: String] = [:]
    }

    /// Loads the data (errors in what was given are InvalidInput), runs the sweep and writes the files.
    public static func run(_ settings: Settings, on backend: any Backend, events: (Event) -> Void = { _ in }) throws -> Report {
        try settings.validate()
        events(.loading(settings.data))
        var data = try TrainJob.loadData(settings.data)
        data.train = data.train.prefix(settings.trainLimit)
        data.test = data.test.prefix(settings.testLimit)
        let b = settings.base
        try InvalidInput.check {
            guard b.batch <= data.train.count else {
                throw ComputeError.invalidArgument("the minibatch (\(b.batch)) is larger than the training set (\(data.train.count) samples)")
            }
        }
        events(.started(trainCount: data.train.count, testCount: data.test.count, device: backend.label,
                        runs: settings.betas.count * settings.seeds.count))
        let start = Timing.now()
        var runs: [DIBRunResult] = [], curves: [[Double]] = []
        for seed in settings.seeds {
            for beta in settings.betas {
                var c = b
                (c.beta, c.seed) = (beta, seed)
                let (r, curve) = try withoutActuallyEscaping(events) { ev in
                    try c.dtype.dispatch(Go(config: c, data: data, backend: backend, events: ev))
                }
                runs.append(r)
                curves.append(curve)
                events(.finished(r))
            }
        }
        var report = Report(data: data.name, device: backend.label, dtype: b.dtype.rawValue, trainCount: data.train.count,
                            testCount: data.test.count, encoderWidths: b.encoderWidths, head: b.head.name, heads: b.heads,
                            labelingSize: b.labelingSize, epochs: b.epochs, batch: b.batch, learningRate: b.learningRate,
                            measure: b.measure, betas: settings.betas, seeds: settings.seeds, runs: runs,
                            correlation: Correlation(runs.map(\.decodableInformation.bits), runs.map(\.generalisationGap)),
                            wallSeconds: Timing.now() - start)
        if let out = settings.output {
            let dir = try ReportFiles.folder(out.path)
            let svg = dir.appendingPathComponent("dib.svg"), js = dir.appendingPathComponent("results.json")
            let npy = dir.appendingPathComponent("curves.npy")
            try report.plot().write(to: svg)
            // Every run has the same iterations (same data, batch and epochs).
            try Npy.write(try NpyArray(curves.flatMap { $0 }, shape: [runs.count, runs[0].iterations, 3]), to: npy)
            report.files = ["plot": svg.path, "json": js.path, "curves": npy.path]
            try ReportFiles.writeJSON(report, to: js)
        }
        return report
    }

    struct Go: DTypeWork {
        var config: DIBConfig, data: TrainingData, backend: any Backend, events: (Event) -> Void

        /// The run's result and its per-iteration (ℓ_y, mean ℓ_j, objective), row-major.
        func run<T: Scalar>(_: T.Type) throws -> (DIBRunResult, [Double]) {
            let trainer = try InvalidInput.check { try DIBTrainer<T>(config: config, data: data, backend: backend) }
            let r = try trainer.run { epoch, objective in
                events(.epoch(seed: config.seed, beta: config.beta, epoch: epoch, of: config.epochs, objective: objective))
            }
            let curve = trainer.classifierLosses.indices.flatMap {
                [trainer.classifierLosses[$0], trainer.nuisanceLosses[$0], trainer.objectives[$0]]
            }
            return (r, curve)
        }
    }
}
