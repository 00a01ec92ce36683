import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

/// Pooling: CPU against OpenCL, small exact cases, gradients against finite differences in
/// float64, and shape errors.
final class PoolTests: XCTestCase {
    func testValidationChecksPass() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        for check in PoolChecks.all { assertAllPass(try check.run(CPUBackend.shared, cl, seed)) }
    }

    /// Random windows each run (seed printed), both dtypes.
    func testRandomShapes() throws { try randomShapes(try openCLBackend()) }

    /// The same with the GPU-shaped global average pooling (reduce_gpu.cl) forced.
    func testRandomShapesGPUShaped() throws { try randomShapes(try gpuShapedBackend()) }

    func randomShapes(_ cl: OpenCLBackend, seed: UInt64 = freshSeed()) throws {
        let r: [UInt32] = PhiloxFill.raw(count: 48, seed: seed, stream: 80)
        for t in 0..<8 {
            let d = r[(6 * t)..<(6 * t + 6)].map(Int.init)
            let (kh, kw) = (1 + d[0] % 4, 1 + d[1] % 4)
            let p = Pool2dParams(batch: 1 + d[2] % 17, channels: 1 + d[3] % 3, height: kh + d[4] % 9, width: kw + d[5] % 9,
                                 kernelH: kh, kernelW: kw, strideH: 1 + d[0] % 3, strideW: 1 + d[1] % 3,
                                 padH: d[2] % (kh / 2 + 1), padW: d[3] % (kw / 2 + 1))
            let x: [Double] = PhiloxFill.normal(count: p.inputShape.reduce(1, *), seed: seed, stream: 81)
            let dy: [Double] = PhiloxFill.normal(count: p.outputShape.reduce(1, *), seed: seed, stream: 82)
            let g: [Double] = PhiloxFill.normal(count: p.batch * p.channels, seed: seed, stream: 83)
            let ref = try PoolChecks.run(CPUBackend.shared, p, x: x, dy: dy, dyGlobal: g)
            let got = try PoolChecks.run(cl, p, x: x, dy: dy, dyGlobal: g)
            let ref32 = try PoolChecks.run(CPUBackend.shared, p, x: x.map(Float.init), dy: dy.map(Float.init),
                                           dyGlobal: g.map(Float.init))
            let got32 = try PoolChecks.run(cl, p, x: x.map(Float.init), dy: dy.map(Float.init), dyGlobal: g.map(Float.init))
            for key in ref.keys {
                XCTAssertLessThan(Compare.maxRelativeError(ref[key]!, got[key]!, floor: 1), 1e-13,
                                  "\(key) \(p) (seed \(seed))")
                XCTAssertLessThan(Compare.maxRelativeError(ref32[key]!, got32[key]!, floor: 1), 1e-5,
                                  "\(key) f32 \(p) (seed \(seed))")
            }
        }
    }

    func testSmallExact() throws {
        var backends: [any Backend] = [CPUBackend.shared]
        if let cl = try? openCLBackend() { backends.append(cl) }
        // 1 × 1 × 3 × 4, with a NaN and ties.
        let x: [Double] = [1, 5, 2, 2,
                           5, 4, 0, .nan,
                           -1, 5, 2, 2]
        for be in backends {
            let t = try be.tensor(x, shape: [1, 1, 3, 4])
            // 2×2 stride 1: 2 × 3 windows.
            let p = Pool2dParams(batch: 1, channels: 1, height: 3, width: 4, kernel: 2, stride: 1)
            let y = try be.maxPool2d(t, p).toArray()
            XCTAssertEqual([y[0], y[1], y[3], y[4]], [5, 5, 5, 5], be.label)
            XCTAssertTrue(y[2].isNaN && y[5].isNaN, "\(be.label): \(y)")
            // Each window's gradient 1 goes to its first maximum in row-major order; NaN wins.
            let dx = try be.zeros([1, 1, 3, 4], as: Double.self)
            try be.maxPool2dBackward(t, be.tensor([Double](repeating: 1, count: 6), shape: [1, 1, 2, 3]), p, into: dx)
            XCTAssertEqual(try dx.toArray(), [0, 2, 0, 0,
                                              1, 0, 0, 2,
                                              0, 1, 0, 0], be.label)
            // Average 3×3 with padding 1, stride 2: padding counts in the divisor (9).
            let q = Pool2dParams(batch: 1, channels: 1, height: 3, width: 4, kernel: 3, stride: 2, padding: 1)
            let clean = try be.tensor(x.map { $0.isNaN ? 6 : $0 }, shape: [1, 1, 3, 4])
            let a = try be.avgPool2d(clean, q).toArray()
            XCTAssertEqual(a[0], 15.0 / 9, accuracy: 1e-15, be.label)
            XCTAssertEqual(a[1], 19.0 / 9, accuracy: 1e-15, be.label)
            let g = try be.zeros([1, 1], as: Double.self)
            try be.globalAvgPoolForward(clean, into: g)
            XCTAssertEqual(try g.toArray()[0], 33.0 / 12, accuracy: 1e-15, be.label)
        }
    }

    /// The CPU engine's 2×2 stride-2 loops (four tiles at a time, Tile2) against plain loops
    /// of the rules (first maximum in row-major order, NaN wins, the first NaN kept), on both
    /// engines and dtypes: odd heights and widths, ties, ±0, NaN and ±∞ scattered over the
    /// planes so that some SIMD blocks hold them and some do not.
    func testTwoByTwoTilesFollowTheRules() throws {
        var backends: [any Backend] = [CPUBackend.shared]
        if let cl = try? openCLBackend() { backends.append(cl) }
        let seed = freshSeed()
        let p = Pool2dParams(batch: 3, channels: 2, height: 7, width: 21, kernel: 2)
        let count = p.inputShape.reduce(1, *)
        let normal: [Double] = PhiloxFill.normal(count: count, seed: seed, stream: 84)
        let picks: [UInt32] = PhiloxFill.raw(count: count, seed: seed, stream: 85)
        let special: [Double] = [.nan, .infinity, -.infinity, 0, -0.0]
        let x = zip(normal, picks).map { v, r in r % 97 < 5 ? special[Int(r % 97)] : (v * 2).rounded() / 2 }
        let dy: [Double] = PhiloxFill.normal(count: p.outputShape.reduce(1, *), seed: seed, stream: 86)
        let (refY, refDx) = Self.tileReference(x, dy, p)
        for be in backends {
            for f32 in [false, true] {
                let xs = f32 ? x.map { Double(Float($0)) } : x, dys = f32 ? dy.map { Double(Float($0)) } : dy
                let (y, dx): ([Double], [Double])
                if f32 {
                    let t = try be.tensor(xs.map(Float.init), shape: p.inputShape)
                    let g = try be.tensor(dys.map(Float.init), shape: p.outputShape)
                    let d = try be.zeros(p.inputShape, as: Float.self)
                    try be.maxPool2dBackward(t, g, p, into: d)
                    (y, dx) = (try be.maxPool2d(t, p).toArray().map(Double.init), try d.toArray().map(Double.init))
                } else {
                    let t = try be.tensor(xs, shape: p.inputShape)
                    let d = try be.zeros(p.inputShape, as: Double.self)
                    try be.maxPool2dBackward(t, try be.tensor(dys, shape: p.outputShape), p, into: d)
                    (y, dx) = (try be.maxPool2d(t, p).toArray(), try d.toArray())
                }
                let label = "\(be.label) \(f32 ? "f32" : "f64") (seed \(seed))"
                let expectedDx = f32 ? refDx.map { Double(Float($0)) } : refDx
                for i in y.indices where !(y[i] == refY[i] || y[i].isNaN && refY[i].isNaN) {
                    XCTFail("y[\(i)] = \(y[i]), expected \(refY[i]): \(label)")
                }
                XCTAssertEqual(dx, expectedDx, label)
            }
        }
    }

    /// Max pooling 2×2 stride 2 by its rules, one tile at a time: (y, dx).
    static func tileReference(_ x: [Double], _ dy: [Double], _ p: Pool2dParams) -> ([Double], [Double]) {
        var y = [Double](repeating: 0, count: dy.count), dx = [Double](repeating: 0, count: x.count)
        for plane in 0..<(p.batch * p.channels) {
            for oh in 0..<p.outH {
                for ow in 0..<p.outW {
                    let o = plane * p.outH * p.outW + oh * p.outW + ow
                    var best = plane * p.height * p.width + 2 * oh * p.width + 2 * ow, m = x[best]
                    for (dh, dw) in [(0, 1), (1, 0), (1, 1)] {
                        let i = plane * p.height * p.width + (2 * oh + dh) * p.width + 2 * ow + dw
                        if x[i] > m || x[i].isNaN && !m.isNaN { (best, m) = (i, x[i]) }
                    }
                    y[o] = m
                    dx[best] = dy[o]
                }
            }
        }
        return (y, dx)
    }

    /// ∂L/∂x of L = Σ y ⊙ r for max and average pooling against central differences (float64,
    /// CPU engine; random normal inputs have no ties).
    func testGradientsAgainstFiniteDifferences() throws {
        let seed = freshSeed()
        let cpu = CPUBackend.shared
        let p = Pool2dParams(batch: 2, channels: 2, height: 7, width: 6, kernelH: 3, kernelW: 2, strideH: 2, strideW: 1,
                             padH: 1, padW: 1)
        let x: [Double] = PhiloxFill.normal(count: p.inputShape.reduce(1, *), seed: seed, stream: 84)
        let r: [Double] = PhiloxFill.normal(count: p.outputShape.reduce(1, *), seed: seed, stream: 85)
        let rg: [Double] = PhiloxFill.normal(count: p.batch * p.channels, seed: seed, stream: 86)
        let tx = try cpu.tensor(x, shape: p.inputShape), dx = try cpu.zeros(p.inputShape, as: Double.self)
        let dy = try cpu.tensor(r, shape: p.outputShape)
        for kind in ["max", "avg", "global"] {
            switch kind {
            case "max": try cpu.maxPool2dBackward(tx, dy, p, into: dx)
            case "avg": try cpu.avgPool2dBackward(dy, p, into: dx)
            default: try cpu.globalAvgPoolBackward(cpu.tensor(rg, shape: [p.batch, p.channels]), into: dx)
            }
            let grad = try dx.toArray()
            func loss(_ v: [Double]) throws -> Double {
                let t = try cpu.tensor(v, shape: p.inputShape)
                switch kind {
                case "max": return zip(try cpu.maxPool2d(t, p).toArray(), r).reduce(0) { $0 + $1.0 * $1.1 }
                case "avg": return zip(try cpu.avgPool2d(t, p).toArray(), r).reduce(0) { $0 + $1.0 * $1.1 }
                default:
                    let g = try cpu.zeros([p.batch, p.channels], as: Double.self)
                    try cpu.globalAvgPoolForward(t, into: g)
                    return zip(try g.toArray(), rg).reduce(0) { $0 + $1.0 * $1.1 }
                }
            }
            let h = 1e-6
            for j in stride(from: 0, to: x.count, by: 5) {
                var plus = x, minus = x
                plus[j] += h
                minus[j] -= h
                let numeric = try (loss(plus) - loss(minus)) / (2 * h)
                XCTAssertEqual(grad[j], numeric, accuracy: 1e-7 * max(1, abs(numeric)), "\(kind) dx[\(j)] (seed \(seed))")
            }
        }
    }

    func testShapeErrorsAreClear() throws {
        var backends: [any Backend] = [CPUBackend.shared]
        if let cl = try? openCLBackend() { backends.append(cl) }
        for be in backends {
            let x = try be.zeros([2, 3, 5, 5], as: Float.self)
            func expect(_ p: Pool2dParams, _ y: [Int], _ message: String, line: UInt = #line) throws {
                let ty = try be.zeros(y, as: Float.self)
                for op in 0..<4 {
                    XCTAssertThrowsError(try {
                        switch op {
                        case 0: try be.maxPool2dForward(x, p, into: ty)
                        case 1: try be.maxPool2dBackward(x, ty, p, into: x)
                        case 2: try be.avgPool2dForward(x, p, into: ty)
                        default: try be.avgPool2dBackward(ty, p, into: x)
                        }
                    }(), line: line) {
                        XCTAssertTrue("\($0)".contains(message), "\(be.label): '\($0)' lacks '\(message)'", line: line)
                    }
                }
            }
            try expect(Pool2dParams(batch: 2, channels: 3, height: 5, width: 5, kernel: 7), [2, 3, 1, 1],
                       "larger than the padded input 5x5")
            try expect(Pool2dParams(batch: 2, channels: 3, height: 5, width: 5, kernel: 2, padding: 2), [2, 3, 4, 4],
                       "between 0 and half")
            try expect(Pool2dParams(batch: 2, channels: 4, height: 5, width: 5, kernel: 2), [2, 4, 2, 2],
                       "the input has shape [2, 3, 5, 5], expected [2, 4, 5, 5]")
            try expect(Pool2dParams(batch: 2, channels: 3, height: 5, width: 5, kernel: 2), [2, 3, 3, 3],
                       "the output has shape [2, 3, 3, 3], expected [2, 3, 2, 2]")
            try expect(Pool2dParams(batch: 2, channels: 3, height: 5, width: 5, kernel: 2, stride: 0), [2, 3, 2, 2],
                       "stride must be positive")
            XCTAssertThrowsError(try be.globalAvgPoolForward(x, into: be.zeros([2, 2], as: Float.self))) {
                XCTAssertTrue("\($0)".contains("expected 6 values"), "\($0)")
            }
            XCTAssertThrowsError(try be.globalAvgPoolBackward(be.zeros([6], as: Float.self),
                                                              into: be.zeros([6, 5], as: Float.self))) {
                XCTAssertTrue("\($0)".contains("must be 4-D"), "\($0)")
            }
        }
    }
}
