import Compute
import OpenCLRuntime
import Foundation

/// A checkpoint folder: state.json (the configuration, the iteration, the history, the
/// current epoch's running sums and the optimiser's step counts) and one flat float64 .npy per
/// parameter value, optimiser buffer (velocity, exp_avg, exp_avg_sq), pruning mask and
/// BatchNorm running statistic, named by position. Resuming from it continues the very
/// same computation, since shuffling depends only on (seed, epoch); resuming from an earlier
/// checkpoint "rewinds" the run to that iteration.
public enum TrainCheckpoint {
    struct State: Codable {
        var config: TrainConfig
        var iteration: Int
        var epochs: [EpochRecord]
        var losses: [Double]
        var epochLoss: Double
        var epochCorrect: Int
        var epochSeen: Int
        var epochSeconds: Double
        var parameters: [String]
        var buffers: [String]
        var optimizerSteps: [Int]
        var pretrained: Bool
        /// Every .npy file of the checkpoint with its FNV-1a hash (ContentHash); nil in
        /// checkpoints written before manifests.
        var manifest: [String: String]?
    }

    public static func save<T>(_ t: Trainer<T>, to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let params = t.model.parameters, buffers = t.model.buffers
        var manifest: [String: String] = [:]
        func save(_ tensor: Tensor<T>, _ name: String) throws { manifest[name] = try write(tensor, dir.appendingPathComponent(name)) }
        for (i, p) in params.enumerated() {
            try save(p.value, "param\(i).npy")
            for (key, b) in p.state { try save(b, "\(key)\(i).npy") }
            if let m = p.mask { try save(m, "mask\(i).npy") }
        }
        for (i, b) in buffers.enumerated() { try save(b.1, "buffer\(i).npy") }
        let state = State(config: t.config, iteration: t.iteration, epochs: t.epochs, losses: t.losses, epochLoss: t.epochLoss,
                          epochCorrect: t.epochCorrect, epochSeen: t.epochSeen, epochSeconds: t.epochSeconds,
                          parameters: params.map(\.name), buffers: buffers.map(\.0), optimizerSteps: params.map(\.steps),
                          pretrained: t.pretrained, manifest: manifest)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Last and atomic: a checkpoint without its state.json is no checkpoint.
        try enc.encode(state).write(to: dir.appendingPathComponent("state.json"), options: .atomic)
    }

    /// The configuration saved in a checkpoint (to load its data and build its trainer).
    public static func config(at dir: URL) throws -> TrainConfig { try state(dir).config }

    /// A trainer restored from a checkpoint; `epochs` extends (or shortens) the run. `model`
    /// is needed, with the checkpoint's parameter names, when the run's model was the caller's.
    public static func resume<T>(_: T.Type, from dir: URL, data: TrainingData, backend: any Backend,
                                 epochs: Int? = nil, model: (any Layer<T>)? = nil) throws -> Trainer<T> {
        let s = try state(dir)
        var config = s.config
        if let epochs { config.epochs = epochs }
        let t = try Trainer<T>(config: config, data: data, backend: backend, model: model)
        try restore(t, from: dir, s)
        return t
    }

    /// Loads a checkpoint's parameters, optimiser state, masks, buffers and history into `t`
    /// (rewinding it to the checkpoint's iteration).
    public static func restore<T>(_ t: Trainer<T>, from dir: URL) throws { try restore(t, from: dir, try state(dir)) }

    static func restore<T>(_ t: Trainer<T>, from dir: URL, _ s: State) throws {
        let params = t.model.parameters, buffers = t.model.buffers
        guard params.map(\.name) == s.parameters, buffers.map(\.0) == s.buffers else {
            throw ComputeError.io(path: dir.path, reason: "the checkpoint's parameters do not match the \(t.config.model.name) model")
        }
        let files = Set((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
        if let manifest = s.manifest { try verify(manifest, in: dir) }
        for (i, p) in params.enumerated() {
            try read(into: p.value, dir.appendingPathComponent("param\(i).npy"))
            p.resetOptimizerState()
            for key in ["velocity", "exp_avg", "exp_avg_sq"] where files.contains("\(key)\(i).npy") {
                try read(into: p.buffer(key), dir.appendingPathComponent("\(key)\(i).npy"))
            }
            p.steps = s.optimizerSteps[i]
            if files.contains("mask\(i).npy") {
                let m = try t.backend.zeros(p.value.shape, as: T.self)
                try read(into: m, dir.appendingPathComponent("mask\(i).npy"))
                try p.setMask(m.toArray())
            } else {
                try p.setMask(nil)
            }
        }
        for (i, b) in buffers.enumerated() { try read(into: b.1, dir.appendingPathComponent("buffer\(i).npy")) }
        t.iteration = s.iteration
        t.epochs = s.epochs
        t.losses = s.losses
        t.pretrained = s.pretrained
        (t.epochLoss, t.epochCorrect, t.epochSeen, t.epochSeconds) = (s.epochLoss, s.epochCorrect, s.epochSeen, s.epochSeconds)
    }

    static func state(_ dir: URL) throws -> State { try decodeState(State.self, dir) }

    /// The state.json of a checkpoint folder (this one's or another trainer's), as `S`.
    static func decodeState<S: Decodable>(_: S.Type, _ dir: URL) throws -> S {
        let url = dir.appendingPathComponent("state.json")
        guard let data = try? Data(contentsOf: url) else {
            throw ComputeError.io(path: url.path, reason: "no checkpoint state (state.json) here")
        }
        do { return try JSONDecoder().decode(S.self, from: data) } catch {
            throw ComputeError.io(path: url.path, reason: "unreadable checkpoint state: \(error)")
        }
    }

    /// Writes `t` flat (.npy files here hold at most three dimensions; the model knows the
    /// shapes) and returns the file's content hash.
    static func write<T>(_ t: Tensor<T>, _ url: URL) throws -> String {
        try Npy.write(NpyArray(t.toArray().map(\.double), shape: [t.count]), to: url)
        return ContentHash.hex(try Data(contentsOf: url))
    }

    /// Refuses a checkpoint one of whose files is missing or differs from what was written.
    static func verify(_ manifest: [String: String], in dir: URL) throws {
        for (name, hash) in manifest.sorted(by: { $0.key < $1.key }) {
            let url = dir.appendingPathComponent(name)
            guard let data = try? Data(contentsOf: url) else {
                throw ComputeError.io(path: dir.path, reason: "the checkpoint is incomplete: \(name) is missing")
            }
            guard ContentHash.hex(data) == hash else {
                throw ComputeError.io(path: url.path, reason: "differs from the file the checkpoint wrote (damaged or replaced)")
            }
        }
    }

    static func read<T>(into t: Tensor<T>, _ url: URL) throws {
        let a = try Npy.read(url)
        guard a.shape == [t.count] else {
            throw ComputeError.io(path: url.path, reason: "shape \(a.shape) does not hold the \(t.count) values of \(t.shape)")
        }
        let v = try a.doubles()
        guard v.allSatisfy(\.isFinite) else {
            throw ComputeError.io(path: url.path, reason: "holds non-finite numbers (NaN or ±infinity); refusing to resume from it")
        }
        try t.backend.write(v.map { T($0) }, into: t)
    }
}
