import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

/// conv2d: CPU against OpenCL (both paths) on fixed and random shapes, a naive reference,
/// gradients against central finite differences in float64, views, and shape errors.
final class ConvTests: XCTestCase {
    func testValidationChecksPass() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        for check in ConvChecks.all where check.op == "conv2d" {
            assertAllPass(try check.run(CPUBackend.shared, cl, seed))
        }
    }

    /// The GPU-shaped direct kernels and reductions (conv2d_gpu.cl, reduce_gpu.cl), forced on
    /// this device, against the CPU on the fixed shapes and random ones, f32 and f64, both paths.
    func testGPUShapedKernelsMatchCPU() throws {
        let gpu = try gpuShapedBackend()
        XCTAssertEqual(gpu.kernelShape, .gpu)
        let seed = freshSeed()
        // The small validation shapes here (the full list runs on PoCL's own kernels above: ~2 min).
        try Validation.$shapeSet.withValue(.small) {
            for check in ConvChecks.all where check.op == "conv2d" {
                assertAllPass(try check.run(CPUBackend.shared, gpu, seed))
            }
        }
        assertAllPass(try randomShapesAgainstCPU(gpu, shapes: ConvChecks.random(seed: seed &+ 1, count: 4), seed: seed))
    }

    /// A work-group kernel whose local memory exceeds the device's is refused before launch,
    /// naming requested and available bytes; work-group sizes are powers of two within the limits.
    func testGPUKernelLimitsAreChecked() throws {
        let gpu = try gpuShapedBackend()
        let info = gpu.cl.info
        let inv = KernelInvocation(file: "reduce_gpu.cl", name: "global_avg_forward_gpu",
                                   options: DType.f32.kernelOptions(deviceHasFP64: info.fp64),
                                   args: [.buffer(nil), .uint64(0), .buffer(nil), .uint64(0), .int32(1),
                                          .local(info.localMemory + 8)], global: [1, 1], local: [1, 1])
        XCTAssertThrowsError(try gpu.cl.runChecked(inv)) { error in
            guard case ComputeError.localMemoryTooLarge(let k, let r, let a, _) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(k, "global_avg_forward_gpu")
            XCTAssertEqual(r, info.localMemory + 8)
            XCTAssertEqual(a, info.localMemory)
            XCTAssertTrue("\(error)".contains("local memory"))
        }
        let wg = try gpu.cl.workGroupSize(file: inv.file, name: inv.name, options: inv.options, preferred: 256)
        XCTAssertEqual(wg & (wg - 1), 0)
        XCTAssertLessThanOrEqual(wg, min(256, info.maxWorkGroupSize))
        XCTAssertEqual(try gpu.cl.workGroupSize(file: inv.file, name: inv.name, options: inv.options, preferred: 100), 64)
        XCTAssertEqual(GPUShapes.columns(rows: 3, columns: 100, wg: 256).tx, 16)
        XCTAssertEqual(GPUShapes.columns(rows: 3, columns: 100, wg: 256).ty, 4)
        XCTAssertEqual(GPUShapes.plane(width: 5, height: 40, wg: 256), [8, 8, 1])
    }

    /// The CPU engine's two paths against its own choice, on the validation shapes (no device needed).
    func testCPUPathsAgree() throws {
        let seed = freshSeed()
        for check in ConvChecks.all where check.op == "conv2d" {
            assertAllPass(try check.run(CPUBackend.shared, CPUBackend.shared, seed))
        }
    }

    /// Random shapes each run (seed printed), f32 and f64, forced direct and forced im2col.
    func testRandomShapesBothPaths() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        assertAllPass(try randomShapesAgainstCPU(cl, shapes: ConvChecks.random(seed: seed, count: 8), seed: seed))
    }

    /// Both engines against a plain six-loop convolution in double.
    func testAgainstNaiveReference() throws {
        let seed = freshSeed()
        var backends: [(String, any Backend, Conv2dPath?)] = Conv2dPath.allCases.map { ("cpu.\($0)", CPUBackend.shared, $0) }
        if let cl = try? openCLBackend() { backends += Conv2dPath.allCases.map { ("opencl.\($0)", cl, $0) } }
        for (i, p) in ConvChecks.fixed.enumerated() {
            let v: (x: [Double], w: [Double], b: [Double], dy: [Double]) = ConvChecks.inputs(p, seed: seed &+ UInt64(i))
            let ref = naiveConv(p, v.x, v.w, v.b)
            for (name, be, path) in backends {
                let got = try ConvChecks.run(be, path: path, p, v).y
                let err = Compare.maxRelativeError(ref, got, floor: 1)
                XCTAssertLessThan(err, 1e-13, "\(name) \(p) (seed \(seed))")
            }
        }
    }

    /// ∂/∂x, ∂/∂w and ∂/∂b of L = Σ y ⊙ r against central differences, float64 on the CPU engine,
    /// the gradients from both paths (the loss from the rule's).
    func testGradientsAgainstFiniteDifferences() throws {
        let seed = freshSeed()
        let cpu = CPUBackend.shared
        let cases = [
            Conv2dParams(batch: 2, inChannels: 3, outChannels: 4, height: 7, width: 6, kernel: 3, padding: 1),
            Conv2dParams(batch: 1, inChannels: 4, outChannels: 6, height: 9, width: 8, kernel: 3, stride: 2, padding: 1,
                         dilation: 2, groups: 2),
            Conv2dParams(batch: 2, inChannels: 3, outChannels: 3, height: 6, width: 7, kernel: 5, padding: 2, groups: 3),
            Conv2dParams(batch: 1, inChannels: 2, outChannels: 3, height: 5, width: 9, kernelH: 1, kernelW: 3,
                         strideH: 2, strideW: 1, padH: 0, padW: 1, dilationH: 1, dilationW: 2),
            Conv2dParams(batch: 1, inChannels: 3, outChannels: 2, height: 8, width: 8, kernel: 7, stride: 2, padding: 3),
        ]
        for (i, p) in cases.enumerated() {
            let v: (x: [Double], w: [Double], b: [Double], dy: [Double]) = ConvChecks.inputs(p, seed: seed &+ UInt64(i))
            func loss(_ x: [Double], _ w: [Double], _ b: [Double]) throws -> Double {
                let y = try cpu.conv2d(cpu.tensor(x, shape: p.inputShape), cpu.tensor(w, shape: p.weightShape),
                                       bias: cpu.tensor(b), p).toArray()
                return zip(y, v.dy).reduce(0) { $0 + $1.0 * $1.1 }
            }
            let h = 1e-5
            func fd(_ base: [Double], _ j: Int, _ f: ([Double]) throws -> Double) rethrows -> Double {
                var plus = base, minus = base
                plus[j] += h
                minus[j] -= h
                return try (f(plus) - f(minus)) / (2 * h)
            }
            let picks = [0, 1, 7, 13, 29, 101, 311]
            let numeric = (dx: try picks.map { try fd(v.x, $0 % v.x.count) { try loss($0, v.w, v.b) } },
                           dw: try picks.map { try fd(v.w, $0 % v.w.count) { try loss(v.x, $0, v.b) } },
                           db: try (0..<p.outChannels).map { try fd(v.b, $0) { try loss(v.x, v.w, $0) } })
            for path in Conv2dPath.allCases {
                let grads = try ConvChecks.run(cpu, path: path, p, v)
                let what = "\(path) \(p) (seed \(seed))"
                for (k, j) in picks.enumerated() {
                    let (nx, nw) = (numeric.dx[k], numeric.dw[k])
                    XCTAssertEqual(grads.dx[j % v.x.count], nx, accuracy: 1e-7 * max(1, abs(nx)), "dx[\(j)] \(what)")
                    XCTAssertEqual(grads.dw[j % v.w.count], nw, accuracy: 1e-7 * max(1, abs(nw)), "dw[\(j)] \(what)")
                }
                for (j, nb) in numeric.db.enumerated() {
                    XCTAssertEqual(grads.db[j], nb, accuracy: 1e-7 * max(1, abs(nb)), "db[\(j)] \(what)")
                }
            }
        }
    }

    /// Tensors that are views (offsets into shared storage) on both engines and paths.
    func testViews() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        let p = Conv2dParams(batch: 2, inChannels: 3, outChannels: 10, height: 9, width: 7, kernel: 3, stride: 2,
                             padding: 1)
        let v: (x: [Float], w: [Float], b: [Float], dy: [Float]) = ConvChecks.inputs(p, seed: seed)
        let ref = try ConvChecks.run(CPUBackend.shared, path: nil, p, v)
        let engines: [(any Backend, Conv2dPath)] = [(CPUBackend.shared, .direct), (CPUBackend.shared, .im2col),
                                                    (cl, .direct), (cl, .im2col)]
        for (be, path) in engines {
            // Every operand is rows 1..<(1 + n) of a tensor with one leading and one trailing spare row.
            func view(_ values: [Float], _ shape: [Int]) throws -> Tensor<Float> {
                let row = shape.dropFirst().reduce(1, *)
                let t = try be.tensor([Float](repeating: 7, count: row) + values + [Float](repeating: 7, count: row),
                                      shape: [shape[0] + 2] + shape.dropFirst())
                return try t.rows(1..<(1 + shape[0]))
            }
            let x = try view(v.x, p.inputShape), w = try view(v.w, p.weightShape), b = try view(v.b, [p.outChannels])
            let dy = try view(v.dy, p.outputShape)
            let y = try view([Float](repeating: .nan, count: p.outputShape.reduce(1, *)), p.outputShape)
            let dx = try view([Float](repeating: .nan, count: v.x.count), p.inputShape)
            let dw = try view([Float](repeating: .nan, count: v.w.count), p.weightShape)
            let db = try view([Float](repeating: .nan, count: p.outChannels), [p.outChannels])
            if let cl = be as? OpenCLBackend {
                try cl.conv2dForward(x, w, bias: b, p, into: y, path: path)
                try cl.conv2dBackwardInput(dy, w, p, into: dx, path: path)
                try cl.conv2dBackwardWeights(x, dy, p, into: dw, bias: db, path: path)
            } else {
                let cpu = CPUBackend.shared
                try cpu.conv2dForward(x, w, bias: b, p, into: y, path: path)
                try cpu.conv2dBackwardInput(dy, w, p, into: dx, path: path)
                try cpu.conv2dBackwardWeights(x, dy, p, into: dw, bias: db, path: path)
            }
            let got = ConvChecks.Outputs(y: try y.toArray(), dx: try dx.toArray(), dw: try dw.toArray(),
                                         db: try db.toArray())
            assertAllPass(ConvChecks.compare(p, path: "\(be.label).\(path)", ref: ref, got: got, seed: seed))
        }
    }

    func testShapeErrorsAreClear() throws {
        var backends: [any Backend] = [CPUBackend.shared]
        if let cl = try? openCLBackend() { backends.append(cl) }
        for be in backends {
            func expect(_ x: [Int], _ w: [Int], _ y: [Int], bias: [Int]? = nil, stride: Int = 1, padding: Int = 0,
                        dilation: Int = 1, groups: Int = 1, _ message: String, line: UInt = #line) throws {
                let p = Conv2dParams(input: x, weight: w, stride: stride, padding: padding, dilation: dilation,
                                     groups: groups)
                let tx = try be.zeros(x, as: Float.self), tw = try be.zeros(w, as: Float.self)
                let ty = try be.zeros(y, as: Float.self), tb = try bias.map { try be.zeros($0, as: Float.self) }
                for op in 0..<3 where bias == nil || op != 1 {  // the input gradient takes no bias
                    XCTAssertThrowsError(try {
                        switch op {
                        case 0: try be.conv2dForward(tx, tw, bias: tb, p, into: ty)
                        case 1: try be.conv2dBackwardInput(ty, tw, p, into: tx)
                        default: try be.conv2dBackwardWeights(tx, ty, p, into: tw, bias: tb)
                        }
                    }(), line: line) {
                        XCTAssertTrue("\($0)".contains(message), "\(be.label): '\($0)' lacks '\(message)'", line: line)
                    }
                }
            }
            try expect([2, 3, 8, 8], [4, 2, 3, 3], [2, 4, 6, 6], "mismatched channels")
            try expect([2, 3, 4, 4], [4, 3, 7, 7], [2, 4, 1, 1], padding: 1, "larger than the padded input 6x6")
            try expect([2, 3, 5, 5], [4, 3, 3, 3], [2, 4, 1, 1], dilation: 3, "spans 7x7")
            try expect([2, 6, 8, 8], [4, 3, 3, 3], [2, 4, 6, 6], groups: 4, "groups 4 must divide")
            try expect([2, 6, 8, 8], [3, 3, 3, 3], [2, 3, 6, 6], groups: 2,
                       "must divide the input channels (6) and the output channels (3)")
            try expect([2, 3, 8, 8], [4, 3, 3, 3], [2, 4, 6, 6], padding: 1 << 40, "too large")
            try expect([2, 3, 8, 8], [4, 3, 3, 3], [2, 4, 8, 8], "the output has shape [2, 4, 8, 8], expected [2, 4, 6, 6]")
            try expect([2, 3, 8, 8], [4, 3, 3, 3], [2, 4, 6, 6], bias: [3], "one per output channel")
            try expect([3, 8, 8], [4, 3, 3, 3], [2, 4, 6, 6], "must be 4-D")
            try expect([2, 3, 8, 8], [4, 3, 3, 3], [2, 4, 6, 6], stride: 0, "stride must be positive")
            try expect([2, 3, 8, 8], [4, 3, 3, 3], [2, 4, 6, 6], padding: -1, "padding must be non-negative")
        }
        // The allocating form checks before it allocates.
        let cpu = CPUBackend.shared
        let (x, w) = (try cpu.zeros([1, 1, 2, 2], as: Double.self), try cpu.zeros([1, 1, 3, 3], as: Double.self))
        XCTAssertThrowsError(try cpu.conv2d(x, w, Conv2dParams(input: [1, 1, 2, 2], weight: [1, 1, 3, 3]))) {
            XCTAssertTrue("\($0)".contains("larger than the padded input"), "\($0)")
        }
    }

    func testPathRule() {
        func p(_ c: Int, _ o: Int, _ k: Int, groups: Int = 1) -> Conv2dParams {
            Conv2dParams(batch: 1, inChannels: c, outChannels: o, height: 8, width: 8, kernel: k, padding: k / 2,
                         groups: groups)
        }
        XCTAssertEqual(Conv2dPath.choose(p(3, 16, 3)), .im2col)
        XCTAssertEqual(Conv2dPath.choose(p(3, 64, 7)), .im2col)
        XCTAssertEqual(Conv2dPath.choose(p(64, 64, 3, groups: 64)), .direct)  // depthwise
        XCTAssertEqual(Conv2dPath.choose(p(64, 64, 7, groups: 16)), .direct)  // 4 outputs per group
        XCTAssertEqual(Conv2dPath.choose(p(64, 128, 3, groups: 16)), .im2col)  // 8 outputs per group
        XCTAssertEqual(Conv2dPath.choose(p(64, 4, 1)), .direct)
    }

    /// y[n, o, i, j] from the definition, in double.
    func naiveConv(_ p: Conv2dParams, _ x: [Double], _ w: [Double], _ b: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: p.outputShape.reduce(1, *))
        let (cg, og) = (p.inPerGroup, p.outPerGroup)
        for n in 0..<p.batch {
            for o in 0..<p.outChannels {
                for i in 0..<p.outH {
                    for j in 0..<p.outW {
                        var s = b[o]
                        for c in 0..<cg {
                            for kh in 0..<p.kernelH {
                                for kw in 0..<p.kernelW {
                                    let ih = i * p.strideH - p.padH + kh * p.dilationH
                                    let iw = j * p.strideW - p.padW + kw * p.dilationW
                                    guard ih >= 0, ih < p.height, iw >= 0, iw < p.width else { continue }
                                    let xc = (o / og) * cg + c
                                    s += w[((o * cg + c) * p.kernelH + kh) * p.kernelW + kw]
                                        * x[((n * p.inChannels + xc) * p.height + ih) * p.width + iw]
                                }
                            }
                        }
                        y[((n * p.outChannels + o) * p.outH + i) * p.outW + j] = s
                    }
                }
            }
        }
        return y
    }

    /// `device` against the CPU on each shape (inputs from seed + its index), f32 and f64, on
    /// both paths.
    func randomShapesAgainstCPU(_ device: any Backend, shapes: [Conv2dParams], seed: UInt64) throws -> [ValidationResult] {
        var results: [ValidationResult] = []
        for (i, p) in shapes.enumerated() {
            let v32: (x: [Float], w: [Float], b: [Float], dy: [Float]) = ConvChecks.inputs(p, seed: seed &+ UInt64(i))
            let v64: (x: [Double], w: [Double], b: [Double], dy: [Double]) = ConvChecks.inputs(p, seed: seed &+ UInt64(i))
            let ref32 = try ConvChecks.run(CPUBackend.shared, path: nil, p, v32)
            let ref64 = try ConvChecks.run(CPUBackend.shared, path: nil, p, v64)
            for path in Conv2dPath.allCases {
                results += ConvChecks.compare(p, path: path.rawValue, ref: ref32,
                                              got: try ConvChecks.run(device, path: path, p, v32), seed: seed)
                results += ConvChecks.compare(p, path: path.rawValue, ref: ref64,
                                              got: try ConvChecks.run(device, path: path, p, v64), seed: seed)
            }
        }
        return results
    }
}
