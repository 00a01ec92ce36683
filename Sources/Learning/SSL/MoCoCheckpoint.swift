import Compute
import Foundation

/// A MoCo checkpoint folder: state.json (the configuration, the iteration, the loss history,
/// the band statistics, the queue's labels and pointer, the optimiser's step counts and a
/// manifest of hashes) and flat float64 .npy files: the query encoder's parameters
/// (param i), optimiser buffers (velocity i, exp_avg i, exp_avg_sq i) and BatchNorm
/// statistics (buffer i), the key encoder's parameters (key i) and statistics (keybuffer i),
/// and the queue (queue.npy). Resuming continues the very same computation: shuffles and
/// views depend only on (seed, epoch, sample).
public enum MoCoCheckpoint {
    struct State: Codable {
        var config: MoCoConfig
        var iteration: Int
        var losses: [Double]
        var correct: [Int]
        var band: BandStatistics, whole: BandStatistics
        var queueLabels: [Int32]
        var queuePointer: Int
        var parameters: [String]
        var optimizerSteps: [Int]
        var manifest: [String: String]
    }

    public static func save<T>(_ t: MoCoTrainer<T>, to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var manifest: [String: String] = [:]
        func save(_ tensor: Tensor<T>, _ name: String) throws {
            manifest[name] = try TrainCheckpoint.write(tensor, dir.appendingPathComponent(name))
        }
        let params = t.query.parameters
        for (i, p) in params.enumerated() {
            try save(p.value, "param\(i).npy")
            for (key, b) in p.state { try save(b, "\(key)\(i).npy") }
        }
        for (i, p) in t.key.parameters.enumerated() { try save(p.value, "key\(i).npy") }
        for (i, b) in t.query.buffers.enumerated() { try save(b.1, "buffer\(i).npy") }
        for (i, b) in t.key.buffers.enumerated() { try save(b.1, "keybuffer\(i).npy") }
        try save(t.queue.keys, "queue.npy")
        let state = State(config: t.config, iteration: t.iteration, losses: t.losses, correct: t.correct, band: t.loss.band,
                          whole: t.loss.whole, queueLabels: t.queue.labels, queuePointer: t.queue.pointer,
                          parameters: params.map(\.name), optimizerSteps: params.map(\.steps), manifest: manifest)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Last and atomic: a checkpoint without its state.json is no checkpoint.
        try enc.encode(state).write(to: dir.appendingPathComponent("state.json"), options: .atomic)
    }

    /// The configuration saved in a checkpoint (to load its data).
    public static func config(at dir: URL) throws -> MoCoConfig { try state(dir).config }

    /// A trainer restored from a checkpoint; `epochs` extends (or shortens) the run.
    public static func resume<T>(_: T.Type, from dir: URL, data: TrainingData, backend: any Backend,
                                 epochs: Int? = nil) throws -> MoCoTrainer<T> {
        let s = try state(dir)
        var config = s.config
        if let epochs { config.train.epochs = epochs }
        let t = try MoCoTrainer<T>(config: config, data: data, backend: backend)
        let params = t.query.parameters
        guard params.map(\.name) == s.parameters, s.optimizerSteps.count == params.count else {
            throw ComputeError.io(path: dir.path, reason: "the checkpoint's parameters do not match the \(config.train.model.name) encoder")
        }
        try TrainCheckpoint.verify(s.manifest, in: dir)
        func read(_ tensor: Tensor<T>, _ name: String) throws { try TrainCheckpoint.read(into: tensor, dir.appendingPathComponent(name)) }
        for (i, p) in params.enumerated() {
            try read(p.value, "param\(i).npy")
            p.resetOptimizerState()
            for key in ["velocity", "exp_avg", "exp_avg_sq"] where s.manifest["\(key)\(i).npy"] != nil {
                try read(p.buffer(key), "\(key)\(i).npy")
            }
            p.steps = s.optimizerSteps[i]
        }
        for (i, p) in t.key.parameters.enumerated() { try read(p.value, "key\(i).npy") }
        for (i, b) in t.query.buffers.enumerated() { try read(b.1, "buffer\(i).npy") }
        for (i, b) in t.key.buffers.enumerated() { try read(b.1, "keybuffer\(i).npy") }
        let queue = try t.backend.zeros(t.queue.keys.shape, as: T.self)
        try read(queue, "queue.npy")
        try t.queue.restore(keys: queue.toArray(), labels: s.queueLabels, pointer: s.queuePointer)
        t.iteration = s.iteration
        t.losses = s.losses
        t.correct = s.correct
        (t.loss.band, t.loss.whole) = (s.band, s.whole)
        return t
    }

    static func state(_ dir: URL) throws -> State { try TrainCheckpoint.decodeState(State.self, dir) }
}
