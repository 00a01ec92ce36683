import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import Foundation
import XCTest

/// Fashion-MNIST, loaded once per test process. Skipped where the Debian package
/// dataset-fashion-mnist is not installed, except under CI, which installs it.
enum FashionMNIST {
    nonisolated(unsafe) static var cached: TrainingData?
    static let lock = NSLock()

    static func load() throws -> TrainingData {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        let d = try DataSource.fashionMNIST(directory: requireFashionMNIST()).load()
        cached = d
        return d
    }
}

final class TrainingTests: XCTestCase {
    func testFashionMNISTReader() throws {
        let d = try FashionMNIST.load()
        XCTAssertEqual(d.train.count, 60_000)
        XCTAssertEqual(d.test.count, 10_000)
        XCTAssertEqual(d.train.sampleShape, [1, 28, 28])
        XCTAssertEqual(d.train.classes, 10)
        // Ten balanced classes; standardised features.
        XCTAssertEqual(d.train.labels.filter { $0 == 3 }.count, 6000)
        let mean = d.train.samples.reduce(0.0) { $0 + Double($1) } / Double(d.train.samples.count)
        XCTAssertEqual(mean, 0, accuracy: 1e-4)
    }

    func testMissingAndCorruptFiles() throws {
        let dir = try temporaryDirectory(self)
        XCTAssertThrowsError(try DataSource.fashionMNIST(directory: dir.path).load()) {
            XCTAssertTrue("\($0)".contains("no such file"), "\($0)")
        }
        // Not gzip, not IDX.
        let junk = dir.appendingPathComponent("junk.gz")
        try Data("hello, world".utf8).write(to: junk)
        XCTAssertThrowsError(try IDX.read(junk.path)) { XCTAssertTrue("\($0)".contains("not an IDX file"), "\($0)") }
        // A truncated gzip stream.
        let real = "\(DataSource.fashionMNISTDefault)/t10k-labels-idx1-ubyte.gz"
        if let bytes = FileManager.default.contents(atPath: real) {
            let cut = dir.appendingPathComponent("cut.gz")
            try bytes.prefix(bytes.count / 2).write(to: cut)
            XCTAssertThrowsError(try IDX.read(cut.path)) { XCTAssertTrue("\($0)".contains("cut.gz"), "\($0)") }
        }
        // An IDX header whose shape does not match the bytes.
        let short = dir.appendingPathComponent("short.idx")
        try Data([0, 0, 8, 1, 0, 0, 0, 9, 1, 2, 3]).write(to: short)
        XCTAssertThrowsError(try IDX.read(short.path)) { XCTAssertTrue("\($0)".contains("needs 9 bytes"), "\($0)") }
        XCTAssertThrowsError(try DataSource.npy(directory: dir.path).load()) { XCTAssertTrue("\($0)".contains("X.npy"), "\($0)") }
        XCTAssertThrowsError(try DataSource(parsing: "mnist")) { XCTAssertTrue("\($0)".contains("the data source must be fashion-mnist"), "\($0)") }
    }

    func testNpyAndCSVReaders() throws {
        let dir = try temporaryDirectory(self)
        let x = (0..<(10 * 6)).map { Double($0) }
        try Npy.write(NpyArray(x, shape: [10, 6]), to: dir.appendingPathComponent("X.npy"))
        try Npy.write(NpyArray((0..<10).map { Int64($0 % 3) }, shape: [10]), to: dir.appendingPathComponent("y.npy"))
        let d = try DataSource(parsing: "npy:\(dir.path)").load()
        XCTAssertEqual(d.train.count, 8)
        XCTAssertEqual(d.test.count, 2)
        XCTAssertEqual(d.train.sampleShape, [6])
        XCTAssertEqual(d.test.labels, [2, 0])
        let csv = dir.appendingPathComponent("digits.csv")
        let rows = (0..<10).map { r in ((0..<4).map { String(r + $0) } + [String(r % 2)]).joined(separator: ",") }
        try (rows.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
        let c = try DataSource(parsing: "csv:\(csv.path)").load()
        XCTAssertEqual(c.train.sampleShape, [1, 2, 2])
        XCTAssertEqual(c.train.labels, [0, 1, 0, 1, 0, 1, 0, 1])
        try "1,2,x\n".write(to: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DataSource(parsing: "csv:\(csv.path)").load())
    }

    /// The shuffle is a permutation that depends on the seed and the epoch.
    func testShuffle() throws {
        let data = try TrainingChecks.syntheticData(seed: 5, count: 100, shape: [3], classes: 2)
        let t = try Trainer<Float>(config: TrainConfig(model: .mlp, data: "s", epochs: 1, batch: 10, sgd: SGD(lr: 0.1)),
                                   data: data, backend: CPUBackend.shared)
        let p0 = t.permutation(epoch: 0), p1 = t.permutation(epoch: 1)
        XCTAssertEqual(p0.sorted(), Array(0..<100))
        XCTAssertNotEqual(p0, p1)
        XCTAssertEqual(p0, t.permutation(epoch: 0))
    }

    /// Resuming from a checkpoint gives exactly the uninterrupted run; resuming from an earlier
    /// one (rewinding) replays it.
    func testCheckpointResumeAndRewind() throws {
        let dir = try temporaryDirectory(self)
        let data = try TrainingChecks.syntheticData(seed: 9, count: 90, shape: [1, 8, 8], classes: 3)
        let config = TrainConfig(model: .cnn, data: "synthetic", epochs: 2, batch: 16,
                                 sgd: SGD(lr: 0.05, weightDecay: 1e-4, schedule: .cosine), checkpointAt: [4, 8])
        let full = try Trainer<Float>(config: config, data: data, backend: CPUBackend.shared)
        let r = try full.run(checkpointDirectory: dir)
        XCTAssertEqual(r.checkpoints.count, 2)
        for at in [8, 4] {
            let resumed = try TrainCheckpoint.resume(Float.self, from: dir.appendingPathComponent("checkpoint-\(at)"),
                                                     data: data, backend: CPUBackend.shared)
            XCTAssertEqual(resumed.iteration, at)
            let r2 = try resumed.run()
            XCTAssertEqual(resumed.losses, full.losses, "resumed at \(at)")
            XCTAssertEqual(r2.testAccuracy, r.testAccuracy)
            XCTAssertEqual(r2.perEpoch.map(\.trainLoss), r.perEpoch.map(\.trainLoss))
            for (a, b) in zip(full.model.parameters, resumed.model.parameters) {
                XCTAssertEqual(try a.value.toArray(), try b.value.toArray(), a.name)
            }
        }
    }

    /// Frozen groups stay put; the trained ones move.
    func testParameterGroups() throws {
        let data = try TrainingChecks.syntheticData(seed: 3, count: 40, shape: [1, 8, 8], classes: 3)
        for group in ParameterGroup.allCases {
            let t = try Trainer<Float>(config: TrainConfig(model: .resnet, data: "s", epochs: 1, batch: 20, sgd: SGD(lr: 0.1),
                                                           trainOnly: group),
                                       data: data, backend: CPUBackend.shared)
            let before = try t.model.parameters.map { try $0.value.toArray() }
            _ = try t.run()
            for (p, b) in zip(t.model.parameters, before) {
                let moved = try p.value.toArray() != b
                XCTAssertEqual(moved, group.includes(p), "\(group): \(p.name)")
            }
        }
    }

    /// CPU and OpenCL give the same loss curve over 20 steps from the same seed on
    /// Fashion-MNIST images, every model in f64 to a tight tolerance. In f32 the CNN is compared
    /// over its first 5 steps only: at lr 0.02 the early steps can overshoot (a loss of 4.9 at
    /// step 4 in one run), and that transient amplifies f32 rounding differences to ~10% by
    /// step 20 on some seeds, which says nothing about either engine.
    func testCPUAndOpenCLLossCurves() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        let data = try FashionMNIST.load()
        let cases: [(ModelKind, DType, Double, Int)] = [(.cnn, .f32, 2e-3, 5), (.cnn, .f64, 1e-8, 20),
                                                        (.resnet, .f64, 1e-8, 20), (.mlp, .f64, 1e-9, 20)]
        for (model, dtype, tol, steps) in cases {
            let config = TrainConfig(model: model, data: "fashion-mnist", epochs: 1, batch: 32,
                                     sgd: SGD(lr: 0.02, weightDecay: 5e-4), seed: seed, dtype: dtype, trainLimit: 640,
                                     testLimit: 64)
            func curve(_ be: any Backend) throws -> [Double] {
                switch dtype {
                case .f32: let t = try Trainer<Float>(config: config, data: data, backend: be); _ = try t.run(); return t.losses
                case .f64: let t = try Trainer<Double>(config: config, data: data, backend: be); _ = try t.run(); return t.losses
                }
            }
            let a = try curve(CPUBackend.shared), b = try curve(cl)
            XCTAssertEqual(a.count, 20)
            let err = Compare.maxRelativeError(Array(a.prefix(steps)), Array(b.prefix(steps)))
            XCTAssertLessThan(err, tol, "\(model) \(dtype): CPU \(a) vs OpenCL \(b) (seed \(seed))")
            XCTAssertLessThan(a.last!, a.first!, "\(model) did not learn")
        }
    }

    /// torch.optim.SGD's update, by hand: g ← ∇ + λw, v ← μv + g, w ← w − lr·v.
    func testSGDMatchesTheFormula() throws {
        let be = CPUBackend.shared
        let p = try Parameter<Double>("w", role: .weight, shape: [2], fanIn: 1, on: be)
        try be.write([1.0, -2.0], into: p.value)
        let sgd = SGD(lr: 0.1, momentum: 0.9, weightDecay: 0.01)
        var w = [1.0, -2.0], v = [0.0, 0.0]
        for g in [[0.5, 0.25], [-1.0, 2.0]] {
            try be.write(g, into: p.grad)
            try sgd.step([p], rate: 0.1)
            for i in 0..<2 {
                v[i] = 0.9 * v[i] + g[i] + 0.01 * w[i]
                w[i] -= 0.1 * v[i]
            }
        }
        XCTAssertEqual(try p.value.toArray()[0], w[0], accuracy: 1e-15)
        XCTAssertEqual(try p.value.toArray()[1], w[1], accuracy: 1e-15)
        XCTAssertEqual(LRSchedule.cosine.rate(1, iteration: 50, epoch: 0, total: 100), 0.5, accuracy: 1e-15)
        XCTAssertEqual(try LRSchedule(parsing: "step:2:0.1").rate(1, iteration: 0, epoch: 5, total: 9), 0.01, accuracy: 1e-15)
        XCTAssertThrowsError(try LRSchedule(parsing: "step:0:0.1"))
    }

    /// The GPU-shaped BatchNorm reductions (reduce_gpu.cl: plane sums, column trees), forced on
    /// this device, against the CPU: the validation check, then random [N, C, S] in f32 and f64.
    func testGPUShapedBatchNormMatchesCPU() throws {
        let gpu = try gpuShapedBackend()
        let seed = freshSeed()
        for check in Validation.normalizationChecks { assertAllPass(try check.run(CPUBackend.shared, gpu, seed)) }
        let r: [UInt32] = PhiloxFill.raw(count: 18, seed: seed, stream: 90)
        for t in 0..<6 {
            let (n, c, s) = (1 + Int(r[3 * t] % 40), 1 + Int(r[3 * t + 1] % 9), 1 + Int(r[3 * t + 2] % 300))
            let x: [Double] = PhiloxFill.normal(count: n * c * s, seed: seed &+ UInt64(t), stream: 91)
            let dy: [Double] = PhiloxFill.normal(count: n * c * s, seed: seed &+ UInt64(t), stream: 92)
            func run<T: Scalar>(_ be: any Backend, _: T.Type) throws -> [T] {
                let tx = try be.tensor(x.map { T($0 * 2 + 0.5) }, shape: [n, c, s])
                let tdy = try be.tensor(dy.map { T($0) }, shape: [n, c, s])
                let mean = try be.zeros([c], as: T.self), variance = try be.zeros([c], as: T.self)
                let gamma = try be.tensor([T](repeating: T(1.5), count: c))
                let dx = try be.zeros([n, c, s], as: T.self)
                let dg = try be.zeros([c], as: T.self), db = try be.zeros([c], as: T.self)
                try be.batchNormStatistics(tx, channels: c, spatial: s, mean: mean, variance: variance)
                try be.batchNormBackward(tx, tdy, mean: mean, variance: variance, gamma: gamma, eps: 1e-5, channels: c,
                                         spatial: s, dx: dx, dgamma: dg, dbeta: db)
                return try [mean, variance, dg, db, dx].flatMap { try $0.toArray() }
            }
            let shape = "[\(n), \(c), \(s)] (seed \(seed))"
            XCTAssertLessThan(Compare.maxRelativeError(try run(CPUBackend.shared, Double.self), try run(gpu, Double.self),
                                                       floor: 1), 1e-11, shape)
            XCTAssertLessThan(Compare.maxRelativeError(try run(CPUBackend.shared, Float.self), try run(gpu, Float.self),
                                                       floor: 1), 2e-4, shape)
        }
    }

    /// BatchNorm's running statistics follow PyTorch (momentum 0.1, unbiased variance) and
    /// normalise in evaluation mode.
    func testBatchNormRunningStatistics() throws {
        let be = CPUBackend.shared
        let bn = try BatchNorm<Double>("bn", channels: 1, on: be)
        let x = try be.tensor([1.0, 2.0, 3.0, 6.0], shape: [4, 1])
        let y = try bn.forward(x, train: true).toArray()
        let (mean, biased) = (3.0, (4.0 + 1.0 + 0.0 + 9.0) / 4)
        XCTAssertEqual(y[3], (6 - mean) / (biased + 1e-5).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(try bn.runningMean.toArray()[0], 0.1 * mean, accuracy: 1e-15)
        XCTAssertEqual(try bn.runningVariance.toArray()[0], 0.9 + 0.1 * biased * 4 / 3, accuracy: 1e-15)
        let e = try bn.forward(try be.tensor([0.3, 0.3], shape: [2, 1]), train: false).toArray()
        XCTAssertEqual(e[0], (0.3 - 0.3) / (0.9 + 0.1 * biased * 4 / 3 + 1e-5).squareRoot(), accuracy: 1e-12)
    }
}
