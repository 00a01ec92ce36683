import Compute
import Foundation

/// A DIB run's checkpoint folder (docs/dib.md D9): state.json (the configuration, the epochs
/// done, the iteration, the three loss histories, the optimiser's step counts and a manifest of
/// hashes) and flat float64 .npy files of every parameter (param i) and Adam buffer
/// (exp_avg i, exp_avg_sq i), in `DIBNetwork.parameters` order. The network has no other
/// state, and shuffles and labelings depend only on (seed, epoch, sample), so a run resumed
/// at an epoch boundary takes the very steps the uninterrupted run takes.
public enum DIBCheckpoint {
    struct State: Codable {
        var config: DIBConfig
        var epochsDone: Int
        var iteration: Int
        var classifierLosses: [Double], nuisanceLosses: [Double], objectives: [Double]
        var parameters: [String]
        var optimizerSteps: [Int]
        var manifest: [String: String]
    }

    /// Writes `t`'s state into `dir` (created if needed); state.json last and atomically.
    public static func save<T>(_ t: DIBTrainer<T>, to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var manifest: [String: String] = [:]
        let params = t.network.parameters
        for (i, p) in params.enumerated() {
            manifest["param\(i).npy"] = try TrainCheckpoint.write(p.value, dir.appendingPathComponent("param\(i).npy"))
            for (key, b) in p.state {
                manifest["\(key)\(i).npy"] = try TrainCheckpoint.write(b, dir.appendingPathComponent("\(key)\(i).npy"))
            }
        }
        let state = State(config: t.config, epochsDone: t.epochsDone, iteration: t.iteration,
                          classifierLosses: t.classifierLosses, nuisanceLosses: t.nuisanceLosses, objectives: t.objectives,
                          parameters: params.map(\.name), optimizerSteps: params.map(\.steps), manifest: manifest)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(state).write(to: dir.appendingPathComponent("state.json"), options: .atomic)
    }

    /// The configuration of the run checkpointed in `dir`.
    public static func config(at dir: URL) throws -> DIBConfig { try TrainCheckpoint.decodeState(State.self, dir).config }

    /// Loads a checkpoint into a trainer built from the same configuration, which then continues
    /// after the checkpoint's last epoch. Refuses a checkpoint of another configuration, a
    /// damaged one, or one with non-finite numbers.
    public static func restore<T>(_ t: DIBTrainer<T>, from dir: URL) throws {
        let s = try TrainCheckpoint.decodeState(State.self, dir)
        guard s.config == t.config else {
            throw ComputeError.io(path: dir.path, reason: "the checkpoint is of another DIB configuration (seed \(s.config.seed), "
                + "β = \(s.config.beta)) than the run resuming it (seed \(t.config.seed), β = \(t.config.beta))")
        }
        let params = t.network.parameters
        guard params.map(\.name) == s.parameters, s.optimizerSteps.count == params.count else {
            throw ComputeError.io(path: dir.path, reason: "the checkpoint's parameters do not match the DIB network")
        }
        guard (0...s.config.epochs).contains(s.epochsDone),
              [s.classifierLosses.count, s.nuisanceLosses.count, s.objectives.count] == Array(repeating: s.iteration, count: 3) else {
            throw ComputeError.io(path: dir.path, reason: "inconsistent checkpoint state (epochs \(s.epochsDone), iteration \(s.iteration))")
        }
        try TrainCheckpoint.verify(s.manifest, in: dir)
        for (i, p) in params.enumerated() {
            try TrainCheckpoint.read(into: p.value, dir.appendingPathComponent("param\(i).npy"))
            p.resetOptimizerState()
            for key in ["exp_avg", "exp_avg_sq"] where s.manifest["\(key)\(i).npy"] != nil {
                try TrainCheckpoint.read(into: p.buffer(key), dir.appendingPathComponent("\(key)\(i).npy"))
            }
            p.steps = s.optimizerSteps[i]
        }
        t.epochsDone = s.epochsDone
        t.iteration = s.iteration
        (t.classifierLosses, t.nuisanceLosses, t.objectives) = (s.classifierLosses, s.nuisanceLosses, s.objectives)
    }
}
