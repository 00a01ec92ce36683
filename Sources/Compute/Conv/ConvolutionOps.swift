/// 2-D convolution on NCHW tensors (Conv2dParams defines the shapes). Outputs and gradients
/// are overwritten, never accumulated.
public protocol ConvolutionOps: BackendBase {
    /// y = conv2d(x, w) + bias: x [N, C, H, W], w [O, C/groups, kH, kW], bias [O] or nil,
    /// y [N, O, outH, outW]; on `path` (nil: `Conv2dPath.choose`).
    func conv2dForward<T: Scalar>(_ x: Tensor<T>, _ w: Tensor<T>, bias: Tensor<T>?, _ p: Conv2dParams,
                                  into y: Tensor<T>, path: Conv2dPath?) throws
    /// dx = ∂L/∂x from dy = ∂L/∂y: the transposed convolution of dy with w; dx [N, C, H, W].
    func conv2dBackwardInput<T: Scalar>(_ dy: Tensor<T>, _ w: Tensor<T>, _ p: Conv2dParams, into dx: Tensor<T>,
                                        path: Conv2dPath?) throws
    /// dw = ∂L/∂w (summed over the batch) and, when given, dbias = ∂L/∂bias (dy summed over N, H, W).
    func conv2dBackwardWeights<T: Scalar>(_ x: Tensor<T>, _ dy: Tensor<T>, _ p: Conv2dParams, into dw: Tensor<T>,
                                          bias dbias: Tensor<T>?, path: Conv2dPath?) throws
}

/// The same on the path `Conv2dPath.choose` picks, for both engines.
extension ConvolutionOps {
    public func conv2dForward<T: Scalar>(_ x: Tensor<T>, _ w: Tensor<T>, bias: Tensor<T>?, _ p: Conv2dParams,
                                         into y: Tensor<T>) throws {
        try conv2dForward(x, w, bias: bias, p, into: y, path: nil)
    }

    public func conv2dBackwardInput<T: Scalar>(_ dy: Tensor<T>, _ w: Tensor<T>, _ p: Conv2dParams,
                                               into dx: Tensor<T>) throws {
        try conv2dBackwardInput(dy, w, p, into: dx, path: nil)
    }

    public func conv2dBackwardWeights<T: Scalar>(_ x: Tensor<T>, _ dy: Tensor<T>, _ p: Conv2dParams,
                                                 into dw: Tensor<T>, bias dbias: Tensor<T>?) throws {
        try conv2dBackwardWeights(x, dy, p, into: dw, bias: dbias, path: nil)
    }
}
