import Compute
import OpenCLRuntime
import Dynamics
import Foundation

/// `gpurun lyapunov`: the spectrum of one model by the QR method, with checkpoints and files.
public enum LyapunovJob {
    /// What the run does besides the model.
    public struct Settings: Sendable {
        public var steps: Int, transient: Int, qTransient: Int?
        /// Leading exponents (nil: all).
        public var k: Int?
        public var reorth: Int, batch: Int
        /// Initial state(s) .npy.
        public var x0: String?
        public var dtype: DType
        public var qr: TangentQR.Method
        public var checkpoint: URL?
        public var resume: Bool
        public var checkpointEvery: Double
        /// Folder for exponents.npy, convergence.npy and the plots.
        public var output: URL?
        /// `--profile`: measure each phase (LyapunovProfile, under "profile" in the result).
        public var profile = false
        /// `--block-steps M`: per-block ln R_ii sums (blocks.npy with `output`) and their statistics.
        public var blockSteps: Int?
        /// `--covariant F`: covariant vectors from a window of F steps after accumulation
        /// (covariant*.npy with `output`, "covariant" in the result).
        public var covariantSteps: Int?

        public init(steps: Int, transient: Int, qTransient: Int?, k: Int?, reorth: Int, batch: Int, x0: String?,
                    dtype: DType, qr: TangentQR.Method, checkpoint: URL?, resume: Bool, checkpointEvery: Double,
                    output: URL?) {
            (self.steps, self.transient, self.qTransient, self.k, self.reorth, self.batch) = (steps, transient, qTransient, k, reorth, batch)
            (self.x0, self.dtype, self.qr, self.checkpoint, self.resume, self.checkpointEvery, self.output)
                = (x0, dtype, qr, checkpoint, resume, checkpointEvery, output)
        }

        /// The run's configuration, for a model whose state has `stateSize` numbers.
        public func config(stateSize: Int, seed: UInt64) -> LyapunovConfig {
            LyapunovConfig(steps: steps, transient: transient, qTransient: qTransient, k: k ?? stateSize,
                           reorth: reorth, seed: seed, batch: batch, qr: qr)
        }
    }

    /// One line of progress, as LyapunovRun reports it.
    public struct Progress: Sendable {
        public var phase: String, step: Int, total: Int, lambda1: Double?, elapsed: Double
    }

    /// What `run` heard besides progress: a resumed checkpoint, the start, a missing theory.
    public enum Event: Sendable {
        case resumed(URL)
        case started(model: String, n: Int, k: Int, dtype: DType, device: String)
        case noTheory(String)
    }

    public enum Outcome {
        /// Stopped on request at this step (a checkpoint was saved where one was asked for).
        case stopped(step: Int)
        case finished(LyapunovResult, files: [String: String])
    }

    /// Builds the model on `backend` (after checking that the run fits), runs it, attaches the
    /// theory and writes the files. Errors in the inputs are InvalidInput.
    public static func run(_ spec: ModelSpec, _ settings: Settings, on backend: any Backend,
                           shouldStop: @escaping () -> Bool = { false },
                           events: (Event) -> Void = { _ in },
                           progress: (Progress) -> Void = { _ in }) throws -> Outcome {
        // Paths and intervals before any work: a run must not fail at its first checkpoint.
        try InvalidInput.check {
            guard settings.checkpointEvery > 0, settings.checkpointEvery.isFinite else {
                throw ComputeError.invalidArgument("the checkpoint interval must be a positive number of seconds, got \(settings.checkpointEvery)")
            }
            if let c = settings.checkpoint { try checkFileCanBeWritten(c) }
            if let o = settings.output { try checkFolderCanExist(o) }
        }
        if settings.resume {
            guard let c = settings.checkpoint else {
                throw InvalidInput(ComputeError.invalidArgument("resuming needs a checkpoint file"))
            }
            guard FileManager.default.fileExists(atPath: c.path) else {
                throw InvalidInput(ComputeError.invalidArgument("no checkpoint to resume at \(c.path)"))
            }
        }
        switch settings.dtype {
        case .f64: return try go(spec, settings, backend, Double.self, shouldStop, events, progress)
        case .f32: return try go(spec, settings, backend, Float.self, shouldStop, events, progress)
        }
    }

    static func go<T: Scalar>(_ spec: ModelSpec, _ settings: Settings, _ backend: any Backend, _: T.Type,
                              _ shouldStop: @escaping () -> Bool, _ events: (Event) -> Void,
                              _ progress: (Progress) -> Void) throws -> Outcome {
        let (model, config): (any RecurrentModel<T>, LyapunovConfig) = try InvalidInput.check {
            if spec.weights != nil {
                // Loaded weights decide the state size.
                let model = try spec.make(on: backend, as: T.self)
                return (model, settings.config(stateSize: model.stateSize, seed: spec.seed))
            }
            let config = settings.config(stateSize: spec.stateSize, seed: spec.seed)
            try config.validate(stateSize: spec.stateSize)
            try spec.checkMemory(on: backend, elementSize: MemoryLayout<T>.stride,
                                 workingBytes: config.workingBytes(stateSize: spec.stateSize, elementSize: MemoryLayout<T>.stride))
            return (try spec.make(on: backend, as: T.self), config)
        }
        return try run(model, spec, config, settings, shouldStop, events, progress)
    }

    static func run<M: RecurrentModel>(_ model: M, _ spec: ModelSpec, _ config: LyapunovConfig, _ settings: Settings,
                                       _ shouldStop: @escaping () -> Bool, _ events: (Event) -> Void,
                                       _ progress: (Progress) -> Void) throws -> Outcome {
        var initial: [M.T]?
        if let x0 = settings.x0 {
            do { initial = try Trajectory.loadStates(x0, model: model, batch: settings.batch) } catch {
                throw InvalidInput(ComputeError.invalidArgument("initial state \(x0): \(error)"))
            }
        }
        var identity = spec.identity
        if let x0 = settings.x0 { identity["x0"] = x0 }
        let run = try InvalidInput.check {
            try LyapunovRun(model: model, config: config, identity: identity, initialStates: initial,
                            blockSteps: settings.blockSteps, covariantSteps: settings.covariantSteps)
        }
        if let o = settings.output { _ = try ReportFiles.folder(o.path) }
        if settings.profile { run.profile = PhaseProfile(backend: model.backend) }
        if settings.resume, let c = settings.checkpoint {
            try run.resume(from: c)
            events(.resumed(c))
        }
        let cp = settings.checkpoint.map { LyapunovRun<M>.Checkpointing(url: $0, intervalSeconds: settings.checkpointEvery) }
        events(.started(model: model.name, n: model.units, k: config.k, dtype: M.T.dtype, device: model.backend.label))
        let outcome = try run.run(checkpointing: cp, shouldStop: shouldStop) { p in
            progress(Progress(phase: p.phase, step: p.step, total: p.total, lambda1: p.lambda1, elapsed: p.elapsed))
        }
        switch outcome {
        case .stopped(let step):
            return .stopped(step: step)
        case .finished(var result):
            do { try result.attachTheory(for: spec) } catch { events(.noTheory("\(error)")) }
            let files = try settings.output.map { try LyapunovOutput.write(result, to: $0, blocks: run.blockLog?.blocks, covariant: run.covariant) } ?? [:]
            return .finished(result, files: files)
        }
    }
}
