import Compute
import Learning
import OpenCLRuntime
import Foundation

/// `gpurun ssl`: one MoCo v2 run (docs/ssl.md) from a configuration or a checkpoint: training,
/// then the linear and k-NN probes of the trained and of the initial encoder, and its files.
public enum SSLJob {
    public enum Start: Sendable {
        case fresh(MoCoConfig)
        /// A checkpoint folder; `epochs` extends (or shortens) its run.
        case resume(URL, epochs: Int?)
    }

    public struct Settings: Sendable {
        public var start: Start
        /// Folder for result.json, losses.npy and the checkpoints.
        public var output: URL?

        public init(start: Start, output: URL?) { (self.start, self.output) = (start, output) }
    }

    public enum Event: Sendable {
        case loading(String)
        /// The model, the data's sizes, the device and where a resumed run continues from.
        case started(String)
        case probing
    }

    public struct Outcome: Sendable {
        public var result: SSLResult
        public var files: [String: String]
    }

    /// Checks everything given (InvalidInput, before the first step), trains, probes, writes.
    public static func run(_ settings: Settings, on backend: any Backend, events: (Event) -> Void = { _ in },
                           progress: (TrainProgress) -> Void = { _ in }) throws -> Outcome {
        let config: MoCoConfig
        switch settings.start {
        case .fresh(let c):
            try InvalidInput.check { if let p = c.problem() { throw ComputeError.invalidArgument(p) } }
            if !c.train.checkpointAt.isEmpty && settings.output == nil {
                throw InvalidInput(ComputeError.invalidArgument("checkpoints at iterations \(c.train.checkpointAt) need an output folder"))
            }
            config = c
        case .resume(let dir, _):
            config = try InvalidInput.check { try MoCoCheckpoint.config(at: dir) }
        }
        try InvalidInput.check { if let out = settings.output { try checkFolderCanExist(out) } }
        events(.loading(config.train.data))
        let data = try TrainJob.loadData(config.train)
        return try withoutActuallyEscaping(events) { events in
            try withoutActuallyEscaping(progress) { progress in
                try config.train.dtype.dispatch(Go(settings: settings, data: data, backend: backend, events: events, progress: progress))
            }
        }
    }

    struct Go: DTypeWork {
        var settings: Settings, data: TrainingData, backend: any Backend
        var events: (Event) -> Void, progress: (TrainProgress) -> Void

        func run<T: Scalar>(_: T.Type) throws -> Outcome {
            let (trainer, from): (MoCoTrainer<T>, String?) = try InvalidInput.check {
                switch settings.start {
                case .fresh(let c): return (try MoCoTrainer<T>(config: c, data: data, backend: backend), nil)
                case .resume(let dir, let epochs):
                    return (try MoCoCheckpoint.resume(T.self, from: dir, data: data, backend: backend, epochs: epochs), dir.path)
                }
            }
            let c = trainer.config
            events(.started("MoCo v2 with \(c.train.model.name) on \(trainer.data.name) (\(trainer.data.train.count) train, "
                + "\(trainer.data.test.count) test), \(backend.label), \(c.train.dtype.rawValue), batch \(c.train.batch), queue \(c.queue), "
                + "τ \(c.temperature), m \(c.momentum), negatives \(c.negatives.description)"
                + (from.map { ", resumed at iteration \(trainer.iteration) from \($0)" } ?? "")))
            let start = Timing.now(), first = trainer.iteration
            let checkpoints = try trainer.run(checkpointDirectory: settings.output, progress: progress)
            let seconds = Timing.now() - start
            events(.probing)
            var result = try trainer.result(seconds: seconds, images: (trainer.iteration - first) * c.train.batch,
                                            checkpoints: checkpoints)
            result.resumedFrom = from
            var files: [String: String] = [:]
            if let out = settings.output {
                try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
                let json = out.appendingPathComponent("result.json"), losses = out.appendingPathComponent("losses.npy")
                try (ReportJSON.encode(result) + Data("\n".utf8)).write(to: json, options: .atomic)
                try Npy.write(NpyArray(trainer.losses, shape: [trainer.losses.count]), to: losses)
                let final = out.appendingPathComponent("checkpoint")
                try MoCoCheckpoint.save(trainer, to: final)
                (files["result"], files["losses"], files["checkpoint"]) = (json.path, losses.path, final.path)
            }
            return Outcome(result: result, files: files)
        }
    }
}
