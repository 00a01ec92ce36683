import Foundation

/// The CPU engine's direct convolution, for the shapes `Conv2dPath.choose` sends to it (thin
/// groups, depthwise above all, where im2col + GEMM degenerates into matrix–vector products):
/// loops over the kernel window whose innermost loop runs along an output row, specialised for
/// Float and Double, split over the CPU's cores by output plane (forward), input plane (input
/// gradient) or output channel (weight gradient).
enum CPUConvDirect {
    /// body over `total` items in contiguous ranges, a few per core.
    static func parallel(_ total: Int, _ body: (Range<Int>) -> Void) {
        let parts = min(total, 4 * ProcessInfo.processInfo.activeProcessorCount)
        if parts <= 1 { return body(0..<total) }
        CPUConv.parallel(parts) { i in body((i * total / parts)..<((i + 1) * total / parts)) }
    }

    /// One tap's share of a convolution between an input plane `image` [H, W] and an output
    /// plane `plane` [outH, outW]: plane += v · image shifted by the tap (forward), or, with
    /// intoImage, image shifted by the tap += v · plane (input gradient).
    @inline(__always)
    static func addTap<T: Scalar>(_ v: T, _ t: CPUConv.Tap, _ p: Conv2dParams, image: UnsafeMutablePointer<T>,
                                  plane: UnsafeMutablePointer<T>, intoImage: Bool) {
        let (W, oW, sW) = (p.width, p.outW, p.strideW)
        for oh in t.rows {
            let row = plane + oh * oW, line = image + (oh * p.strideH + t.baseH) * W + t.baseW
            switch (intoImage, sW == 1) {
            case (false, true): for ow in t.cols { row[ow] += v * line[ow] }
            case (false, false): for ow in t.cols { row[ow] += v * line[ow * sW] }
            case (true, true): for ow in t.cols { line[ow] += v * row[ow] }
            case (true, false): for ow in t.cols { line[ow * sW] += v * row[ow] }
            }
        }
    }

    /// y[n, o] = bias[o] + Σ_{c, kh, kw} w[o, c, kh, kw] · x[n, g·Cg + c] shifted by (kh, kw).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func forward<T: Scalar>(_ x: UnsafeMutablePointer<T>, _ w: UnsafeMutablePointer<T>,
                                   bias: UnsafeMutablePointer<T>?, _ p: Conv2dParams, into y: UnsafeMutablePointer<T>) {
        accumulate(x, w, p, into: y, bias: bias, intoImage: false)
    }

    /// dx[n, c] = Σ over the group's o and (kh, kw) of w[o, c mod Cg, kh, kw] · dy[n, o] moved back
    /// onto the input pixels it came from.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func backwardInput<T: Scalar>(_ dy: UnsafeMutablePointer<T>, _ w: UnsafeMutablePointer<T>, _ p: Conv2dParams,
                                         into dx: UnsafeMutablePointer<T>) {
        accumulate(dy, w, p, into: dx, bias: nil, intoImage: true)
    }

    /// The forward pass (intoImage false: target y's [n, o] planes from source x's) or the input
    /// gradient (intoImage true: target dx's [n, c] planes from source dy's): each target plane
    /// starts at its bias (or 0), then takes the taps of every source channel of its group, in
    /// channel order; one task per target plane.
    @inline(__always)
    static func accumulate<T: Scalar>(_ source: UnsafeMutablePointer<T>, _ w: UnsafeMutablePointer<T>,
                                      _ p: Conv2dParams, into target: UnsafeMutablePointer<T>,
                                      bias: UnsafeMutablePointer<T>?, intoImage: Bool) {
        let (image, plane, cg) = (p.height * p.width, p.outH * p.outW, p.inPerGroup)
        let (channels, perGroup, partners) = intoImage ? (p.inChannels, cg, p.outPerGroup)
                                                       : (p.outChannels, p.outPerGroup, cg)
        let (sourceChannels, targetSize, sourceSize) = intoImage ? (p.outChannels, image, plane)
                                                                 : (p.inChannels, plane, image)
        parallel(p.batch * channels) { targets in
            for nt in targets {
                let (n, t) = nt.quotientAndRemainder(dividingBy: channels)
                let (g, inGroup) = t.quotientAndRemainder(dividingBy: perGroup)
                let out = target + nt * targetSize
                out.update(repeating: bias?[t] ?? 0, count: targetSize)
                for j in 0..<partners {
                    let s = g * partners + j
                    let src = source + (n * sourceChannels + s) * sourceSize
                    let (o, c) = intoImage ? (s, inGroup) : (t, j)
                    CPUConv.forEachTap(p) { tap in
                        let v = w[(o * cg + c) * p.kernelH * p.kernelW + tap.index]
                        if intoImage {
                            addTap(v, tap, p, image: out, plane: src, intoImage: true)
                        } else {
                            addTap(v, tap, p, image: src, plane: out, intoImage: false)
                        }
                    }
                }
            }
        }
    }

    /// dw[o, c, kh, kw] = Σ_{n, oh, ow} dy[n, o, oh, ow] · x[n, g·Cg + c, ih, iw]; each row's
    /// products are summed in T, the rows in double.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func backwardWeights<T: Scalar>(_ x: UnsafeMutablePointer<T>, _ dy: UnsafeMutablePointer<T>, _ p: Conv2dParams,
                                           into dw: UnsafeMutablePointer<T>) {
        let (H, W, oH, oW, cg) = (p.height, p.width, p.outH, p.outW, p.inPerGroup)
        parallel(p.outChannels * cg) { items in
            for oc in items {
                let (o, c) = oc.quotientAndRemainder(dividingBy: cg)
                let g = o / p.outPerGroup
                CPUConv.forEachTap(p) { t in
                    var total = 0.0
                    for n in 0..<p.batch {
                        let grad = dy + (n * p.outChannels + o) * oH * oW
                        let src = x + (n * p.inChannels + g * cg + c) * H * W
                        for oh in t.rows {
                            let row = grad + oh * oW, line = src + (oh * p.strideH + t.baseH) * W + t.baseW
                            var s: T = 0
                            if p.strideW == 1 {
                                for ow in t.cols { s += row[ow] * line[ow] }
                            } else {
                                for ow in t.cols { s += row[ow] * line[ow * p.strideW] }
                            }
                            total += s.double
                        }
                    }
                    dw[(o * cg + c) * p.kernelH * p.kernelW + t.index] = T(total)
                }
            }
        }
    }
}
