import Compute
import OpenCLRuntime
import Learning
import Foundation

/// `gpurun lottery`: iterative magnitude pruning with rewinding (docs/training.md N19; Frankle
/// & Carbin; Frankle, Schwab & Morcos). Round 0 trains the dense network from its
/// initialisation and saves the state at the rewind iteration K (DIR/rewind); each round r ≥ 1
/// takes the masks the previous round left (P of its kept weights pruned by magnitude),
/// rewinds to K (weights, optimiser state, BatchNorm statistics, iteration), applies the masks
/// and any perturbation, and trains to the end. DIR/lottery.json holds the settings and the
/// finished rounds, written after each; `resume` continues after the last finished one.
public enum LotteryJob {
    public struct Settings: Codable, Sendable {
        public var config: TrainConfig
        /// Pruning rounds after the dense round 0.
        public var rounds: Int
        public var pruneFraction: Double
        public var rewindIteration: Int
        public var scope: MagnitudePruning.Scope
        public var perturbation: Perturbation?
        /// Iterations of round 0 measured by EarlyPhaseProbe, every `earlyPhaseEvery`.
        public var earlyPhase: Int?
        public var earlyPhaseEvery: Int

        public init(config: TrainConfig, rounds: Int, pruneFraction: Double, rewindIteration: Int,
                    scope: MagnitudePruning.Scope = .global, perturbation: Perturbation? = nil, earlyPhase: Int? = nil,
                    earlyPhaseEvery: Int = 1) {
            (self.config, self.rounds, self.pruneFraction, self.rewindIteration) = (config, rounds, pruneFraction, rewindIteration)
            (self.scope, self.perturbation, self.earlyPhase, self.earlyPhaseEvery) = (scope, perturbation, earlyPhase, earlyPhaseEvery)
        }

        /// The checks that need no data.
        public func validate() throws {
            if let p = config.problem() { throw ComputeError.invalidArgument(p) }
            guard rounds >= 1 else { throw ComputeError.invalidArgument("the rounds of pruning must be at least 1, got \(rounds)") }
            try MagnitudePruning.checkFraction(pruneFraction)
            guard rewindIteration >= 0 else {
                throw ComputeError.invalidArgument("the rewind iteration must be at least 0, got \(rewindIteration)")
            }
            if let n = earlyPhase, n < 1 || earlyPhaseEvery < 1 {
                throw ComputeError.invalidArgument("the early phase must be at least 1 iteration, measured every ≥ 1, got \(n) every \(earlyPhaseEvery)")
            }
        }
    }

    public struct Round: Codable, Sendable {
        public var round: Int
        /// Fraction of the prunable weights (convolution and linear weights) kept.
        public var density: Double
        public var testAccuracy: Double, trainLoss: Double
        /// Test accuracy of the rewound (masked, perturbed) network at K, before training.
        public var rewoundTestAccuracy: Double?
        public var iterations: Int, seconds: Double
        /// The folder of this round's mask-*.npy, result.json and losses.npy; the state it
        /// started from (the weights at K; round 0: DIR/rewind).
        public var folder: String, weightsAtRewind: String
    }

    public struct Report: Codable, Sendable {
        public var model: String, data: String, device: String
        public var settings: Settings
        public var rounds: [Round]
        public var earlyPhase: [EarlyPhasePoint]?
        public var resumedAfterRound: Int?
    }

    public enum Event: Sendable {
        case loading(String)
        case round(Int, density: Double)
        case epoch(round: Int, EpochRecord)
        case finished(Round)
    }

    static let stateFile = "lottery.json"

    /// A new run into `output` (which must not hold one already).
    public static func run(_ settings: Settings, output: URL, on backend: any Backend, events: (Event) -> Void = { _ in },
                           progress: (TrainProgress) -> Void = { _ in }) throws -> Report {
        try InvalidInput.check {
            try settings.validate()
            try checkFolderCanExist(output)
        }
        if FileManager.default.fileExists(atPath: output.appendingPathComponent(stateFile).path) {
            throw InvalidInput(ComputeError.invalidArgument("\(output.path) holds a lottery run already; resume it, or choose another folder"))
        }
        let report = Report(model: settings.config.model.name, data: settings.config.data, device: backend.label,
                            settings: settings, rounds: [])
        return try go(report, output, backend, events, progress)
    }

    /// Continues the run in `dir` after its last finished round; `rounds` extends it.
    public static func resume(_ dir: URL, rounds: Int? = nil, on backend: any Backend, events: (Event) -> Void = { _ in },
                              progress: (TrainProgress) -> Void = { _ in }) throws -> Report {
        var report: Report = try InvalidInput.check {
            let url = dir.appendingPathComponent(stateFile)
            guard let data = try? Data(contentsOf: url) else { throw ComputeError.io(path: url.path, reason: "no lottery run here") }
            return try JSONDecoder().decode(Report.self, from: data)
        }
        if let rounds { report.settings.rounds = rounds }
        try InvalidInput.check { try report.settings.validate() }
        report.resumedAfterRound = report.rounds.last?.round
        report.device = backend.label
        return try go(report, dir, backend, events, progress)
    }

    static func go(_ report: Report, _ dir: URL, _ backend: any Backend, _ events: (Event) -> Void,
                   _ progress: (TrainProgress) -> Void) throws -> Report {
        events(.loading(report.settings.config.data))
        let data = try TrainJob.loadData(report.settings.config)
        return try withoutActuallyEscaping(events) { events in
            try withoutActuallyEscaping(progress) { progress in
                try report.settings.config.dtype.dispatch(Rounds(report: report, dir: dir, data: data, backend: backend,
                                                                 events: events, progress: progress))
            }
        }
    }

    struct Rounds: DTypeWork {
        var report: Report, dir: URL, data: TrainingData, backend: any Backend
        var events: (Event) -> Void, progress: (TrainProgress) -> Void

        var settings: Settings { report.settings }
        var rewindDir: URL { dir.appendingPathComponent("rewind") }
        func roundDir(_ r: Int) -> URL { dir.appendingPathComponent("round-\(r)") }

        /// A fresh trainer of the configured model; its errors (and a rewind point past the end)
        /// are InvalidInput, raised before any training.
        func trainer<T: Scalar>(_: T.Type) throws -> Trainer<T> {
            try InvalidInput.check {
                let t = try Trainer<T>(config: settings.config, data: data, backend: backend)
                guard settings.rewindIteration < t.totalIterations else {
                    throw ComputeError.invalidArgument("the rewind iteration \(settings.rewindIteration) is past the end of "
                        + "training (\(t.totalIterations) iterations: \(t.batchesPerEpoch) per epoch, \(settings.config.epochs) epochs)")
                }
                return t
            }
        }

        func run<T: Scalar>(_: T.Type) throws -> Report {
            var report = self.report
            _ = try trainer(T.self)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for r in report.rounds.count...settings.rounds {
                let t = try trainer(T.self)
                let (round, early) = try self.round(r, t)
                if let early { report.earlyPhase = early }
                report.rounds.append(round)
                try ReportFiles.writeJSON(report, to: dir.appendingPathComponent(stateFile))
                events(.finished(round))
            }
            return report
        }

        /// Trains round r and leaves the next round's masks in DIR/round-(r+1).
        func round<T: Scalar>(_ r: Int, _ t: Trainer<T>) throws -> (Round, [EarlyPhasePoint]?) {
            let all = t.model.parameters
            let prunable = MagnitudePruning.prunable(all)
            let indexed = prunable.map { p in (index: all.firstIndex { $0 === p }!, parameter: p) }
            let folder = roundDir(r)
            var hooks: [TrainHook<T>] = []
            var probe: EarlyPhaseProbe<T>?
            var rewound: Double?
            if r == 0 {
                hooks.append(.at([settings.rewindIteration]) { try TrainCheckpoint.save($0, to: rewindDir) })
                if let n = settings.earlyPhase {
                    hooks.append(.every(settings.earlyPhaseEvery, until: n) { t in
                        if probe == nil { probe = try EarlyPhaseProbe(prunable) }
                        try probe?.measure(t)
                    })
                }
            } else {
                try TrainCheckpoint.restore(t, from: rewindDir)
                guard try MaskFiles.read(folder, into: all).count == prunable.count else {
                    throw ComputeError.io(path: folder.path, reason: "round \(r) lacks the masks round \(r - 1) left")
                }
                try settings.perturbation?.apply(indexed, scheme: settings.config.initScheme, seed: settings.config.seed, round: r)
                rewound = try t.evaluate(t.data.test).accuracy
                try TrainCheckpoint.save(t, to: folder.appendingPathComponent("start"))
            }
            let density = try MagnitudePruning.density(prunable)
            events(.round(r, density: density))
            let result = try t.run(hooks: hooks, progress: progress, onEpoch: { events(.epoch(round: r, $0)) })
            _ = try MaskFiles.write(prunable, to: folder)
            try TrainOutput.write(result, trainer: t, to: folder)
            // The next round's masks, after the last round too (a resumed run may add rounds).
            try MagnitudePruning.prune(prunable, fraction: settings.pruneFraction, scope: settings.scope)
            _ = try MaskFiles.write(prunable, to: roundDir(r + 1))
            let start = r == 0 ? rewindDir : folder.appendingPathComponent("start")
            let round = Round(round: r, density: density, testAccuracy: result.testAccuracy, trainLoss: result.trainLoss,
                              rewoundTestAccuracy: rewound, iterations: result.iterations, seconds: result.seconds,
                              folder: folder.path, weightsAtRewind: start.path)
            return (round, probe?.points)
        }
    }
}
