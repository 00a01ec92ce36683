import Compute
/// (docs/training.md N20) The squared error of the logits against one-hot labels, averaged over
/// the N·K entries as torch.nn.MSELoss: ℓ = Σ (z − e_y)² / (NK), ∂ℓ/∂z = 2(z − e_y)/(NK); a
/// prediction is correct when the first maximum is at the label. The one-hot targets and the
/// argmax are made on the host (labels and logits are small).
public final class MeanSquaredError<T: Scalar>: Loss {
    let backend: any Backend
    private var target = Reusable<T>(), grad = Reusable<T>()

    public init(on backend: any Backend) { self.backend = backend }

    public func callAsFunction(_ logits: Tensor<T>, labels: Tensor<T>, gradient wantGradient: Bool) throws -> LossResult<T> {
        guard logits.rank == 2 else { throw ComputeError.shapeMismatch("mean squared error: logits must be [N, K], got \(logits.shape)") }
        let (n, k) = (logits.shape[0], logits.shape[1])
        let y = try labels.toArray().map { Int($0.double) }, z = try logits.toArray()
        guard y.count == n, y.allSatisfy({ (0..<k).contains($0) }) else {
            throw ComputeError.shapeMismatch("mean squared error: \(y.count) labels in 0..<\(k) needed for logits \(logits.shape)")
        }
        var onehot = [T](repeating: 0, count: n * k)
        var correct = 0
        for i in 0..<n {
            onehot[i * k + y[i]] = 1
            let row = z[(i * k)..<((i + 1) * k)]
            if row.firstIndex(of: row.max()!)! - i * k == y[i] { correct += 1 }
        }
        let t = try target.get(logits.shape, on: backend), d = try grad.get(logits.shape, on: backend)
        try backend.write(onehot, into: t)
        try backend.binary(.sub, logits, t, into: d)
        let mean = try backend.dot(d, d) / Double(n * k)
        try backend.axpby(T(2 / Double(n * k)), d, 0, d)
        return LossResult(meanLoss: mean, correct: correct, gradient: wantGradient ? d : nil)
    }
}
