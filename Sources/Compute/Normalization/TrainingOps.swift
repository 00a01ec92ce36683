import OpenCLRuntime
/// Shape checks shared by both engines' training ops (Backend.swift, "Training").
extension Backend {
    /// x has N·C·S elements for some N ≥ 1; the per-channel tensors have C; returns N.
    func checkBatchNorm<T>(_ op: String, x: Tensor<T>, others: [Tensor<T>], perChannel: [Tensor<T>], channels: Int,
                           spatial: Int) throws -> Int {
        try checkOperands(op, [x] + others + perChannel)
        guard channels > 0, spatial > 0, x.count > 0, x.count % (channels * spatial) == 0 else {
            throw ComputeError.shapeMismatch("\(op): \(x.shape) is not [N, \(channels), \(spatial)] with N ≥ 1")
        }
        guard x.count <= Int(Int32.max) else { throw ComputeError.shapeMismatch("\(op): \(x.shape) is too large") }
        if let bad = others.first(where: { $0.count != x.count }) {
            throw ComputeError.shapeMismatch("\(op): operand \(bad.shape) does not match the input \(x.shape)")
        }
        if let bad = perChannel.first(where: { $0.count != channels }) {
            throw ComputeError.shapeMismatch("\(op): per-channel operand \(bad.shape) does not have \(channels) values")
        }
        return x.count / (channels * spatial)
    }

    /// `checkBatchNorm` for batchNormBackward's operands; returns N.
    func checkBatchNormBackward<T>(x: Tensor<T>, dy: Tensor<T>, dx: Tensor<T>, perChannel: [Tensor<T>], channels: Int,
                                   spatial: Int) throws -> Int {
        try checkBatchNorm("batchNormBackward", x: x, others: [dy, dx], perChannel: perChannel, channels: channels,
                           spatial: spatial)
    }

    /// logits [N, K], labels, loss and correct [N], gradient [N, K]; returns (N, K).
    func checkSoftmax<T>(_ logits: Tensor<T>, labels: Tensor<T>, loss: Tensor<T>, correct: Tensor<T>,
                         gradient: Tensor<T>?) throws -> (n: Int, k: Int) {
        try checkOperands("softmaxCrossEntropy", [logits, labels, loss, correct] + (gradient.map { [$0] } ?? []))
        guard logits.rank == 2, logits.shape[0] > 0, logits.shape[1] > 0 else {
            throw ComputeError.shapeMismatch("softmaxCrossEntropy: logits must be [N, K] with N, K ≥ 1, got \(logits.shape)")
        }
        let (n, k) = (logits.shape[0], logits.shape[1])
        guard labels.count == n, loss.count == n, correct.count == n, gradient.map({ $0.count == n * k }) ?? true else {
            throw ComputeError.shapeMismatch("softmaxCrossEntropy: labels, loss and correct need \(n) values and the "
                                             + "gradient \(n)x\(k)")
        }
        return (n, k)
    }
}

extension Backend {
    /// Runs one training step (forward, loss, backward, update). On the CPU engine OpenBLAS is
    /// kept to one thread meanwhile: the step's own loops already share the cores (convolutions
    /// split their images in two, elementwise, BatchNorm and pooling loops run in halves), and an
    /// idle OpenBLAS worker spins after each multi-threaded GEMM, taking a core from them.
    public func trainingStep<R>(_ body: () throws -> R) rethrows -> R {
        isCPU ? try LAPACK.withBLASThreads(1, body) : try body()
    }
}
