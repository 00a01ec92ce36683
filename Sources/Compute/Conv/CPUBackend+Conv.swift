import Dispatch
import Foundation

/// The CPU engine's convolution: each image is unrolled by im2col into a column matrix
/// [C·kH·kW, outH·outW], and the products are OpenBLAS GEMMs through `gemm`, one per image and
/// group, that read and write the images in place ([O, outH·outW] each, no reordering copies):
/// y_i = W·col_i for the output, dcol_i = Wᵀ·dy_i for the input gradient (then col2im adds each
/// entry back onto its pixel), and dW += dy_i·col_iᵀ for the weights. The batch is split in two
/// halves that run concurrently with OpenBLAS on one thread; each half unrolls one image at a
/// time into its own column matrix (CPUConv.scratch, kept per thread), which stays in cache for
/// the GEMM that reads it. Thin groups (fewer than 8 output channels, depthwise above all),
/// which `Conv2dPath.choose` sends to the direct path, run the loops of CPUConvDirect instead;
/// `path:` forces either.
extension CPUBackend {
    /// conv2d forward on `path` (nil: `Conv2dPath.choose`).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func conv2dForward<T: Scalar>(_ x: Tensor<T>, _ w: Tensor<T>, bias: Tensor<T>?, _ p: Conv2dParams,
                                         into y: Tensor<T>, path: Conv2dPath?) throws {
        try checkConv("conv2d", x: x, w: w, y: y, bias: bias, p)
        if (path ?? .choose(p)) == .direct {
            return CPUConvDirect.forward(ptr(x), ptr(w), bias: bias.map { ptr($0) }, p, into: ptr(y))
        }
        let s = CPUConv.Sizes(p)
        let (px, py) = (ptr(x), ptr(y))
        let pb = bias.map { ptr($0) }
        try CPUConv.halves(p.batch) { r in
            let col: Tensor<T> = try CPUConv.scratch(0, s.colRows * s.plane, on: self)
            for i in r {
                CPUConv.im2col(px + i * s.imageIn, p, into: ptr(col), ld: s.plane)
                for g in 0..<p.groups {
                    // y_i,g [Og, plane] = W_g [Og, Kg] · col_g [Kg, plane]
                    var q = GemmParams(m: p.outPerGroup, n: s.plane, k: p.patchSize)
                    q.offsetA = g * p.outPerGroup * p.patchSize
                    q.offsetB = g * p.patchSize * s.plane
                    q.offsetC = i * s.imageOut + g * p.outPerGroup * s.plane
                    try gemm(q, alpha: 1, w, col, beta: 0, y)
                }
                if let pb { CPUConv.addBias(pb, to: py + i * s.imageOut, p) }
            }
        }
    }

    /// The input gradient on `path` (nil: `Conv2dPath.choose`).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func conv2dBackwardInput<T: Scalar>(_ dy: Tensor<T>, _ w: Tensor<T>, _ p: Conv2dParams,
                                               into dx: Tensor<T>, path: Conv2dPath?) throws {
        try checkConv("conv2dBackwardInput", x: dx, w: w, y: dy, bias: nil, p)
        if (path ?? .choose(p)) == .direct { return CPUConvDirect.backwardInput(ptr(dy), ptr(w), p, into: ptr(dx)) }
        let s = CPUConv.Sizes(p)
        let pdx = ptr(dx)
        try CPUConv.halves(p.batch) { r in
            let dcol: Tensor<T> = try CPUConv.scratch(0, s.colRows * s.plane, on: self)
            for i in r {
                for g in 0..<p.groups {
                    // dcol_g [Kg, plane] = W_gᵀ [Kg, Og] · dy_i,g [Og, plane]
                    var q = GemmParams(m: p.patchSize, n: s.plane, k: p.outPerGroup, transA: true)
                    q.offsetA = g * p.outPerGroup * p.patchSize
                    q.offsetB = i * s.imageOut + g * p.outPerGroup * s.plane
                    q.offsetC = g * p.patchSize * s.plane
                    try gemm(q, alpha: 1, w, dy, beta: 0, dcol)
                }
                CPUConv.col2im(ptr(dcol), ld: s.plane, p, into: pdx + i * s.imageIn)
            }
        }
    }

    /// The weight (and bias) gradients on `path` (nil: `Conv2dPath.choose`).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func conv2dBackwardWeights<T: Scalar>(_ x: Tensor<T>, _ dy: Tensor<T>, _ p: Conv2dParams,
                                                 into dw: Tensor<T>, bias dbias: Tensor<T>?, path: Conv2dPath?) throws {
        try checkConv("conv2dBackwardWeights", x: x, w: dw, y: dy, bias: dbias, p)
        if let dbias { CPUConv.biasGradient(ptr(dy), into: ptr(dbias), p) }
        if (path ?? .choose(p)) == .direct { return CPUConvDirect.backwardWeights(ptr(x), ptr(dy), p, into: ptr(dw)) }
        let s = CPUConv.Sizes(p)
        // The second half's weight gradient goes to its own scratch and is added at the end.
        let part: Tensor<T> = try CPUConv.scratch(1, dw.count, on: self)
        let (px, pdw, ppart) = (ptr(x), ptr(dw), ptr(part))
        try CPUConv.halves(p.batch) { r in
            let col: Tensor<T> = try CPUConv.scratch(0, s.colRows * s.plane, on: self)
            let target = r.lowerBound == 0 ? dw : part
            for i in r {
                CPUConv.im2col(px + i * s.imageIn, p, into: ptr(col), ld: s.plane)
                for g in 0..<p.groups {
                    // dW_g [Og, Kg] (+)= dy_i,g [Og, plane] · col_gᵀ [plane, Kg]
                    var q = GemmParams(m: p.outPerGroup, n: p.patchSize, k: s.plane, transB: true)
                    q.offsetA = i * s.imageOut + g * p.outPerGroup * s.plane
                    q.offsetB = g * p.patchSize * s.plane
                    q.offsetC = g * p.outPerGroup * p.patchSize
                    try gemm(q, alpha: 1, dy, col, beta: i == r.lowerBound ? 0 : 1, target)
                }
            }
        }
        if p.batch > 1 { for i in 0..<dw.count { pdw[i] += ppart[i] } }
    }
}

/// The loops of the CPU convolution, specialised for Float and Double.
enum CPUConv {
    struct Sizes {
        let plane: Int, imageIn: Int, imageOut: Int, colRows: Int
        /// 1×1 kernel, stride 1, no padding: the image is its own column matrix (OpenCL path).
        let pointwise: Bool

        init(_ p: Conv2dParams) {
            plane = p.outH * p.outW
            imageIn = p.inChannels * p.height * p.width
            imageOut = p.outChannels * plane
            colRows = p.inChannels * p.kernelH * p.kernelW
            pointwise = p.kernelH == 1 && p.kernelW == 1 && p.strideH == 1 && p.strideW == 1 && p.padH == 0
                && p.padW == 0
        }
    }

    /// Scratch tensor `slot` of at least `count` elements on `backend`, kept per thread (so
    /// concurrent callers never share one) and reused while large enough: a fresh buffer per
    /// call would cost a zero fill and page faults on every call. Contents are undefined.
    static func scratch<T: Scalar>(_ slot: Int, _ count: Int, on backend: CPUBackend) throws -> Tensor<T> {
        let key = "gpurun.conv2d.scratch.\(T.dtype.rawValue).\(slot)"
        let cache = Thread.current.threadDictionary
        if let t = cache[key] as? Tensor<T>, t.count >= count, t.backend === backend { return t }
        cache[key] = nil
        let t = try backend.zeros([count], as: T.self)
        cache[key] = t
        return t
    }

    /// body(r) for the two halves r of 0..<count, concurrently and with OpenBLAS on one thread
    /// (its own worker would otherwise spin after each call, taking a core from the other
    /// half); one range, and OpenBLAS's threads, when count is 1. The first error thrown is
    /// rethrown once both halves have finished.
    static func halves(_ count: Int, _ body: (Range<Int>) throws -> Void) throws {
        if count <= 1 { return try body(0..<count) }
        let failure = FirstError()
        LAPACK.withBLASThreads(1) {
            withoutActuallyEscaping(body) { body in
                nonisolated(unsafe) let task = body
                DispatchQueue.concurrentPerform(iterations: 2) { h in
                    do { try task((h * count / 2)..<((h + 1) * count / 2)) } catch { failure.set(error) }
                }
            }
        }
        if let error = failure.error { throw error }
    }

    /// body(0..<count), one image per task on the CPU's cores (images touch disjoint memory).
    static func parallel(_ count: Int, _ body: (Int) -> Void) {
        if count == 1 { return body(0) }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let task = body
            DispatchQueue.concurrentPerform(iterations: count) { task($0) }
        }
    }

    /// y[o, ·] += bias[o] for one image's outputs y [O, plane].
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func addBias<T: Scalar>(_ bias: UnsafeMutablePointer<T>, to y: UnsafeMutablePointer<T>, _ p: Conv2dParams) {
        let plane = p.outH * p.outW
        for o in 0..<p.outChannels {
            let (row, v) = (y + o * plane, bias[o])
            for i in 0..<plane { row[i] += v }
        }
    }

    /// Output positions o in 0..<count whose input position o·stride + base lies in 0..<size.
    @inline(__always)
    static func valid(base: Int, stride: Int, size: Int, count: Int) -> Range<Int> {
        let lo = base >= 0 ? 0 : (stride - 1 - base) / stride
        let hi = size - 1 - base < 0 ? 0 : min(count, (size - 1 - base) / stride + 1)
        return lo < hi ? lo..<hi : 0..<0
    }

    /// One tap (kh, kw) of the kernel window: its offsets into the input (input row
    /// oh·sH + baseH, column ow·sW + baseW) and the output rows and columns whose input pixel lies
    /// inside the image.
    struct Tap {
        let kh: Int, kw: Int, baseH: Int, baseW: Int
        let rows: Range<Int>, cols: Range<Int>
        /// kh·kW + kw, the tap's place in a kernel plane.
        let index: Int
    }

    /// body for each tap of p's kernel window, kh outer, kw inner.
    @inline(__always)
    static func forEachTap(_ p: Conv2dParams, _ body: (Tap) -> Void) {
        for kh in 0..<p.kernelH {
            let baseH = kh * p.dilationH - p.padH
            let rows = valid(base: baseH, stride: p.strideH, size: p.height, count: p.outH)
            for kw in 0..<p.kernelW {
                let baseW = kw * p.dilationW - p.padW
                let cols = valid(base: baseW, stride: p.strideW, size: p.width, count: p.outW)
                body(Tap(kh: kh, kw: kw, baseH: baseH, baseW: baseW, rows: rows, cols: cols, index: kh * p.kernelW + kw))
            }
        }
    }

    /// col[(c·kH + kh)·kW + kw, oh·outW + ow] = x[c, oh·sH − pH + kh·dH, ow·sW − pW + kw·dW] (0 outside),
    /// rows `ld` apart.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func im2col<T: Scalar>(_ x: UnsafeMutablePointer<T>, _ p: Conv2dParams, into col: UnsafeMutablePointer<T>,
                                  ld: Int) {
        let (oH, oW, H, W) = (p.outH, p.outW, p.height, p.width)
        for c in 0..<p.inChannels {
            forEachTap(p) { t in
                let (baseH, baseW, rh, rw) = (t.baseH, t.baseW, t.rows, t.cols)
                let row = col + (c * p.kernelH * p.kernelW + t.index) * ld
                if dense(p), !rh.isEmpty {
                    // Rows are consecutive on both sides: one copy, then the edge columns and rows.
                    let plane = x + c * H * W
                    let span = shiftedSpan(rows: rh, W: W, offset: baseH * W + baseW, planeSize: H * W)
                    (row + span.lowerBound).update(from: plane + (span.lowerBound + baseH * W + baseW),
                                                  count: span.count)
                    row.update(repeating: 0, count: rh.lowerBound * oW)
                    (row + rh.upperBound * oW).update(repeating: 0, count: (oH - rh.upperBound) * oW)
                    for oh in rh { zeroEdges(row + oh * oW, rw, oW) }
                    return
                }
                for oh in 0..<oH {
                    let dst = row + oh * oW
                    guard rh.contains(oh), !rw.isEmpty else {
                        dst.update(repeating: 0, count: oW)
                        continue
                    }
                    let src = x + (c * H + oh * p.strideH + baseH) * W
                    if p.strideW == 1 {
                        (dst + rw.lowerBound).update(from: src + (rw.lowerBound + baseW), count: rw.count)
                    } else {
                        for ow in rw { dst[ow] = src[ow * p.strideW + baseW] }
                    }
                    zeroEdges(dst, rw, oW)
                }
            }
        }
    }

    /// Stride 1 both ways and rows as wide as the input ("same" padding): a column-matrix row is
    /// the input plane shifted by a constant, so whole blocks of rows move at once.
    @inline(__always)
    static func dense(_ p: Conv2dParams) -> Bool { p.strideH == 1 && p.strideW == 1 && p.outW == p.width }

    /// Output positions oh·W + ow of the rows `rows` whose shifted input position lies inside the
    /// plane [0, planeSize) (the clipped ends are edge columns, handled apart).
    @inline(__always)
    static func shiftedSpan(rows: Range<Int>, W: Int, offset: Int, planeSize: Int) -> Range<Int> {
        let lo = max(rows.lowerBound * W, -offset), hi = min(rows.upperBound * W, planeSize - offset)
        return lo < hi ? lo..<hi : lo..<lo
    }

    /// Zeroes the columns of a row outside `valid`.
    @inline(__always)
    static func zeroEdges<T: Scalar>(_ row: UnsafeMutablePointer<T>, _ valid: Range<Int>, _ width: Int) {
        if valid.isEmpty { return row.update(repeating: 0, count: width) }
        zeroSpan(row, valid.lowerBound)
        zeroSpan(row + valid.upperBound, width - valid.upperBound)
    }

    /// count zeros at p. Edges of "same" padding are one pixel wide, and a memset call (which
    /// the compiler makes of any zeroing loop) costs more than the store.
    @inline(__always)
    static func zeroSpan<T: Scalar>(_ p: UnsafeMutablePointer<T>, _ count: Int) {
        switch count {
        case 0: return
        case 1: p[0] = 0
        case 2: (p[0], p[1]) = (0, 0)
        default: p.update(repeating: 0, count: count)
        }
    }

    /// dx = 0, then every col entry (rows `ld` apart) added onto the pixel im2col read it from;
    /// entries that fall outside the image may be overwritten with zeros.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func col2im<T: Scalar>(_ col: UnsafeMutablePointer<T>, ld: Int, _ p: Conv2dParams,
                                  into dx: UnsafeMutablePointer<T>) {
        let (oW, H, W) = (p.outW, p.height, p.width)
        dx.update(repeating: 0, count: p.inChannels * H * W)
        for c in 0..<p.inChannels {
            forEachTap(p) { t in
                let (baseH, baseW, rh, rw) = (t.baseH, t.baseW, t.rows, t.cols)
                let row = col + (c * p.kernelH * p.kernelW + t.index) * ld
                if dense(p), !rh.isEmpty {
                    // Drop the entries that fall outside the image (the column matrix is
                    // scratch), then add whole blocks of rows at once.
                    for oh in rh { zeroEdges(row + oh * oW, rw, oW) }
                    let span = shiftedSpan(rows: rh, W: W, offset: baseH * W + baseW, planeSize: H * W)
                    let dst = dx + (c * H * W + baseH * W + baseW)
                    for i in span { dst[i] += row[i] }
                    return
                }
                for oh in rh {
                    let src = row + oh * oW
                    let dst = dx + (c * H + oh * p.strideH + baseH) * W
                    if p.strideW == 1 {
                        for ow in rw { dst[ow + baseW] += src[ow] }
                    } else {
                        for ow in rw { dst[ow * p.strideW + baseW] += src[ow] }
                    }
                }
            }
        }
    }

    /// dbias[o] = Σ_{n, i, j} dy[n, o, i, j], summed in double.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func biasGradient<T: Scalar>(_ dy: UnsafeMutablePointer<T>, into dbias: UnsafeMutablePointer<T>,
                                        _ p: Conv2dParams) {
        let plane = p.outH * p.outW
        for o in 0..<p.outChannels {
            var s = 0.0
            for n in 0..<p.batch {
                let row = dy + (n * p.outChannels + o) * plane
                for i in 0..<plane { s += row[i].double }
            }
            dbias[o] = T(s)
        }
    }
}
