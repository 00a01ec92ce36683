import Compute
import OpenCLRuntime
import Learning
import Foundation

/// `gpurun train`: one training run from a configuration or a checkpoint, with its files.
public enum TrainJob {
    /// Where the run starts.
    public enum Start: Sendable {
        case fresh(TrainConfig)
        /// A checkpoint folder; `epochs` extends (or shortens) its run.
        case resume(URL, epochs: Int?)
    }

    public struct Settings: Sendable {
        public var start: Start
        /// Folder for result.json, losses.npy, gamma.npy, the γ histogram and the checkpoints.
        public var output: URL?
        /// A folder of mask-NAME.npy pruning masks set before training (Learning's MaskFiles).
        public var masks: URL?

        public init(start: Start, output: URL?, masks: URL? = nil) {
            (self.start, self.output, self.masks) = (start, output, masks)
        }
    }

    /// What the run is, once its model and data are ready.
    public struct Started: Sendable {
        public var model: String, data: String, trainCount: Int, testCount: Int, device: String, dtype: DType
        public var batch: Int, lr: Double, optimizer: String, trainOnly: ParameterGroup
        /// The iteration and checkpoint a resumed run continues from.
        public var resumedAt: Int?, resumedFrom: String?
    }

    public enum Event: Sendable {
        case loading(String)
        case started(Started)
        case epoch(EpochRecord)
    }

    public struct Outcome: Sendable {
        public var result: TrainResult
        /// The files written (result.json, losses.npy, ...), by name.
        public var files: [String: String]
    }

    /// Loads the data, builds the trainer (errors in what was given are InvalidInput, all before
    /// the first step), trains and writes the files.
    public static func run(_ settings: Settings, on backend: any Backend, events: (Event) -> Void = { _ in },
                           progress: (TrainProgress) -> Void = { _ in }) throws -> Outcome {
        let config: TrainConfig
        switch settings.start {
        case .fresh(let c):
            try InvalidInput.check { if let p = c.problem() { throw ComputeError.invalidArgument(p) } }
            if !c.checkpointAt.isEmpty && settings.output == nil {
                throw InvalidInput(ComputeError.invalidArgument("checkpoints at iterations \(c.checkpointAt) need an output folder"))
            }
            config = c
        case .resume(let dir, _):
            config = try InvalidInput.check { try TrainCheckpoint.config(at: dir) }
        }
        try InvalidInput.check {
            if let out = settings.output { try checkFolderCanExist(out) }
            if let m = settings.masks, !FileManager.default.fileExists(atPath: m.path) {
                throw ComputeError.io(path: m.path, reason: "no such mask folder")
            }
        }
        events(.loading(config.data))
        let data = try loadData(config)
        return try withoutActuallyEscaping(events) { events in
            try withoutActuallyEscaping(progress) { progress in
                try config.dtype.dispatch(Go(settings: settings, data: data, backend: backend, events: events, progress: progress))
            }
        }
    }

    /// The standardised data a source names (errors are InvalidInput).
    public static func loadData(_ source: String) throws -> TrainingData {
        try InvalidInput.check { try DataSource(parsing: source).load() }
    }

    /// The data a configuration names, on cluttered backgrounds when it says so; errors as InvalidInput.
    public static func loadData(_ config: TrainConfig) throws -> TrainingData {
        guard let spec = config.backgrounds else { return try loadData(config.data) }
        return try InvalidInput.check {
            let source = try DataSource(parsing: config.data)
            return try spec.trainingData(source.load(standardize: false), seed: config.seed, trainLimit: config.trainLimit,
                                         testLimit: config.testLimit)
        }
    }

    struct Go: DTypeWork {
        var settings: Settings, data: TrainingData, backend: any Backend
        var events: (Event) -> Void, progress: (TrainProgress) -> Void

        func run<T: Scalar>(_: T.Type) throws -> Outcome {
            let (trainer, from): (Trainer<T>, String?) = try InvalidInput.check {
                let t: Trainer<T>, from: String?
                switch settings.start {
                case .fresh(let c): (t, from) = (try Trainer<T>(config: c, data: data, backend: backend), nil)
                case .resume(let dir, let epochs):
                    (t, from) = (try TrainCheckpoint.resume(T.self, from: dir, data: data, backend: backend, epochs: epochs), dir.path)
                }
                if let m = settings.masks { try MaskFiles.read(m, into: t.model.parameters) }
                return (t, from)
            }
            let c = trainer.config
            events(.started(Started(model: c.model.name, data: trainer.data.name, trainCount: trainer.data.train.count,
                                    testCount: trainer.data.test.count, device: backend.label, dtype: c.dtype, batch: c.batch,
                                    lr: c.optimizer.learningRate.lr, optimizer: c.optimizer.name, trainOnly: c.trainOnly,
                                    resumedAt: from.map { _ in trainer.iteration }, resumedFrom: from)))
            var result = try trainer.run(checkpointDirectory: settings.output, progress: progress, onEpoch: { events(.epoch($0)) })
            result.resumedFrom = from
            var files: [String: String] = [:]
            if let out = settings.output {
                try TrainOutput.write(result, trainer: trainer, to: out)
                files["result"] = out.appendingPathComponent("result.json").path
                files["losses"] = out.appendingPathComponent("losses.npy").path
                if result.gammaCount > 0 {
                    files["gamma"] = out.appendingPathComponent("gamma.npy").path
                    files["gammaHistogram"] = out.appendingPathComponent("gamma_histogram.svg").path
                }
            }
            return Outcome(result: result, files: files)
        }
    }
}

/// Work generic in the scalar type, run for a run's DType.
protocol DTypeWork {
    associatedtype Output
    func run<T: Scalar>(_: T.Type) throws -> Output
}

extension DType {
    func dispatch<W: DTypeWork>(_ work: W) throws -> W.Output {
        switch self {
        case .f32: try work.run(Float.self)
        case .f64: try work.run(Double.self)
        }
    }
}
