import Compute
import Foundation

/// A DIB run (docs/dib.md D4–D7): Adam on Philox-shuffled minibatches of the training set
/// (stream 1, as `Trainer`), the classifier and encoder against the reversed nuisance term,
/// the nuisance heads on their labelings; then train and test accuracy and the decodable
/// information of the trained encoder.
public final class DIBTrainer<T: Scalar> {
    public let config: DIBConfig
    public let data: TrainingData
    public let backend: any Backend
    public let network: DIBNetwork<T>
    /// The K training labelings (D3), labelings 0..<K of the seed.
    public let labelings: [[Int32]]
    let optimizer: Adam
    /// Per iteration: the classifier's loss ℓ_y, the mean nuisance loss and the objective (D4).
    public internal(set) var classifierLosses: [Double] = [], nuisanceLosses: [Double] = [], objectives: [Double] = []
    public internal(set) var iteration = 0
    /// Epochs completed (a resumed run starts after them; DIBCheckpoint).
    public internal(set) var epochsDone = 0
    private var batchX: [Int: Tensor<T>] = [:], batchY: [Int: Tensor<T>] = [:], batchN: [Int: [Tensor<T>]] = [:]

    public init(config: DIBConfig, data: TrainingData, backend: any Backend) throws {
        if let problem = config.problem() { throw ComputeError.invalidArgument(problem) }
        guard data.train.count >= 2 else { throw ComputeError.invalidArgument("fewer than two training samples") }
        guard config.batch <= data.train.count else {
            throw ComputeError.invalidArgument("the minibatch (\(config.batch)) is larger than the training set (\(data.train.count) samples)")
        }
        self.config = config
        self.data = data
        self.backend = backend
        network = try DIBNetwork(config: config, inputShape: data.train.sampleShape, classes: data.train.classes, on: backend)
        labelings = try (0..<config.heads).map {
            try DIBLabelings.draw(count: data.train.count, size: config.labelingSize, index: $0, seed: config.seed)
        }
        optimizer = Adam(lr: config.learningRate)
    }

    /// Minibatches per epoch, as `Trainer`: the last partial batch is kept unless it has one sample.
    public var batchesPerEpoch: Int {
        let n = data.train.count, b = config.batch
        return n / b + (n % b >= 2 ? 1 : 0)
    }

    /// The order of the training samples in `epoch` (Trainer.permutation: stream 1).
    public func permutation(epoch: Int) -> [Int] {
        let n = data.train.count
        return TrainingStreams.permutation(n, seed: config.seed, stream: TrainingStreams.shuffle,
                                           offset: UInt64(epoch) &* UInt64((n + 3) / 4))
    }

    /// Samples `indices` of `set` with their labels and, for the training set, their labelings.
    func batch(_ set: Dataset, _ indices: ArraySlice<Int>, labelings: [[Int32]]) throws -> (Tensor<T>, Tensor<T>, [Tensor<T>]) {
        let n = indices.count
        let rows = set.rows(indices)
        let x = try batchX[n] ?? backend.zeros([n] + set.sampleShape, as: T.self)
        let y = try batchY[n] ?? backend.zeros([n], as: T.self)
        let ns = try batchN[n] ?? (0..<config.heads).map { _ in try backend.zeros([n], as: T.self) }
        (batchX[n], batchY[n], batchN[n]) = (x, y, ns)
        try backend.write(T.self == Float.self ? rows as! [T] : rows.map { T(Double($0)) }, into: x)
        try backend.write(indices.map { T(Double(set.labels[$0])) }, into: y)
        for (t, l) in zip(ns, labelings) { try backend.write(indices.map { T(Double(l[$0])) }, into: t) }
        return (x, y, labelings.isEmpty ? [] : ns)
    }

    /// One step (D5): gradients, then Adam on every parameter.
    @discardableResult
    public func step(_ x: Tensor<T>, _ y: Tensor<T>, _ nuisance: [Tensor<T>]) throws -> DIBNetwork<T>.Losses {
        try backend.trainingStep {
            let l = try network.gradients(x, labels: y, nuisance: nuisance)
            guard l.objective.isFinite else {
                throw ComputeError.invalidArgument("the DIB loss diverged (\(l.objective)) at iteration \(iteration + 1); lower the learning rate")
            }
            try optimizer.step(network.parameters, rate: config.learningRate)
            return l
        }
    }

    /// The epochs not yet done; after each, `afterEpoch` (say, to write a checkpoint), then
    /// `progress` (epoch, mean objective), which may stop the run by throwing.
    public func train(progress: (Int, Double) throws -> Void = { _, _ in }, afterEpoch: (Int) throws -> Void = { _ in }) throws {
        for epoch in epochsDone..<config.epochs {
            let order = permutation(epoch: epoch)
            var sum = 0.0
            for b in 0..<batchesPerEpoch {
                let (x, y, ns) = try batch(data.train, order[(b * config.batch)..<min((b + 1) * config.batch, order.count)],
                                           labelings: labelings)
                let l = try step(x, y, ns)
                iteration += 1
                classifierLosses.append(l.classifier)
                nuisanceLosses.append(l.nuisance.reduce(0, +) / Double(l.nuisance.count))
                objectives.append(l.objective)
                sum += l.objective
            }
            epochsDone = epoch + 1
            try afterEpoch(epochsDone)
            try progress(epoch + 1, sum / Double(batchesPerEpoch))
        }
    }

    /// The classifier's accuracy on `set` in evaluation mode.
    public func accuracy(_ set: Dataset) throws -> Double {
        var correct = 0
        let all = Array(0..<set.count), loss = SoftmaxCrossEntropy<T>(on: backend)
        for start in stride(from: 0, to: set.count, by: config.batch) {
            let (x, y, _) = try batch(set, all[start..<min(start + config.batch, set.count)], labelings: [])
            correct += try loss(network.classifier.forward(network.encoder.forward(x, train: false), train: false), labels: y,
                                gradient: false).correct
        }
        return Double(correct) / Double(set.count)
    }

    /// The representation of every training example (evaluation mode), row-major [n, d].
    public func representation() throws -> [Double] {
        var z: [Double] = []
        let all = Array(0..<data.train.count)
        for start in stride(from: 0, to: all.count, by: config.batch) {
            let (x, _, _) = try batch(data.train, all[start..<min(start + config.batch, all.count)], labelings: [])
            z += try network.encoder.forward(x, train: false).toArray().map(\.double)
        }
        return z
    }

    /// Trains (the epochs not yet done), evaluates and measures (D7): one point of a β sweep.
    /// The seconds count this process's share only when the run was resumed.
    public func run(progress: (Int, Double) throws -> Void = { _, _ in },
                    afterEpoch: (Int) throws -> Void = { _ in }) throws -> DIBRunResult {
        let start = Timing.now()
        try train(progress: progress, afterEpoch: afterEpoch)
        try backend.synchronize()
        let trainSeconds = Timing.now() - start
        let train = try accuracy(data.train), test = try accuracy(data.test)
        let measure = try DecodableInformation.measure(
            features: representation(), count: data.train.count, dimension: network.features, family: config.head,
            labelingSize: config.labelingSize, firstLabeling: config.heads, settings: config.measure,
            scheme: config.initScheme, seed: config.seed, as: T.self, on: backend)
        return DIBRunResult(beta: config.beta, seed: config.seed, trainAccuracy: train, testAccuracy: test,
                            generalisationGap: train - test, decodableInformation: measure,
                            finalClassifierLoss: classifierLosses.last ?? .nan, finalNuisanceLoss: nuisanceLosses.last ?? .nan,
                            iterations: iteration, trainSeconds: trainSeconds, wallSeconds: Timing.now() - start)
    }
}
