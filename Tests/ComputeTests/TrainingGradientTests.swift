import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

/// Every layer's gradients (input and parameters) against central finite differences of
/// L = Σ r ⊙ layer(x) in float64 on the CPU engine, training mode.
final class TrainingGradientTests: XCTestCase {
    let be = CPUBackend.shared

    func normal(_ shape: [Int], _ seed: UInt64, _ stream: UInt32) throws -> Tensor<Double> {
        try be.normal(shape, seed: seed, stream: stream, offset: 0)
    }

    /// Compares up to `samples` entries of dx and of each parameter's gradient.
    func check(_ layer: any Layer<Double>, input: [Int], seed: UInt64, samples: Int = 12, tolerance: Double = 1e-6,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let x = try normal(input, seed, 1)
        let y0 = try layer.forward(x, train: true)
        let r = try normal(y0.shape, seed, 2)
        let rv = try r.toArray()
        func loss() throws -> Double {
            let y = try layer.forward(x, train: true).toArray()
            return zip(y, rv).reduce(0) { $0 + $1.0 * $1.1 }
        }
        _ = try layer.forward(x, train: true)
        let dx = try XCTUnwrap(layer.backward(r)).toArray()
        var targets: [(String, Tensor<Double>, [Double])] = [("x", x, dx)]
        for p in layer.parameters { targets.append((p.name, p.value, try p.grad.toArray())) }
        let h = 1e-6
        for (name, t, grad) in targets {
            var v = try t.toArray()
            let scale = max(grad.map(abs).max() ?? 0, 1e-3)
            let picks = (PhiloxFill.raw(count: samples, seed: seed, stream: 3) as [UInt32]).map { Int($0) % v.count }
            for i in picks {
                let orig = v[i]
                v[i] = orig + h
                try be.write(v, into: t)
                let lp = try loss()
                v[i] = orig - h
                try be.write(v, into: t)
                let lm = try loss()
                v[i] = orig
                try be.write(v, into: t)
                let fd = (lp - lm) / (2 * h)
                XCTAssertLessThan(abs(fd - grad[i]) / scale, tolerance,
                                  "\(layer.name) d/d\(name)[\(i)]: analytic \(grad[i]), finite difference \(fd) (seed \(seed))",
                                  file: file, line: line)
            }
        }
    }

    func testLinear() throws {
        let seed = freshSeed()
        let l = try Linear<Double>("fc", in: 7, out: 5, on: be)
        try InitScheme.pytorch.initialize(l.parameters, seed: seed)
        try check(l, input: [4, 7], seed: seed)
    }

    func testConv2d() throws {
        let seed = freshSeed()
        for (stride, bias) in [(1, true), (2, false)] {
            let c = try Conv2dLayer<Double>("conv", in: 3, out: 8, kernel: 3, stride: stride, padding: 1, bias: bias, on: be)
            try InitScheme.kaiming.initialize(c.parameters, seed: seed)
            try check(c, input: [2, 3, 7, 6], seed: seed)
        }
    }

    func testBatchNorm2dAnd1d() throws {
        let seed = freshSeed()
        let bn = try BatchNorm<Double>("bn", channels: 3, on: be)
        try be.write([0.5, -1.2, 2.0], into: bn.gamma.value)
        try be.write([0.1, 0.0, -0.3], into: bn.beta.value)
        try check(bn, input: [4, 3, 5, 3], seed: seed)
        let bn1 = try BatchNorm<Double>("bn1d", channels: 6, on: be)
        try check(bn1, input: [5, 6], seed: seed)
    }

    func testReLUPoolFlatten() throws {
        let seed = freshSeed()
        try check(ReLU<Double>("relu", on: be), input: [3, 17], seed: seed)
        try check(MaxPool<Double>("pool", kernel: 2, on: be), input: [2, 3, 6, 7], seed: seed)
        try check(GlobalAvgPool<Double>("gap", on: be), input: [2, 3, 5, 4], seed: seed)
        try check(Flatten<Double>("flatten"), input: [2, 3, 2, 2], seed: seed)
    }

    func testResidualBlocks() throws {
        let seed = freshSeed()
        for (c, o, s) in [(4, 4, 1), (3, 8, 2)] {
            let block = try ResidualBlock<Double>("block", in: c, out: o, stride: s, on: be)
            try InitScheme.kaiming.initialize(block.parameters, seed: seed)
            try check(block, input: [3, c, 6, 6], seed: seed, samples: 6)
        }
    }

    func testModels() throws {
        let seed = freshSeed()
        for kind in ModelKind.allCases {
            let m = try kind.build(Double.self, input: [1, 8, 8], classes: 3, on: be)
            m.needsInputGradient = true
            try InitScheme.kaiming.initialize(m.parameters, seed: seed)
            try check(m, input: [4, 1, 8, 8], seed: seed, samples: 4)
        }
    }

    /// The mean cross-entropy's gradient and its value against a direct computation.
    /// A loss against its direct formula on the host, and its gradient against central
    /// differences of that formula.
    func checkLoss(_ f: any Loss<Double>, _ direct: @escaping (_ row: [Double], _ label: Int) -> Double) throws {
        let seed = freshSeed()
        let z = try normal([5, 4], seed, 1)
        let y = [0, 3, 1, 1, 2]
        let r = try f(z, labels: try be.tensor(y.map(Double.init)), gradient: true)
        let g = try XCTUnwrap(r.gradient).toArray()
        var v = try z.toArray()
        func mean(_ v: [Double]) -> Double { (0..<5).reduce(0.0) { $0 + direct(Array(v[(4 * $1)..<(4 * $1 + 4)]), y[$1]) } / 5 }
        XCTAssertEqual(r.meanLoss, mean(v), accuracy: 1e-12)
        let argmax = (0..<5).map { n in (0..<4).max { v[4 * n + $0] < v[4 * n + $1] }! }
        XCTAssertEqual(r.correct, zip(argmax, y).filter { $0 == $1 }.count)
        for i in 0..<v.count {
            let o = v[i]
            v[i] = o + 1e-6
            let lp = mean(v)
            v[i] = o - 1e-6
            let lm = mean(v)
            v[i] = o
            XCTAssertEqual(g[i], (lp - lm) / 2e-6, accuracy: 1e-7, "dlogits[\(i)] (seed \(seed))")
        }
    }

    func testSoftmaxCrossEntropy() throws {
        try checkLoss(SoftmaxCrossEntropy<Double>(on: be)) { row, label in log(row.map(exp).reduce(0, +)) - row[label] }
    }

    /// torch.nn.MSELoss against one-hot labels: the mean over all N·K entries.
    func testMeanSquaredError() throws {
        try checkLoss(MeanSquaredError<Double>(on: be)) { row, label in
            row.enumerated().reduce(0.0) { $0 + ($1.element - ($1.offset == label ? 1 : 0)) * ($1.element - ($1.offset == label ? 1 : 0)) } / 4
        }
    }
}
