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

    /// y[n, o] = bias[o] + Σ_{c, kh, kw} w[o, c, kh, kw] · x[n, g·Cg + c] shifted by (kh, kw).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func forward<T: Scalar>(_ x: UnsafeMutablePointer<T>, _ w: UnsafeMutablePointer<T>,
                                   bias: UnsafeMutablePointer<T>?, _ p: Conv2dParams, into y: UnsafeMutablePointer<T>) {
        let (H, W, oH, oW, cg) = (p.height, p.width, p.outH, p.outW, p.inPerGroup)
        parallel(p.batch * p.outChannels) { planes in
            for no in planes {
                let (n, o) = no.quotientAndRemainder(dividingBy: p.outChannels)
                let g = o / p.outPerGroup
                let out = y + no * oH * oW
                out.update(repeating: bias?[o] ?? 0, count: oH * oW)
                for c in 0..<cg {
                    let src = x + (n * p.inChannels + g * cg + c) * H * W
                    for kh in 0..<p.kernelH {
                        let baseH = kh * p.dilationH - p.padH
                        let rh = CPUConv.valid(base: baseH, stride: p.strideH, size: H, count: oH)
                        for kw in 0..<p.kernelW {
                            let baseW = kw * p.dilationW - p.padW
                            let rw = CPUConv.valid(base: baseW, stride: p.strideW, size: W, count: oW)
                            let v = w[((o * cg + c) * p.kernelH + kh) * p.kernelW + kw]
                            for oh in rh {
                                let row = out + oh * oW, line = src + (oh * p.strideH + baseH) * W + baseW
                                if p.strideW == 1 {
                                    for ow in rw { row[ow] += v * line[ow] }
                                } else {
                                    for ow in rw { row[ow] += v * line[ow * p.strideW] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dx[n, c] = Σ over the group's o and (kh, kw) of w[o, c mod Cg, kh, kw] · dy[n, o] moved back
    /// onto the input pixels it came from.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func backwardInput<T: Scalar>(_ dy: UnsafeMutablePointer<T>, _ w: UnsafeMutablePointer<T>, _ p: Conv2dParams,
                                         into dx: UnsafeMutablePointer<T>) {
        let (H, W, oH, oW, cg) = (p.height, p.width, p.outH, p.outW, p.inPerGroup)
        parallel(p.batch * p.inChannels) { planes in
            for nc in planes {
                let (n, c) = nc.quotientAndRemainder(dividingBy: p.inChannels)
                let (g, cc) = c.quotientAndRemainder(dividingBy: cg)
                let out = dx + nc * H * W
                out.update(repeating: 0, count: H * W)
                for o in (g * p.outPerGroup)..<((g + 1) * p.outPerGroup) {
                    let grad = dy + (n * p.outChannels + o) * oH * oW
                    for kh in 0..<p.kernelH {
                        let baseH = kh * p.dilationH - p.padH
                        let rh = CPUConv.valid(base: baseH, stride: p.strideH, size: H, count: oH)
                        for kw in 0..<p.kernelW {
                            let baseW = kw * p.dilationW - p.padW
                            let rw = CPUConv.valid(base: baseW, stride: p.strideW, size: W, count: oW)
                            let v = w[((o * cg + cc) * p.kernelH + kh) * p.kernelW + kw]
                            for oh in rh {
                                let row = grad + oh * oW, line = out + (oh * p.strideH + baseH) * W + baseW
                                if p.strideW == 1 {
                                    for ow in rw { line[ow] += v * row[ow] }
                                } else {
                                    for ow in rw { line[ow * p.strideW] += v * row[ow] }
                                }
                            }
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
                for kh in 0..<p.kernelH {
                    let baseH = kh * p.dilationH - p.padH
                    let rh = CPUConv.valid(base: baseH, stride: p.strideH, size: H, count: oH)
                    for kw in 0..<p.kernelW {
                        let baseW = kw * p.dilationW - p.padW
                        let rw = CPUConv.valid(base: baseW, stride: p.strideW, size: W, count: oW)
                        var total = 0.0
                        for n in 0..<p.batch {
                            let grad = dy + (n * p.outChannels + o) * oH * oW
                            let src = x + (n * p.inChannels + g * cg + c) * H * W
                            for oh in rh {
                                let row = grad + oh * oW, line = src + (oh * p.strideH + baseH) * W + baseW
                                var s: T = 0
                                if p.strideW == 1 {
                                    for ow in rw { s += row[ow] * line[ow] }
                                } else {
                                    for ow in rw { s += row[ow] * line[ow * p.strideW] }
                                }
                                total += s.double
                            }
                        }
                        dw[((o * cg + c) * p.kernelH + kh) * p.kernelW + kw] = T(total)
                    }
                }
            }
        }
    }
}
