/// Batch normalisation on x viewed as [N, C, S] (S = H·W for images, 1 for features), per
/// channel c over M = N·S values, and softmax cross-entropy on logits [N, K].
public protocol NormalizationOps: BackendBase {
    /// mean[c] and the biased variance[c] of the channel's M values.
    func batchNormStatistics<T: Scalar>(_ x: Tensor<T>, channels: Int, spatial: Int, mean: Tensor<T>,
                                        variance: Tensor<T>) throws
    /// y = γ[c] (x − mean[c]) / √(variance[c] + eps) + β[c].
    func batchNormForward<T: Scalar>(_ x: Tensor<T>, mean: Tensor<T>, variance: Tensor<T>, gamma: Tensor<T>,
                                     beta: Tensor<T>, eps: Double, channels: Int, spatial: Int, into y: Tensor<T>) throws
    /// Gradients of training-mode batch normalisation (mean and variance are x's batch
    /// statistics): dβ = Σ dy, dγ = Σ dy x̂, dx = γ/σ (dy − dβ/M − x̂ dγ/M), σ = √(variance + eps)
    /// (docs/training.md N4).
    func batchNormBackward<T: Scalar>(_ x: Tensor<T>, _ dy: Tensor<T>, mean: Tensor<T>, variance: Tensor<T>,
                                      gamma: Tensor<T>, eps: Double, channels: Int, spatial: Int, dx: Tensor<T>,
                                      dgamma: Tensor<T>, dbeta: Tensor<T>) throws
    /// Per row n of logits [N, K] with labels [N] (class indices stored as T, checked to lie in
    /// 0..<K by the caller): loss[n] = logsumexp(z_n) − z_n[label], correct[n] = 1 when the
    /// first maximum is at the label, else 0, and gradient = (softmax(z) − onehot) · gradScale.
    func softmaxCrossEntropy<T: Scalar>(_ logits: Tensor<T>, labels: Tensor<T>, loss: Tensor<T>, correct: Tensor<T>,
                                        gradient: Tensor<T>?, gradScale: T) throws
}
