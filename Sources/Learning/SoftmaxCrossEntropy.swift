import Compute
/// (docs/training.md N2) The mean softmax cross-entropy of a batch of logits [N, K] against class labels, its
/// gradient (scaled by 1/N) and the number of correct argmax predictions.
public final class SoftmaxCrossEntropy<T: Scalar>: Loss {
    let backend: any Backend
    private var loss = Reusable<T>(), correct = Reusable<T>(), grad = Reusable<T>()

    public init(on backend: any Backend) { self.backend = backend }

    public typealias Result = LossResult<T>

    public func callAsFunction(_ logits: Tensor<T>, labels: Tensor<T>, gradient wantGradient: Bool) throws -> Result {
        guard logits.rank == 2 else {
            throw ComputeError.shapeMismatch("softmax cross-entropy: logits must be [N, K], got \(logits.shape)")
        }
        let n = logits.shape[0]
        let l = try loss.get([n], on: backend), c = try correct.get([n], on: backend)
        let g = wantGradient ? try grad.get(logits.shape, on: backend) : nil
        try backend.softmaxCrossEntropy(logits, labels: labels, loss: l, correct: c, gradient: g, gradScale: T(1 / Double(n)))
        return Result(meanLoss: try backend.sum(l) / Double(n), correct: Int(try backend.sum(c).rounded()), gradient: g)
    }
}
