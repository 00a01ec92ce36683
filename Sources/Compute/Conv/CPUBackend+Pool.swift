import OpenCLRuntime
/// The CPU engine's pooling: plain loops over each N·C plane, specialised for Float and Double.
/// The backward passes add each window's gradient onto the input (a scatter); the OpenCL twins
/// (kernels/pool.cl) gather the same terms in the same order.
extension CPUBackend {
    public func maxPool2dForward<T: Scalar>(_ x: Tensor<T>, _ p: Pool2dParams, into y: Tensor<T>) throws {
        try checkPool("maxPool2d", x: x, y: y, p)
        CPUPool.forward(max: true, ptr(x), p, into: ptr(y))
    }

    public func maxPool2dBackward<T: Scalar>(_ x: Tensor<T>, _ dy: Tensor<T>, _ p: Pool2dParams,
                                             into dx: Tensor<T>) throws {
        try checkPool("maxPool2dBackward", x: x, y: dy, p)
        try checkOperands("maxPool2dBackward", [dx], count: x.count)
        CPUPool.backward(x: ptr(x), ptr(dy), p, into: ptr(dx))
    }

    public func avgPool2dForward<T: Scalar>(_ x: Tensor<T>, _ p: Pool2dParams, into y: Tensor<T>) throws {
        try checkPool("avgPool2d", x: x, y: y, p)
        CPUPool.forward(max: false, ptr(x), p, into: ptr(y))
    }

    public func avgPool2dBackward<T: Scalar>(_ dy: Tensor<T>, _ p: Pool2dParams, into dx: Tensor<T>) throws {
        try checkPool("avgPool2dBackward", x: dx, y: dy, p)
        CPUPool.backward(x: nil, ptr(dy), p, into: ptr(dx))
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func globalAvgPoolForward<T: Scalar>(_ x: Tensor<T>, into y: Tensor<T>) throws {
        let (planes, size) = try checkGlobalPool("globalAvgPool", x: x, y: y)
        let px = ptr(x), py = ptr(y)
        for i in 0..<planes {
            var s = 0.0
            for j in 0..<size { s += px[i * size + j].double }
            py[i] = T(s / Double(size))
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func globalAvgPoolBackward<T: Scalar>(_ dy: Tensor<T>, into dx: Tensor<T>) throws {
        let (planes, size) = try checkGlobalPool("globalAvgPoolBackward", x: dx, y: dy)
        let pdx = ptr(dx), pdy = ptr(dy)
        for i in 0..<planes { (pdx + i * size).update(repeating: pdy[i] / T(Double(size)), count: size) }
    }
}

/// Pooling loops. Windows are clipped to the image; max pooling takes the first maximum in
/// row-major order and lets NaN win (`v > m || v.isNaN`), as kernels/pool.cl does.
enum CPUPool {
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func forward<T: Scalar>(max: Bool, _ x: UnsafeMutablePointer<T>, _ p: Pool2dParams,
                                   into y: UnsafeMutablePointer<T>) {
        let (H, W, oH, oW) = (p.height, p.width, p.outH, p.outW)
        let divisor = T(Double(p.kernelH * p.kernelW))
        if max && tiles(p) && p.kernelH == 2 && p.kernelW == 2 {
            return CPUTraining.planes(count: p.batch * p.channels) { plane in
                Tile2.forward(x + plane &* H &* W, H: H, W: W, into: y + plane &* oH &* oW)
            }
        }
        if max && tiles(p) {
            return CPUTraining.planes(count: p.batch * p.channels) { plane in
                let src = x + plane * H * W, dst = y + plane * oH * oW
                for oh in 0..<oH {
                    for ow in 0..<oW {
                        dst[oh * oW + ow] = src[tileArgmax(src, oh, ow, p)]
                    }
                }
            }
        }
        CPUTraining.planes(count: p.batch * p.channels) { plane in
            let src = x + plane * H * W, dst = y + plane * oH * oW
            forEachWindow(p) { o, hs, ws in
                if max {
                    var m = -T.infinity
                    for h in hs { for w in ws { let v = src[h * W + w]; if v > m || v.isNaN && !m.isNaN { m = v } } }
                    dst[o] = m
                } else {
                    var s: T = 0
                    for h in hs { for w in ws { s += src[h * W + w] } }
                    dst[o] = s / divisor
                }
            }
        }
    }

    /// Max pooling when `x` is given (each window's dy to its first maximum), else average
    /// pooling (dy / (kH·kW) to every pixel of the window). dx is overwritten.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func backward<T: Scalar>(x: UnsafeMutablePointer<T>?, _ dy: UnsafeMutablePointer<T>, _ p: Pool2dParams,
                                    into dx: UnsafeMutablePointer<T>) {
        let (H, W, oH, oW) = (p.height, p.width, p.outH, p.outW)
        let divisor = T(Double(p.kernelH * p.kernelW))
        if let x, tiles(p) {
            // Each pixel lies in at most one tile: clear each plane in its own task, then add.
            return CPUTraining.planes(count: p.batch * p.channels) { plane in
                let (H, W, oH, oW) = (H, W, oH, oW)  // locals (see forward)
                let g = dy + plane * oH * oW, d = dx + plane * H * W, src = x + plane * H * W
                if p.kernelH == 2 && p.kernelW == 2 { return Tile2.backward(x: src, g, H: H, W: W, into: d) }
                d.update(repeating: 0, count: H * W)
                for oh in 0..<oH {
                    for ow in 0..<oW { d[tileArgmax(src, oh, ow, p)] += g[oh * oW + ow] }
                }
            }
        }
        dx.update(repeating: 0, count: p.batch * p.channels * H * W)
        CPUTraining.planes(count: p.batch * p.channels) { plane in
            let g = dy + plane * oH * oW, d = dx + plane * H * W
            forEachWindow(p) { o, hs, ws in
                if let x {
                    d[argmax(x + plane * H * W, hs, ws, W)] += g[o]
                } else {
                    let v = g[o] / divisor
                    for h in hs { for w in ws { d[h * W + w] += v } }
                }
            }
        }
    }

    /// body(oh·outW + ow, rows, columns) for each output pixel, row-major: the input rows and
    /// columns of its window, clipped to the image.
    @inline(__always)
    static func forEachWindow(_ p: Pool2dParams, _ body: (Int, Range<Int>, Range<Int>) -> Void) {
        for oh in 0..<p.outH {
            let h0 = oh * p.strideH - p.padH
            let hs = Swift.max(h0, 0)..<Swift.min(h0 + p.kernelH, p.height)
            for ow in 0..<p.outW {
                let w0 = ow * p.strideW - p.padW
                body(oh * p.outW + ow, hs, Swift.max(w0, 0)..<Swift.min(w0 + p.kernelW, p.width))
            }
        }
    }

    /// Windows that tile the image without padding (stride = kernel, as in a 2×2 max pool):
    /// no clipping, so the fast loops of `tileArgmax` apply.
    static func tiles(_ p: Pool2dParams) -> Bool {
        p.padH == 0 && p.padW == 0 && p.strideH == p.kernelH && p.strideW == p.kernelW
    }

    /// Index of the first maximum (NaN wins) of tile (oh, ow), as `argmax` finds it.
    @inline(__always)
    static func tileArgmax<T: Scalar>(_ src: UnsafeMutablePointer<T>, _ oh: Int, _ ow: Int, _ p: Pool2dParams) -> Int {
        let (kh, kw, w) = (p.kernelH, p.kernelW, p.width)
        var best = oh * kh * w + ow * kw
        var m = src[best]
        for h in 0..<kh {
            let row = (oh * kh + h) * w + ow * kw
            for j in 0..<kw {
                let v = src[row + j]
                if v > m || v.isNaN && !m.isNaN {
                    m = v
                    best = row + j
                }
            }
        }
        return best
    }

    /// Index (h·W + w) of the first maximum of a window (NaN counts as the maximum).
    @inline(__always)
    static func argmax<T: Scalar>(_ src: UnsafeMutablePointer<T>, _ hs: Range<Int>, _ ws: Range<Int>, _ W: Int) -> Int {
        var m = -T.infinity, best = hs.lowerBound * W + ws.lowerBound
        for h in hs {
            for w in ws {
                let v = src[h * W + w]
                if v > m || v.isNaN && !m.isNaN {
                    m = v
                    best = h * W + w
                }
            }
        }
        return best
    }
}
