import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

/// Adam, AdamW, Nesterov and warm-up against their formulas; every optimiser's loss curve on
/// the CPU engine against OpenCL; a model built from the public layers and a JSON description.
final class TrainingOptimizerTests: XCTestCase {
    let be = CPUBackend.shared

    func parameter(_ w: [Double]) throws -> Parameter<Double> {
        let p = try Parameter<Double>("w", role: .weight, shape: [w.count], fanIn: 1, on: be)
        try be.write(w, into: p.value)
        return p
    }

    /// torch.optim.Adam and AdamW by hand over three steps.
    func testAdamAndAdamWMatchTheFormula() throws {
        for decoupled in [false, true] {
            let opt = Adam(lr: 0.01, beta1: 0.8, beta2: 0.9, eps: 1e-8, weightDecay: 0.1, decoupled: decoupled)
            let p = try parameter([1, -2])
            var w = [1.0, -2.0], m = [0.0, 0.0], v = [0.0, 0.0]
            for (t, g0) in [[0.5, 0.25], [-1.0, 2.0], [0.3, 0.0]].enumerated() {
                try be.write(g0, into: p.grad)
                try opt.step([p], rate: 0.01)
                for i in 0..<2 {
                    var g = g0[i]
                    if decoupled { w[i] *= 1 - 0.01 * 0.1 } else { g += 0.1 * w[i] }
                    m[i] = 0.8 * m[i] + 0.2 * g
                    v[i] = 0.9 * v[i] + 0.1 * g * g
                    let bc1 = 1 - pow(0.8, Double(t + 1)), bc2 = 1 - pow(0.9, Double(t + 1))
                    w[i] -= 0.01 / bc1 * m[i] / (v[i].squareRoot() / bc2.squareRoot() + 1e-8)
                }
            }
            let got = try p.value.toArray()
            for i in 0..<2 { XCTAssertEqual(got[i], w[i], accuracy: 1e-14, "decoupled \(decoupled)") }
            XCTAssertEqual(p.steps, 3)
        }
        XCTAssertNotNil(Adam(lr: 0.01, beta1: 1).problem())
    }

    /// torch.optim.SGD(nesterov=True): v ← μv + g, w ← w − lr (g + μv).
    func testNesterovAndWarmup() throws {
        let p = try parameter([1, -2])
        let sgd = SGD(lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true)
        var w = [1.0, -2.0], v = [0.0, 0.0]
        for g0 in [[0.5, 0.25], [-1.0, 2.0]] {
            try be.write(g0, into: p.grad)
            try sgd.step([p], rate: 0.1)
            for i in 0..<2 {
                let g = g0[i] + 0.01 * w[i]
                v[i] = 0.9 * v[i] + g
                w[i] -= 0.1 * (g + 0.9 * v[i])
            }
        }
        XCTAssertEqual(try p.value.toArray(), w)
        XCTAssertNotNil(SGD(lr: 0.1, momentum: 0, nesterov: true).problem())
        let rate = LearningRate(1, schedule: .cosine, warmup: 4)
        XCTAssertEqual((0..<4).map { rate.at(iteration: $0, epoch: 0, total: 14) }, [0.25, 0.5, 0.75, 1])
        XCTAssertEqual(rate.at(iteration: 9, epoch: 0, total: 14), 0.5, accuracy: 1e-15)
        XCTAssertNotNil(LearningRate(1, warmup: -1).problem())
    }

    /// Every optimiser trains the CNN to the same losses on the CPU engine and OpenCL (f64
    /// tightly, f32 to rounding), with warm-up and a cosine schedule; Adam with the squared error.
    func testOptimizersCPUAndOpenCLLossCurves() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        let data = try TrainingChecks.syntheticData(seed: seed, count: 96, shape: [1, 8, 8], classes: 3)
        let optimizers: [OptimizerSpec] = [
            .sgd(SGD(lr: 0.05, momentum: 0.9, weightDecay: 1e-3, nesterov: true, schedule: .cosine, warmup: 3)),
            .adam(Adam(lr: 0.003, weightDecay: 1e-3, warmup: 2)),
            .adam(Adam(lr: 0.003, weightDecay: 0.05, decoupled: true, schedule: .cosine)),
        ]
        for (opt, loss) in zip(optimizers, [LossKind.crossEntropy, .mse, .crossEntropy]) {
            for (dtype, tol) in [(DType.f64, 1e-9), (.f32, 2e-3)] {
                let config = TrainConfig(model: .builtin(.cnn), data: "synthetic", epochs: 1, batch: 16, optimizer: opt, seed: seed,
                                         dtype: dtype, loss: loss)
                func curve(_ b: any Backend) throws -> [Double] {
                    switch dtype {
                    case .f32: let t = try Trainer<Float>(config: config, data: data, backend: b); _ = try t.run(); return t.losses
                    case .f64: let t = try Trainer<Double>(config: config, data: data, backend: b); _ = try t.run(); return t.losses
                    }
                }
                let a = try curve(be), b = try curve(cl)
                XCTAssertEqual(a.count, 6)
                XCTAssertLessThan(Compare.maxRelativeError(a, b), tol, "\(opt.name) \(dtype): \(a) vs \(b) (seed \(seed))")
            }
        }
    }

    /// A network built by hand from the public layers trains in the Trainer, with hooks at
    /// iterations; the same network from a JSON description gives the same losses.
    func testOwnModelHooksAndJSONDescription() throws {
        let data = try TrainingChecks.syntheticData(seed: 4, count: 64, shape: [1, 8, 8], classes: 3)
        let config = TrainConfig(model: .custom("mine"), data: "synthetic", epochs: 2, batch: 16,
                                 optimizer: .adam(Adam(lr: 0.01)), seed: 4)
        let net = Sequential<Float>("mine", [
            try Conv2dLayer("c", in: 1, out: 4, kernel: 3, padding: 1, bias: true, on: be), try BatchNorm("bn", channels: 4, on: be),
            ReLU("r", on: be), MaxPool("p", kernel: 2, on: be), try ResidualBlock("res", in: 4, out: 8, stride: 2, on: be),
            GlobalAvgPool("gap", on: be), try Linear("fc", in: 8, out: 3, on: be),
        ])
        net.needsInputGradient = false
        net.markOutputLayer()
        try InitScheme.kaiming.initialize(net.parameters, seed: 4)
        let t = try Trainer<Float>(config: config, data: data, backend: be, model: net)
        var evaluated: [Int] = [], measured: [Int] = []
        _ = try t.run(hooks: [.evaluate(every: 3) { i, acc, _ in evaluated.append(i); XCTAssert((0...1).contains(acc)) },
                              .at([1, 5]) { measured.append($0.iteration) }])
        XCTAssertEqual(evaluated, [0, 3, 6])
        XCTAssertEqual(measured, [1, 5])
        XCTAssertEqual(t.losses.count, 8)

        let json = """
        {"name": "mine", "layers": [{"type": "conv", "name": "c", "out": 4, "padding": 1}, {"type": "batchnorm", "name": "bn"},
         {"type": "relu"}, {"type": "maxpool"}, {"type": "residual", "name": "res", "out": 8, "stride": 2},
         {"type": "avgpool"}, {"type": "linear", "name": "fc"}]}
        """
        var described = config
        described.model = try ModelChoice(parsing: json)
        let t2 = try Trainer<Float>(config: described, data: data, backend: be)
        XCTAssertEqual(t2.model.parameters.map(\.name), net.parameters.map(\.name))
        XCTAssertEqual(t2.model.parameters.filter(\.isOutput).map(\.name), ["fc.weight", "fc.bias"])
        _ = try t2.run()
        XCTAssertEqual(t2.losses, t.losses)
    }

    /// Unknown layers, keys and mismatched shapes are refused before anything is built.
    func testBadModelDescriptions() throws {
        let data = try TrainingChecks.syntheticData(seed: 4, count: 16, shape: [1, 8, 8], classes: 3)
        let cases: [(String, String)] = [
            (#"{"layers": [{"type": "dropout"}]}"#, "unknown type 'dropout'"),
            (#"{"layers": [{"type": "linear", "size": 3}]}"#, "unknown key 'size'"),
            (#"{"layers": [{"type": "linear"}]}"#, "needs [features] input (add a flatten), gets [1, 8, 8]"),
            (#"{"layers": [{"type": "conv", "in": 3, "out": 4}, {"type": "flatten"}, {"type": "linear"}]}"#, "expects 3 input channels, gets 1"),
            (#"{"layers": [{"type": "flatten"}, {"type": "linear", "out": 5}]}"#, "gives [5] per sample, the data have 3 classes"),
            (#"{"layers": [{"type": "conv", "out": 4, "kernel": 9}, {"type": "flatten"}, {"type": "linear"}]}"#, "does not fit 8×8"),
            (#"{"layers": 3}"#, "non-empty list of objects"),
        ]
        for (json, message) in cases {
            XCTAssertThrowsError(try Trainer<Float>(config: TrainConfig(model: try ModelChoice(parsing: json), data: "s", epochs: 1,
                                                                        batch: 8, optimizer: .sgd(SGD(lr: 0.1))),
                                                    data: data, backend: be)) { e in
                XCTAssertTrue("\(e)".contains(message), "\(json): \(e)")
            }
        }
        XCTAssertThrowsError(try ModelChoice(parsing: "vgg")) { XCTAssertTrue("\($0)".contains("mlp, cnn, resnet"), "\($0)") }
    }
}
