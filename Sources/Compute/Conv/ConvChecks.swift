/// Validation of conv2d (forward, input gradient, weight and bias gradients) and pooling on a
/// device against the CPU engine: a fixed list of shapes that covers 1×1, 3×3, 5×5 and 7×7
/// kernels, strides, padding, dilation, groups (depthwise included), odd sizes and batches 1
/// and 17, plus shapes drawn from the seed; every shape runs on both paths of the device
/// against the CPU engine's own choice.
/// `ConvChecks.all` includes the pooling checks (PoolChecks).
package enum ConvChecks {
    package static var all: [ValidationCheck] { [conv(Float.self), conv(Double.self)] + PoolChecks.all }

    /// (N, C, O, H, W, k, stride, padding, dilation, groups), square kernels.
    static let square: [(Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (2, 3, 8, 11, 13, 1, 1, 0, 1, 1),  // pointwise
        (2, 5, 3, 6, 5, 1, 2, 0, 1, 1),  // 1×1, stride 2
        (1, 4, 6, 9, 9, 3, 1, 1, 1, 1),  // batch 1
        (17, 3, 5, 7, 9, 3, 2, 1, 1, 1),  // batch 17, stride 2
        (2, 6, 4, 13, 11, 5, 1, 2, 1, 2),  // 5×5, groups 2
        (2, 3, 16, 15, 17, 7, 2, 3, 1, 1),  // 7×7 stem
        (2, 8, 8, 11, 9, 3, 1, 2, 2, 8),  // depthwise, dilation 2
        (3, 16, 12, 9, 7, 3, 2, 1, 1, 4),  // groups 4, stride 2
        (1, 32, 16, 8, 8, 3, 1, 1, 1, 1),  // wide channels
        (2, 4, 4, 5, 5, 5, 1, 0, 1, 1),  // kernel = image
    ]

    package static var fixed: [Conv2dParams] {
        square.map { s in
            Conv2dParams(batch: s.0, inChannels: s.1, outChannels: s.2, height: s.3, width: s.4, kernel: s.5,
                         stride: s.6, padding: s.7, dilation: s.8, groups: s.9)
        } + [Conv2dParams(batch: 3, inChannels: 6, outChannels: 9, height: 10, width: 13, kernelH: 3, kernelW: 5,
                          strideH: 1, strideW: 2, padH: 0, padW: 2, dilationH: 2, dilationW: 1, groups: 3)]
    }

    /// `--shapes small`: a 3×3 layer with padding, a strided, dilated, grouped 3×2 one, a pointwise one.
    package static var small: [Conv2dParams] {
        [Conv2dParams(batch: 2, inChannels: 3, outChannels: 4, height: 5, width: 6, kernel: 3, stride: 1, padding: 1,
                      dilation: 1, groups: 1),
         Conv2dParams(batch: 1, inChannels: 4, outChannels: 6, height: 7, width: 6, kernelH: 3, kernelW: 2, strideH: 2,
                      strideW: 1, padH: 1, padW: 0, dilationH: 1, dilationW: 2, groups: 2),
         Conv2dParams(batch: 2, inChannels: 3, outChannels: 2, height: 4, width: 5, kernel: 1, stride: 1, padding: 0,
                      dilation: 1, groups: 1)]
    }

    /// `count` valid shapes drawn from the seed: kernels 1, 3, 5 or 7, strides and dilations 1–2,
    /// groups 1–3, odd and even sizes 3–18, batch 1–3.
    package static func random(seed: UInt64, count: Int) -> [Conv2dParams] {
        let r: [UInt32] = PhiloxFill.raw(count: 14 * count, seed: seed, stream: 60)
        return (0..<count).map { i in
            let d = r[(14 * i)..<(14 * i + 14)].map(Int.init)
            let k = [1, 3, 5, 7][d[0] % 4], kw = [1, 3, 5, 7][d[1] % 4]
            let g = 1 + d[2] % 3
            let (sh, sw, dh, dw) = (1 + d[3] % 2, 1 + d[4] % 2, 1 + d[5] % 2, 1 + d[6] % 2)
            let (ph, pw) = (d[7] % (k / 2 + 1), d[8] % (kw / 2 + 1))
            let h = max(3 + d[9] % 16, dh * (k - 1) + 1 - 2 * ph), w = max(3 + d[10] % 16, dw * (kw - 1) + 1 - 2 * pw)
            return Conv2dParams(batch: 1 + d[11] % 3, inChannels: g * (1 + d[12] % 4), outChannels: g * (1 + d[13] % 5),
                                height: h, width: w, kernelH: k, kernelW: kw, strideH: sh, strideW: sw, padH: ph, padW: pw,
                                dilationH: dh, dilationW: dw, groups: g)
        }
    }

    /// The device's paths: both on our engines, the one on any other backend.
    static func paths(_ dev: any Backend) -> [(String, Conv2dPath?)] {
        dev is OpenCLBackend || dev is CPUBackend ? Conv2dPath.allCases.map { ($0.rawValue, $0) } : [("", nil)]
    }

    /// The four results of one layer: y (with bias), dx, dw and dbias.
    package struct Outputs<T: Scalar> {
        package var y: [T], dx: [T], dw: [T], db: [T]

        package init(y: [T], dx: [T], dw: [T], db: [T]) { (self.y, self.dx, self.dw, self.db) = (y, dx, dw, db) }
    }

    /// Random inputs of a layer (normals from the seed): x, w, bias, dy.
    package static func inputs<T: Scalar>(_ p: Conv2dParams, seed: UInt64) -> (x: [T], w: [T], b: [T], dy: [T]) {
        func normal(_ n: Int, _ stream: UInt32) -> [T] {
            (PhiloxFill.normal(count: n, seed: seed, stream: stream) as [Double]).map { T($0) }
        }
        return (normal(p.inputShape.reduce(1, *), 61), normal(p.weightShape.reduce(1, *), 62),
                normal(p.outChannels, 63), normal(p.outputShape.reduce(1, *), 64))
    }

    /// Forward and both backward passes of one layer on `be` (`path` on OpenCL; nil: the rule).
    package static func run<T: Scalar>(_ be: any Backend, path: Conv2dPath?, _ p: Conv2dParams,
                               _ v: (x: [T], w: [T], b: [T], dy: [T])) throws -> Outputs<T> {
        let x = try be.tensor(v.x, shape: p.inputShape), w = try be.tensor(v.w, shape: p.weightShape)
        let b = try be.tensor(v.b), dy = try be.tensor(v.dy, shape: p.outputShape)
        let y = try be.zeros(p.outputShape, as: T.self), dx = try be.zeros(p.inputShape, as: T.self)
        let dw = try be.zeros(p.weightShape, as: T.self), db = try be.zeros([p.outChannels], as: T.self)
        if let cl = be as? OpenCLBackend {
            try cl.conv2dForward(x, w, bias: b, p, into: y, path: path)
            try cl.conv2dBackwardInput(dy, w, p, into: dx, path: path)
            try cl.conv2dBackwardWeights(x, dy, p, into: dw, bias: db, path: path)
        } else if let cpu = be as? CPUBackend {
            try cpu.conv2dForward(x, w, bias: b, p, into: y, path: path)
            try cpu.conv2dBackwardInput(dy, w, p, into: dx, path: path)
            try cpu.conv2dBackwardWeights(x, dy, p, into: dw, bias: db, path: path)
        } else {
            try be.conv2dForward(x, w, bias: b, p, into: y)
            try be.conv2dBackwardInput(dy, w, p, into: dx)
            try be.conv2dBackwardWeights(x, dy, p, into: dw, bias: db)
        }
        return try Outputs(y: y.toArray(), dx: dx.toArray(), dw: dw.toArray(), db: db.toArray())
    }

    /// Rounding bound of a dot product of length k (GemmChecks'), judged normwise (floor 1).
    static func tolerance<T: Scalar>(_: T.Type, k: Int) -> Double { GemmChecks.tolerance(T.self, k: k) }

    /// Every output of `got` against `ref`, one line each.
    package static func compare<T: Scalar>(_ p: Conv2dParams, path: String, ref: Outputs<T>, got: Outputs<T>,
                                   seed: UInt64) -> [ValidationResult] {
        let suffix = path.isEmpty ? "" : ".\(path)"
        let kDx = p.outPerGroup * p.kernelH * p.kernelW, kDw = p.batch * p.outH * p.outW
        let shape = p.description.replacingOccurrences(of: "conv2d ", with: "")
        let lines: [(String, [T], [T], Int)] = [("forward", ref.y, got.y, p.patchSize + 1), ("dx", ref.dx, got.dx, kDx),
                                                ("dw", ref.dw, got.dw, kDw), ("dbias", ref.db, got.db, kDw)]
        return lines.map { name, a, b, k in
            var r = ValidationResult.compare(op: "conv2d.\(name)" + suffix, shape: [], ref: a, got: b,
                                             tolerance: tolerance(T.self, k: k), seed: seed, floor: 1)
            r.shape = shape
            return r
        }
    }

    /// CPU against the device on the fixed shapes and three seeded ones, every path.
    static func conv<T: Scalar>(_: T.Type) -> ValidationCheck {
        ValidationCheck(op: "conv2d") { cpu, dev, seed in
            if T.dtype == .f64 && !dev.supportsFP64 { return [] }
            var out: [ValidationResult] = []
            for (i, p) in Validation.shapes(fixed + random(seed: seed, count: 3), small: small).enumerated() {
                let v: (x: [T], w: [T], b: [T], dy: [T]) = inputs(p, seed: seed &+ UInt64(i))
                let ref = try run(cpu, path: nil, p, v)
                for (name, path) in paths(dev) {
                    out += compare(p, path: name, ref: ref, got: try run(dev, path: path, p, v), seed: seed)
                }
            }
            return out
        }
    }
}
