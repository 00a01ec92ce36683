/// Max, average and global average pooling on NCHW tensors (Pool2dParams defines the shapes).
public protocol PoolingOps: BackendBase {
    /// y = max over each window (padding is −∞; NaN wins; ties go to the first in row-major order).
    func maxPool2dForward<T: Scalar>(_ x: Tensor<T>, _ p: Pool2dParams, into y: Tensor<T>) throws
    /// dx: each window's dy goes to its maximum, found again from x (no index tensor is kept).
    func maxPool2dBackward<T: Scalar>(_ x: Tensor<T>, _ dy: Tensor<T>, _ p: Pool2dParams, into dx: Tensor<T>) throws
    /// y = window sum / (kH · kW), padding counted as zeros.
    func avgPool2dForward<T: Scalar>(_ x: Tensor<T>, _ p: Pool2dParams, into y: Tensor<T>) throws
    /// dx: each window's dy / (kH · kW) added to every pixel of the window.
    func avgPool2dBackward<T: Scalar>(_ dy: Tensor<T>, _ p: Pool2dParams, into dx: Tensor<T>) throws
    /// y[n, c] = mean of x[n, c, :, :]: x [N, C, H, W], y of N·C elements ([N, C] or [N, C, 1, 1]).
    func globalAvgPoolForward<T: Scalar>(_ x: Tensor<T>, into y: Tensor<T>) throws
    /// dx[n, c, h, w] = dy[n, c] / (H · W).
    func globalAvgPoolBackward<T: Scalar>(_ dy: Tensor<T>, into dx: Tensor<T>) throws
}
