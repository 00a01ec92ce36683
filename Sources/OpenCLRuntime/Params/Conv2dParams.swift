/// The shape of a 2-D convolution on NCHW tensors, as PyTorch's `conv2d` defines it (a
/// cross-correlation): input x [batch, inChannels, height, width], weight w [outChannels,
/// inChannels / groups, kernelH, kernelW], optional bias [outChannels], output y [batch,
/// outChannels, outH, outW] with
///
///     y[n, o, i, j] = b[o] + Σ_{c, p, q} w[o, c, p, q] · x[n, g·Cg + c, i·sH − padH + p·dH, j·sW − padW + q·dW]
///
/// where g = o / (outChannels / groups), Cg = inChannels / groups, and x is zero outside the image.
/// A pure description: `problem(...)` says why a shape is unusable, nil when it is fine.
public struct Conv2dParams: Sendable, Equatable, CustomStringConvertible {
    public var batch: Int, inChannels: Int, outChannels: Int
    public var height: Int, width: Int
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padH: Int, padW: Int
    public var dilationH: Int, dilationW: Int
    public var groups: Int

    public init(batch: Int, inChannels: Int, outChannels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int,
                strideH: Int = 1, strideW: Int = 1, padH: Int = 0, padW: Int = 0, dilationH: Int = 1, dilationW: Int = 1,
                groups: Int = 1) {
        (self.batch, self.inChannels, self.outChannels, self.groups) = (batch, inChannels, outChannels, groups)
        (self.height, self.width, self.kernelH, self.kernelW) = (height, width, kernelH, kernelW)
        (self.strideH, self.strideW, self.padH, self.padW) = (strideH, strideW, padH, padW)
        (self.dilationH, self.dilationW) = (dilationH, dilationW)
    }

    /// Square kernel, the same stride, padding and dilation on both axes.
    public init(batch: Int, inChannels: Int, outChannels: Int, height: Int, width: Int, kernel: Int, stride: Int = 1,
                padding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        self.init(batch: batch, inChannels: inChannels, outChannels: outChannels, height: height, width: width,
                  kernelH: kernel, kernelW: kernel, strideH: stride, strideW: stride, padH: padding, padW: padding,
                  dilationH: dilation, dilationW: dilation, groups: groups)
    }

    /// Sizes read from an input [N, C, H, W] and a weight [O, C/groups, kH, kW] shape; a shape of
    /// another rank gives zeros, which `problem` reports.
    public init(input: [Int], weight: [Int], stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        let x = input.count == 4 ? input : [0, 0, 0, 0], w = weight.count == 4 ? weight : [0, 0, 0, 0]
        self.init(batch: x[0], inChannels: x[1], outChannels: w[0], height: x[2], width: x[3], kernelH: w[2],
                  kernelW: w[3], strideH: stride, strideW: stride, padH: padding, padW: padding, dilationH: dilation,
                  dilationW: dilation, groups: groups)
    }

    /// Rows and columns the dilated kernel spans.
    public var spanH: Int { dilationH * (kernelH - 1) + 1 }
    public var spanW: Int { dilationW * (kernelW - 1) + 1 }
    public var outH: Int { (height + 2 * padH - spanH) / strideH + 1 }
    public var outW: Int { (width + 2 * padW - spanW) / strideW + 1 }
    /// Input channels one output channel sees (Cg) and output channels per group (Og).
    public var inPerGroup: Int { inChannels / groups }
    public var outPerGroup: Int { outChannels / groups }
    /// Length of one output's dot product: Cg · kH · kW (the GEMM depth of the im2col path).
    public var patchSize: Int { inPerGroup * kernelH * kernelW }

    public var inputShape: [Int] { [batch, inChannels, height, width] }
    public var weightShape: [Int] { [outChannels, inPerGroup, kernelH, kernelW] }
    public var outputShape: [Int] { [batch, outChannels, outH, outW] }

    /// Multiply-adds of the forward pass, counted twice (the backward passes cost the same each).
    public var flops: Double {
        2 * Double(batch) * Double(outChannels) * Double(outH * outW) * Double(patchSize)
    }

    public var description: String {
        var s = "conv2d \(batch)x\(inChannels)x\(height)x\(width) -> \(outChannels), kernel \(kernelH)x\(kernelW)"
        if strideH != 1 || strideW != 1 { s += ", stride \(strideH)x\(strideW)" }
        if padH != 0 || padW != 0 { s += ", padding \(padH)x\(padW)" }
        if dilationH != 1 || dilationW != 1 { s += ", dilation \(dilationH)x\(dilationW)" }
        if groups != 1 { s += ", groups \(groups)" }
        return s
    }

    /// Why these params describe no convolution (non-positive sizes, groups that do not divide
    /// the channels, a kernel larger than the padded input, sizes beyond 32-bit indexing), or nil.
    public func problem() -> String? {
        let sizes = [("batch", batch), ("input channels", inChannels), ("output channels", outChannels),
                     ("height", height), ("width", width), ("kernel height", kernelH), ("kernel width", kernelW),
                     ("stride", min(strideH, strideW)), ("dilation", min(dilationH, dilationW)), ("groups", groups)]
        if let (name, v) = sizes.first(where: { $0.1 <= 0 }) {
            return "conv2d: \(name) must be positive, got \(v)"
        }
        if padH < 0 || padW < 0 { return "conv2d: padding must be non-negative, got \(padH)x\(padW)" }
        let all = [batch, inChannels, outChannels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
                   dilationH, dilationW, groups]
        if all.contains(where: { $0 > 1 << 30 }) { return "conv2d: \(description) is too large (a size over 2^30)" }
        if inChannels % groups != 0 || outChannels % groups != 0 {
            return "conv2d: groups \(groups) must divide the input channels (\(inChannels)) and the output channels "
                + "(\(outChannels))"
        }
        if spanH > height + 2 * padH || spanW > width + 2 * padW {
            return "conv2d: the \(kernelH)x\(kernelW) kernel (dilation \(dilationH)x\(dilationW)) spans "
                + "\(spanH)x\(spanW), larger than the padded input \(height + 2 * padH)x\(width + 2 * padW) "
                + "(\(height)x\(width) with padding \(padH)x\(padW))"
        }
        if [inputShape, weightShape, outputShape].contains(where: { shapeElements($0) == nil }) || spanH > 1 << 30
            || spanW > 1 << 30 {
            return "conv2d: \(description) is too large (a tensor over 2^31 elements)"
        }
        return nil
    }

    /// Why tensors of these shapes do not fit the params (rank, mismatched channels, a weight or
    /// output of the wrong shape, a bias that is not one value per output channel), or nil.
    public func problem(input: [Int], weight: [Int], output: [Int], bias: [Int]?) -> String? {
        if input.count != 4 { return "conv2d: the input must be 4-D (N, C, H, W), got shape \(input)" }
        if weight.count != 4 { return "conv2d: the weight must be 4-D (O, C/groups, kH, kW), got shape \(weight)" }
        if let p = problem() { return p }
        if input[1] != inChannels {
            return "conv2d: the input has \(input[1]) channels, the convolution expects \(inChannels)"
        }
        if weight[1] != inPerGroup {
            return "conv2d: mismatched channels: the weight \(weight) takes \(weight[1]) input channels per group, "
                + "but the input's \(inChannels) channels in \(groups) group\(groups == 1 ? "" : "s") give \(inPerGroup)"
        }
        if input != inputShape { return "conv2d: the input has shape \(input), expected \(inputShape)" }
        if weight != weightShape { return "conv2d: the weight has shape \(weight), expected \(weightShape)" }
        if output != outputShape { return "conv2d: the output has shape \(output), expected \(outputShape)" }
        if let bias, bias.reduce(1, *) != outChannels {
            return "conv2d: the bias has shape \(bias), expected \(outChannels) values (one per output channel)"
        }
        return nil
    }
}

/// The shape of a 2-D max or average pooling window on NCHW tensors (floor mode, no dilation):
/// y [batch, channels, outH, outW], outH = (height + 2·padH − kernelH) / strideH + 1. Average
/// pooling divides by kernelH · kernelW, padding included (PyTorch's `count_include_pad=True`);
/// max pooling treats padding as −∞. Padding may be at most half the kernel, as in PyTorch, so
/// every window holds at least one input element.
public struct Pool2dParams: Sendable, Equatable, CustomStringConvertible {
    public var batch: Int, channels: Int
    public var height: Int, width: Int
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padH: Int, padW: Int

    public init(batch: Int, channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int, strideH: Int? = nil,
                strideW: Int? = nil, padH: Int = 0, padW: Int = 0) {
        (self.batch, self.channels, self.height, self.width) = (batch, channels, height, width)
        (self.kernelH, self.kernelW, self.padH, self.padW) = (kernelH, kernelW, padH, padW)
        (self.strideH, self.strideW) = (strideH ?? kernelH, strideW ?? kernelW)
    }

    /// Square window; the stride defaults to the kernel size, as in PyTorch.
    public init(batch: Int, channels: Int, height: Int, width: Int, kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(batch: batch, channels: channels, height: height, width: width, kernelH: kernel, kernelW: kernel,
                  strideH: stride ?? kernel, strideW: stride ?? kernel, padH: padding, padW: padding)
    }

    public var outH: Int { (height + 2 * padH - kernelH) / strideH + 1 }
    public var outW: Int { (width + 2 * padW - kernelW) / strideW + 1 }
    public var inputShape: [Int] { [batch, channels, height, width] }
    public var outputShape: [Int] { [batch, channels, outH, outW] }

    public var description: String {
        "pool2d \(batch)x\(channels)x\(height)x\(width), kernel \(kernelH)x\(kernelW), stride \(strideH)x\(strideW)"
            + (padH != 0 || padW != 0 ? ", padding \(padH)x\(padW)" : "")
    }

    /// Why these params describe no pooling, or nil.
    public func problem() -> String? {
        let sizes = [("batch", batch), ("channels", channels), ("height", height), ("width", width),
                     ("kernel height", kernelH), ("kernel width", kernelW), ("stride", min(strideH, strideW))]
        if let (name, v) = sizes.first(where: { $0.1 <= 0 }) { return "pool2d: \(name) must be positive, got \(v)" }
        if padH < 0 || padW < 0 || 2 * padH > kernelH || 2 * padW > kernelW {
            return "pool2d: padding \(padH)x\(padW) must be between 0 and half the \(kernelH)x\(kernelW) kernel"
        }
        if [batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW].contains(where: { $0 > 1 << 30 }) {
            return "pool2d: \(description) is too large (a size over 2^30)"
        }
        if kernelH > height + 2 * padH || kernelW > width + 2 * padW {
            return "pool2d: the \(kernelH)x\(kernelW) window is larger than the padded input "
                + "\(height + 2 * padH)x\(width + 2 * padW)"
        }
        if shapeElements(inputShape) == nil {
            return "pool2d: \(description) is too large (a tensor over 2^31 elements)"
        }
        return nil
    }

    /// Why an input and output of these shapes do not fit the params, or nil.
    public func problem(input: [Int], output: [Int]) -> String? {
        if input.count != 4 { return "pool2d: the input must be 4-D (N, C, H, W), got shape \(input)" }
        if let p = problem() { return p }
        if input != inputShape { return "pool2d: the input has shape \(input), expected \(inputShape)" }
        if output != outputShape { return "pool2d: the output has shape \(output), expected \(outputShape)" }
        return nil
    }
}

/// The element count of a shape, or nil when it exceeds 2^31 − 1 (32-bit kernel indexing).
func shapeElements(_ shape: [Int]) -> Int? {
    Checked.product(shape).flatMap { $0 <= Int(Int32.max) ? $0 : nil }
}
