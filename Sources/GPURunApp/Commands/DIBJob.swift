import Compute
import Learning
import OpenCLRuntime
import Foundation

/// `gpurun dib`: a β sweep of decodable-information-bottleneck runs (docs/dib.md D8), one per
/// (seed, β), each reporting its generalisation gap beside its decodable information, and the
/// correlation of the two over all runs.
public enum DIBJob {
    public struct Settings: Codable, Sendable {
        /// `DataSource` text (as `train --data`).
        public var data: String
        public var trainLimit: Int?, testLimit: Int?
        /// Every setting of a run but β and the seed.
        public var base: DIBConfig
        public var betas: [Double]
        public var seeds: [UInt64]
        /// Folder for results.json, curves.npy, dib.svg and the sweep's checkpoint (D9).
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

    /// The settings of the sweep checkpointed in `output` (its output folder), to resume it.
    public static func savedSettings(in output: URL) throws -> Settings {
        var s = try InvalidInput.check { try DIBSweepCheckpoint.load(output: output).settings }
        s.output = output
        return s
    }

    public enum Event: Sendable {
        case loading(String)
        case started(trainCount: Int, testCount: Int, device: String, runs: Int)
        /// Resuming: the finished runs kept, and the epochs already done of the next one.
        case resumed(finishedRuns: Int, epochsDone: Int)
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

    /// Loads the data (errors in what was given are InvalidInput), runs the sweep and writes the
    /// files. With an output folder the sweep checkpoints after every epoch of every run (D9);
    /// `resume` continues the sweep checkpointed there (settings from `savedSettings(in:)`).
    /// An error thrown by `events` stops the sweep (its checkpoint stays).
    public static func run(_ settings: Settings, resume: Bool = false, on backend: any Backend,
                           events: (Event) throws -> Void = { _ in }) throws -> Report {
        try settings.validate()
        let checkpoint = settings.output.map(DIBSweepCheckpoint.init(output:))
        var saved: DIBSweepCheckpoint.State?
        if resume {
            guard let out = settings.output else { throw InvalidInput(ComputeError.invalidArgument("resuming needs the sweep's output folder")) }
            saved = try InvalidInput.check { try DIBSweepCheckpoint.load(output: out) }
        }
        try events(.loading(settings.data))
        var data = try TrainJob.loadData(settings.data)
        data.train = data.train.prefix(settings.trainLimit)
        data.test = data.test.prefix(settings.testLimit)
        let b = settings.base
        try InvalidInput.check {
            guard b.batch <= data.train.count else {
                throw ComputeError.invalidArgument("the minibatch (\(b.batch)) is larger than the training set (\(data.train.count) samples)")
            }
        }
        try events(.started(trainCount: data.train.count, testCount: data.test.count, device: backend.label,
                        runs: settings.betas.count * settings.seeds.count))
        let start = Timing.now()
        var runs = saved?.runs ?? [], curves = saved?.curves ?? []
        if !resume { try checkpoint?.save(.init(settings: settings, runs: [], curves: [])) }
        let plan = settings.seeds.flatMap { seed in settings.betas.map { (seed, $0) } }
        for (seed, beta) in plan.dropFirst(runs.count) {
            var c = b
            (c.beta, c.seed) = (beta, seed)
            let from = resume && runs.count == saved?.runs.count ? try checkpoint?.runState(for: c) : nil
            let (r, curve) = try withoutActuallyEscaping(events) { ev in
                try c.dtype.dispatch(Go(config: c, data: data, backend: backend, events: ev, checkpoint: checkpoint,
                                        resumeFrom: from, finished: runs.count))
            }
            runs.append(r)
            curves.append(curve)
            try checkpoint?.save(.init(settings: settings, runs: runs, curves: curves))
            try events(.finished(r))
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
        var config: DIBConfig, data: TrainingData, backend: any Backend, events: (Event) throws -> Void
        var checkpoint: DIBSweepCheckpoint?
        /// The run's saved state, when resuming it; `finished` runs came before it.
        var resumeFrom: URL?, finished: Int

        /// The run's result and its per-iteration (ℓ_y, mean ℓ_j, objective), row-major.
        func run<T: Scalar>(_: T.Type) throws -> (DIBRunResult, [Double]) {
            let trainer = try InvalidInput.check { try DIBTrainer<T>(config: config, data: data, backend: backend) }
            if let resumeFrom {
                try DIBCheckpoint.restore(trainer, from: resumeFrom)
                try events(.resumed(finishedRuns: finished, epochsDone: trainer.epochsDone))
            }
            let r = try trainer.run(progress: { epoch, objective in
                try events(.epoch(seed: config.seed, beta: config.beta, epoch: epoch, of: config.epochs, objective: objective))
            }, afterEpoch: { _ in try checkpoint?.save(trainer) })
            let curve = trainer.classifierLosses.indices.flatMap {
                [trainer.classifierLosses[$0], trainer.nuisanceLosses[$0], trainer.objectives[$0]]
            }
            return (r, curve)
        }
    }
}
