/// Validation of max, average and global average pooling, forward and backward, on a device
/// against the CPU engine. Max pooling also runs on inputs rounded to halves, so windows hold
/// ties and both engines must pick the same (first) maximum.
package enum PoolChecks {
    package static var all: [ValidationCheck] { [check(Float.self), check(Double.self)] }

    /// Windows: 2×2 stride 2; ResNet's 3×3 stride 2 padding 1; 3×3 stride 1; an asymmetric
    /// 3×2 window with stride (1, 2) and padding (1, 0); odd sizes; batches 1 and 17.
    static var shapes: [Pool2dParams] {
        Validation.shapes(fullShapes, small: [Pool2dParams(batch: 1, channels: 2, height: 5, width: 6, kernel: 3, stride: 2,
                                                           padding: 1)])
    }

    static var fullShapes: [Pool2dParams] {
        [Pool2dParams(batch: 2, channels: 3, height: 8, width: 8, kernel: 2),
         Pool2dParams(batch: 1, channels: 4, height: 11, width: 9, kernel: 3, stride: 2, padding: 1),
         Pool2dParams(batch: 17, channels: 2, height: 7, width: 5, kernel: 3, stride: 1, padding: 1),
         Pool2dParams(batch: 2, channels: 5, height: 9, width: 13, kernelH: 3, kernelW: 2, strideH: 1, strideW: 2,
                      padH: 1, padW: 0),
         Pool2dParams(batch: 3, channels: 2, height: 5, width: 5, kernel: 5)]
    }

    /// y and dx of max pooling, average pooling and global average pooling on `be`.
    package static func run<T: Scalar>(_ be: any Backend, _ p: Pool2dParams, x xs: [T], dy dys: [T],
                               dyGlobal: [T]) throws -> [String: [T]] {
        let x = try be.tensor(xs, shape: p.inputShape), dy = try be.tensor(dys, shape: p.outputShape)
        let y = try be.zeros(p.outputShape, as: T.self), dx = try be.zeros(p.inputShape, as: T.self)
        var out: [String: [T]] = [:]
        try be.maxPool2dForward(x, p, into: y)
        try be.maxPool2dBackward(x, dy, p, into: dx)
        (out["maxpool.forward"], out["maxpool.dx"]) = (try y.toArray(), try dx.toArray())
        try be.avgPool2dForward(x, p, into: y)
        try be.avgPool2dBackward(dy, p, into: dx)
        (out["avgpool.forward"], out["avgpool.dx"]) = (try y.toArray(), try dx.toArray())
        let g = try be.zeros([p.batch, p.channels], as: T.self)
        try be.globalAvgPoolForward(x, into: g)
        try be.globalAvgPoolBackward(be.tensor(dyGlobal, shape: [p.batch, p.channels, 1, 1]), into: dx)
        (out["globalavgpool.forward"], out["globalavgpool.dx"]) = (try g.toArray(), try dx.toArray())
        return out
    }

    static func check<T: Scalar>(_: T.Type) -> ValidationCheck {
        ValidationCheck(op: "pool2d") { cpu, dev, seed in
            if T.dtype == .f64 && !dev.supportsFP64 { return [] }
            var out: [ValidationResult] = []
            for (i, p) in shapes.enumerated() {
                let s = seed &+ UInt64(i)
                let n = p.inputShape.reduce(1, *)
                let normal: [Double] = PhiloxFill.normal(count: n, seed: s, stream: 70)
                let dy: [T] = (PhiloxFill.normal(count: p.outputShape.reduce(1, *), seed: s, stream: 71) as [Double])
                    .map { T($0) }
                let dyGlobal: [T] = (PhiloxFill.normal(count: p.batch * p.channels, seed: s, stream: 72) as [Double])
                    .map { T($0) }
                for (label, xs) in [("", normal.map { T($0) }), (".ties", normal.map { T(($0 * 2).rounded() / 2) })] {
                    let ref = try run(cpu, p, x: xs, dy: dy, dyGlobal: dyGlobal)
                    let got = try run(dev, p, x: xs, dy: dy, dyGlobal: dyGlobal)
                    for key in ref.keys.sorted() where label.isEmpty || key.hasPrefix("maxpool") {
                        // Max pooling moves values exactly; the averages round once per term.
                        let tol = key.hasPrefix("max") ? 0 : 8 * T.eps * Double(p.height * p.width).squareRoot()
                        var r = ValidationResult.compare(op: key + label, shape: p.inputShape, ref: ref[key]!,
                                                         got: got[key]!, tolerance: tol, seed: s, floor: 1)
                        r.shape = p.description.replacingOccurrences(of: "pool2d ", with: "")
                        out.append(r)
                    }
                }
            }
            return out
        }
    }
}
