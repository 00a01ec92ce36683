import Compute
import Foundation

/// A checkpoint folder: state.json (the configuration, the iteration, the history and the
/// current epoch's running sums) and one flat float64 .npy per parameter value, momentum buffer
/// and BatchNorm running statistic, named by position. Resuming from it continues the very
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
    }

    public static func save<T>(_ t: Trainer<T>, to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let params = t.model.parameters, buffers = t.model.buffers
        for (i, p) in params.enumerated() {
            try write(p.value, dir.appendingPathComponent("param\(i).npy"))
            if let v = p.velocity { try write(v, dir.appendingPathComponent("velocity\(i).npy")) }
        }
        for (i, b) in buffers.enumerated() { try write(b.1, dir.appendingPathComponent("buffer\(i).npy")) }
        let state = State(config: t.config, iteration: t.iteration, epochs: t.epochs, losses: t.losses, epochLoss: t.epochLoss,
                          epochCorrect: t.epochCorrect, epochSeen: t.epochSeen, epochSeconds: t.epochSeconds,
                          parameters: params.map(\.name), buffers: buffers.map(\.0))
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(state).write(to: dir.appendingPathComponent("state.json"))
    }

    /// The configuration saved in a checkpoint (to load its data and build its trainer).
    public static func config(at dir: URL) throws -> TrainConfig { try state(dir).config }

    /// A trainer restored from a checkpoint; `epochs` extends (or shortens) the run.
    public static func resume<T>(_: T.Type, from dir: URL, data: TrainingData, backend: any Backend,
                                 epochs: Int? = nil) throws -> Trainer<T> {
        let s = try state(dir)
        var config = s.config
        if let epochs { config.epochs = epochs }
        let t = try Trainer<T>(config: config, data: data, backend: backend)
        let params = t.model.parameters, buffers = t.model.buffers
        guard params.map(\.name) == s.parameters, buffers.map(\.0) == s.buffers else {
            throw ComputeError.io(path: dir.path, reason: "the checkpoint's parameters do not match the \(config.model) model")
        }
        for (i, p) in params.enumerated() {
            try read(into: p.value, dir.appendingPathComponent("param\(i).npy"))
            let v = dir.appendingPathComponent("velocity\(i).npy")
            if FileManager.default.fileExists(atPath: v.path) {
                let vel = try backend.zeros(p.value.shape, as: T.self)
                try read(into: vel, v)
                p.velocity = vel
            }
        }
        for (i, b) in buffers.enumerated() { try read(into: b.1, dir.appendingPathComponent("buffer\(i).npy")) }
        t.iteration = s.iteration
        t.epochs = s.epochs
        t.losses = s.losses
        (t.epochLoss, t.epochCorrect, t.epochSeen, t.epochSeconds) = (s.epochLoss, s.epochCorrect, s.epochSeen, s.epochSeconds)
        return t
    }

    static func state(_ dir: URL) throws -> State {
        let url = dir.appendingPathComponent("state.json")
        guard let data = try? Data(contentsOf: url) else {
            throw ComputeError.io(path: url.path, reason: "no checkpoint state (state.json) here")
        }
        do { return try JSONDecoder().decode(State.self, from: data) } catch {
            throw ComputeError.io(path: url.path, reason: "unreadable checkpoint state: \(error)")
        }
    }

    static func write<T>(_ t: Tensor<T>, _ url: URL) throws {
        // Flat: .npy files here hold at most three dimensions; the model knows the shapes.
        try Npy.write(NpyArray(t.toArray().map(\.double), shape: [t.count]), to: url)
    }

    static func read<T>(into t: Tensor<T>, _ url: URL) throws {
        let a = try Npy.read(url)
        guard a.shape == [t.count] else {
            throw ComputeError.io(path: url.path, reason: "shape \(a.shape) does not hold the \(t.count) values of \(t.shape)")
        }
        try t.backend.write(a.doubles().map { T($0) }, into: t)
    }
}
