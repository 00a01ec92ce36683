import Compute
import Foundation
import Learning
import XCTest

/// The decodable information bottleneck (docs/dib.md D1–D8).
final class DIBTests: XCTestCase {
    /// (D3) A labeling depends only on (seed, index, k, n), and its values are uniform on 0..<k.
    func testLabelingsAreDeterministicAndUniform() throws {
        let seed = freshSeed(), n = 20_000, k = 5
        let a = try DIBLabelings.draw(count: n, size: k, index: 0, seed: seed)
        XCTAssertEqual(a, try DIBLabelings.draw(count: n, size: k, index: 0, seed: seed))
        XCTAssertNotEqual(a, try DIBLabelings.draw(count: n, size: k, index: 1, seed: seed))
        XCTAssertNotEqual(a, try DIBLabelings.draw(count: n, size: k, index: 0, seed: seed + 1))
        // A prefix of the examples keeps its values when the labeling index is 0.
        XCTAssertEqual(Array(a.prefix(100)), try DIBLabelings.draw(count: 100, size: k, index: 0, seed: seed))
        var counts = [Int](repeating: 0, count: k)
        for v in a { counts[Int(v)] += 1 }
        let p = 1 / Double(k), sd = (Double(n) * p * (1 - p)).squareRoot()
        for c in counts { XCTAssertLessThan(abs(Double(c) - Double(n) * p), 5 * sd, "counts \(counts) (seed \(seed))") }
        // Pairs of consecutive examples are independent: the k² pair counts pass a χ² test.
        var pairs = [Int](repeating: 0, count: k * k)
        for i in stride(from: 0, to: n - 1, by: 2) { pairs[Int(a[i]) * k + Int(a[i + 1])] += 1 }
        let expected = Double(n / 2) / Double(k * k)
        let chi2 = pairs.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        XCTAssertLessThan(chi2, 60, "χ² \(chi2) on 24 degrees of freedom (seed \(seed))")
        XCTAssertEqual(DIBLabelings.entropyBits(size: 4), 2, accuracy: 1e-15)
    }

    private func tensors(_ data: TrainingData, _ labelings: [[Int32]], count: Int, on be: any Backend) throws
        -> (Tensor<Double>, Tensor<Double>, [Tensor<Double>]) {
        let x = try be.tensor(data.train.samples.prefix(count * data.train.sampleSize).map(Double.init),
                              shape: [count] + data.train.sampleShape)
        let y = try be.tensor(data.train.labels.prefix(count).map { Double($0) })
        return (x, y, try labelings.map { l in try be.tensor(l.prefix(count).map { Double($0) }) })
    }

    /// (D5) The encoder's gradient is that of ℓ_y − β mean_j ℓ_j, the classifier's that of ℓ_y and
    /// each nuisance head's that of its own ℓ_j, by central differences in f64.
    func testGradientReversalMatchesFiniteDifferences() throws {
        let seed = freshSeed(), be = CPUBackend.shared
        let data = try TrainingChecks.syntheticData(seed: seed, count: 12, shape: [3], classes: 2)
        let labelings = try (0..<2).map { try DIBLabelings.draw(count: 12, size: 3, index: $0, seed: seed) }
        let (x, y, ns) = try tensors(data, labelings, count: 12, on: be)
        var encoderGradients: [Bool: [Double]] = [:]
        for clamped in [false, true] {
            let config = DIBConfig(encoderWidths: [5, 4], head: .mlp(hidden: 3), heads: 2, labelingSize: 3, beta: 0.7,
                                   clampAtBaseline: clamped, epochs: 1, batch: 12, seed: seed, dtype: .f64)
            let net = try DIBNetwork<Double>(config: config, inputShape: [3], classes: 2, on: be)
            let l = try net.gradients(x, labels: y, nuisance: ns)
            func check(_ params: [Parameter<Double>], _ f: (DIBNetwork<Double>.Losses) -> Double, _ what: String) throws {
                for p in params {
                    let g = try p.grad.toArray()
                    var w = try p.value.toArray()
                    for i in Set([0, w.count / 2, w.count - 1]) {
                        let h = 1e-6, w0 = w[i]
                        w[i] = w0 + h; try be.write(w, into: p.value)
                        let up = f(try net.losses(x, labels: y, nuisance: ns, train: true))
                        w[i] = w0 - h; try be.write(w, into: p.value)
                        let down = f(try net.losses(x, labels: y, nuisance: ns, train: true))
                        w[i] = w0; try be.write(w, into: p.value)
                        let fd = (up - down) / (2 * h)
                        XCTAssertEqual(g[i], fd, accuracy: 1e-6 + 1e-5 * abs(fd),
                                       "\(what) \(p.name)[\(i)], clamped \(clamped), losses \(l) (seed \(seed))")
                    }
                }
            }
            try check(net.encoder.parameters, \.objective, "encoder")
            try check(net.classifier.parameters, \.classifier, "classifier")
            for j in 0..<2 { try check(net.nuisanceHeads[j].parameters, { $0.nuisance[j] }, "nuisance head \(j)") }
            encoderGradients[clamped] = try net.encoder.parameters[0].grad.toArray()
        }
        // The reversal is real: the unclamped encoder's gradient differs from that of ℓ_y alone.
        let config = DIBConfig(encoderWidths: [5, 4], head: .mlp(hidden: 3), heads: 2, labelingSize: 3, beta: 0, epochs: 1,
                               batch: 12, seed: seed, dtype: .f64)
        let plain = try DIBNetwork<Double>(config: config, inputShape: [3], classes: 2, on: be)
        _ = try plain.gradients(x, labels: y, nuisance: ns)
        XCTAssertGreaterThan(Compare.maxRelativeError(try plain.encoder.parameters[0].grad.toArray(), encoderGradients[false]!), 1e-3)
    }

    /// (D6) At β = 0 the encoder and classifier take exactly the steps of the library's Trainer on
    /// the network encoder + classifier with Adam: the same losses and final weights.
    func testBetaZeroIsPlainTraining() throws {
        let seed = freshSeed(), be = CPUBackend.shared
        let data = try TrainingChecks.syntheticData(seed: seed, count: 50, shape: [1, 3, 3], classes: 3)
        let config = DIBConfig(encoderWidths: [8, 6], head: .linear, heads: 2, labelingSize: 4, beta: 0, epochs: 3, batch: 16,
                               learningRate: 1e-2, seed: seed, dtype: .f64)
        let dib = try DIBTrainer<Double>(config: config, data: data, backend: be)
        try dib.train()
        let reference = try DIBNetwork<Double>(config: config, inputShape: [1, 3, 3], classes: 3, on: be)
        let model = Sequential<Double>("reference", reference.encoder.layers + reference.classifier.layers)
        let plain = try Trainer<Double>(
            config: TrainConfig(model: .custom("encoder+classifier"), data: "synthetic", epochs: 3, batch: 16,
                                optimizer: .adam(Adam(lr: 1e-2)), seed: seed, dtype: .f64),
            data: data, backend: be, model: model)
        _ = try plain.run()
        XCTAssertEqual(dib.iteration, plain.iteration)
        XCTAssertEqual(dib.classifierLosses, plain.losses)
        for (a, b) in zip(dib.network.encoder.parameters + dib.network.classifier.parameters, model.parameters) {
            XCTAssertEqual(try a.value.toArray(), try b.value.toArray(), a.name)
        }
        // The nuisance heads did learn their labelings meanwhile (β = 0 only stops the reversal).
        XCTAssertLessThan(dib.nuisanceLosses.last!, dib.nuisanceLosses.first!)
    }

    /// CPU and OpenCL give the same DIB loss curves: f64 to 1e-8, f32 to 2e-3.
    func testCPUAndOpenCLLossCurves() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        let data = try TrainingChecks.syntheticData(seed: seed, count: 96, shape: [1, 4, 4], classes: 3)
        for (dtype, tol) in [(DType.f64, 1e-8), (DType.f32, 2e-3)] {
            let config = DIBConfig(encoderWidths: [12], head: .mlp(hidden: 6), heads: 2, labelingSize: 3, beta: 0.5, epochs: 2,
                                   batch: 16, learningRate: 5e-3, seed: seed, dtype: dtype)
            func curves(_ be: any Backend) throws -> [Double] {
                switch dtype {
                case .f32: let t = try DIBTrainer<Float>(config: config, data: data, backend: be); try t.train()
                    return t.classifierLosses + t.nuisanceLosses
                case .f64: let t = try DIBTrainer<Double>(config: config, data: data, backend: be); try t.train()
                    return t.classifierLosses + t.nuisanceLosses
                }
            }
            let a = try curves(CPUBackend.shared), b = try curves(cl)
            XCTAssertEqual(a.count, 24)
            XCTAssertLessThan(Compare.maxRelativeError(a, b), tol, "\(dtype): CPU \(a) vs OpenCL \(b) (seed \(seed))")
        }
    }

    /// (D7) A constant representation carries no decodable information about the labelings; one
    /// in which every example has its own direction (one-hot rows) carries nearly log₂ k bits.
    func testMeasureBetweenConstantAndMemorisingEncoders() throws {
        let seed = freshSeed(), be = CPUBackend.shared, k = 4
        let constant = try DecodableInformation.measure(
            features: [Double](repeating: 1, count: 400 * 5), count: 400, dimension: 5, family: .linear, labelingSize: k,
            firstLabeling: 0, settings: DecodableInformationSettings(heads: 2, epochs: 40, batch: 100, learningRate: 0.05),
            seed: seed, as: Double.self, on: be)
        XCTAssertEqual(constant.maximumBits, 2, accuracy: 1e-15)
        XCTAssertEqual(constant.bits, 0, accuracy: 0.03, "constant encoder: \(constant) (seed \(seed))")
        let n = 32
        var identity = [Double](repeating: 0, count: n * n)
        for i in 0..<n { identity[i * n + i] = 1 }
        for family in [DIBHeadFamily.linear, .mlp(hidden: 16)] {
            let memorised = try DecodableInformation.measure(
                features: identity, count: n, dimension: n, family: family, labelingSize: k, firstLabeling: 0,
                settings: DecodableInformationSettings(heads: 2, epochs: 400, batch: n, learningRate: 0.1), seed: seed,
                as: Double.self, on: be)
            XCTAssertGreaterThan(memorised.ofMaximum, 0.9, "\(family.name) on one-hot features: \(memorised) (seed \(seed))")
            XCTAssertLessThanOrEqual(memorised.bits, 2 + 1e-12)
            XCTAssertEqual(memorised.perHeadBits.count, 2)
        }
    }

    /// Settings that cannot train are refused before any work, with the reason.
    func testBadInputIsRefused() throws {
        let data = try TrainingChecks.syntheticData(seed: 1, count: 20, shape: [3], classes: 2)
        let good = DIBConfig(encoderWidths: [4], beta: 1, epochs: 1, batch: 8)
        XCTAssertNil(good.problem())
        let bad: [(String, (inout DIBConfig) -> Void)] = [
            ("β < 0", { $0.beta = -0.1 }), ("β NaN", { $0.beta = .nan }), ("k < 2", { $0.labelingSize = 1 }),
            ("no heads", { $0.heads = 0 }), ("no encoder", { $0.encoderWidths = [] }), ("zero width", { $0.encoderWidths = [4, 0] }),
            ("MLP head of width 0", { $0.head = .mlp(hidden: 0) }), ("no measuring heads", { $0.measure.heads = 0 }),
            ("epochs", { $0.epochs = 0 }), ("learning rate", { $0.learningRate = 0 }), ("batch", { $0.batch = 1 }),
        ]
        for (what, change) in bad {
            var c = good
            change(&c)
            XCTAssertNotNil(c.problem(), what)
            XCTAssertThrowsError(try DIBTrainer<Float>(config: c, data: data, backend: CPUBackend.shared), what) { e in
                guard case ComputeError.invalidArgument = e else { return XCTFail("\(what): \(e)") }
            }
        }
        // A network that cannot fit is refused before any layer is built (sizes saturate, never trap).
        for change in [{ (c: inout DIBConfig) in c.heads = .max }, { $0.encoderWidths = [.max] }, { $0.head = .mlp(hidden: .max) },
                       { $0.labelingSize = 1 << 32 }] {
            var c = good
            change(&c)
            XCTAssertNil(c.problem())
            XCTAssertThrowsError(try DIBTrainer<Float>(config: c, data: data, backend: CPUBackend.shared)) { e in
                XCTAssertTrue("\(e)".contains("memory"), "\(e)")
            }
        }
        var wide = good
        wide.labelingSize = (1 << 32) + 1
        XCTAssertNotNil(wide.problem())
        var big = good
        big.batch = 21
        XCTAssertThrowsError(try DIBTrainer<Float>(config: big, data: data, backend: CPUBackend.shared))
        XCTAssertThrowsError(try DIBLabelings.draw(count: 10, size: 1, index: 0, seed: 1))
        for text in ["mlp:0", "mlp:", "conv", "mlp:x"] { XCTAssertThrowsError(try DIBHeadFamily(parsing: text), text) }
        XCTAssertEqual(try DIBHeadFamily(parsing: "mlp:32"), .mlp(hidden: 32))
        XCTAssertEqual(try DIBHeadFamily(parsing: "linear"), .linear)
    }

    /// Pearson and Spearman (ties at their mean rank) against values computed by hand.
    func testCorrelation() {
        let c = Correlation([1, 2, 3, 4], [1, 4, 9, 16])
        XCTAssertEqual(c.spearman!, 1, accuracy: 1e-15)
        XCTAssertEqual(c.pearson!, 0.984_374_038_697_697_1, accuracy: 1e-12)
        let ties = Correlation([1, 1, 2], [3, 2, 1])
        XCTAssertEqual(ties.spearman!, -0.866_025_403_784_438_6, accuracy: 1e-12)
        XCTAssertNil(Correlation([1, 1, 1], [1, 2, 3]).pearson)
        XCTAssertNil(Correlation([1], [2]).spearman)
    }
}
