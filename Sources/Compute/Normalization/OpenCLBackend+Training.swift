import OpenCLRuntime
import COpenCL

/// The OpenCL engine's training ops (kernels/train.cl): per-plane partial sums in ACC, a sum
/// over the batch per channel, then one work-item per element for the normalisation.
extension OpenCLBackend {
    public func batchNormStatistics<T: Scalar>(_ x: Tensor<T>, channels: Int, spatial: Int, mean: Tensor<T>,
                                               variance: Tensor<T>) throws {
        let n = try checkBatchNorm("batchNormStatistics", x: x, others: [], perChannel: [mean, variance],
                                   channels: channels, spatial: spatial)
        try checkDType(T.self, "batchNormStatistics")
        let (dt, fp64, c, s) = (T.dtype, cl.info.fp64, channels, spatial)
        let a = try accScratch(n * c)
        for (mode, out) in [(TrainingKernels.SumMode.sum, mean), (.centeredSquares, variance)] {
            if kernelShape == .gpu {
                try runGPU { GPUReduceKernels.planeSums(dtype: dt, fp64: fp64, x: operand(x), dy: operand(x),
                                                        mean: operand(mean), planes: n * c, c: c, s: s, mode: mode,
                                                        a: a.mem, b: a.mem, wg: $0) }
                try runGPU { GPUReduceKernels.reduceMean(dtype: dt, fp64: fp64, a: a.mem, n: n, c: c, m: n * s,
                                                         out: operand(out), wg: $0) }
                continue
            }
            try cl.run(TrainingKernels.planeSums(dtype: dt, fp64: fp64, x: operand(x), dy: operand(x), mean: operand(mean),
                                                 n: n, c: c, s: s, mode: mode, a: a.mem, b: a.mem))
            try cl.run(TrainingKernels.reduceMean(dtype: dt, fp64: fp64, a: a.mem, n: n, c: c, m: n * s, out: operand(out)))
        }
        withExtendedLifetime(a) {}
    }

    public func batchNormForward<T: Scalar>(_ x: Tensor<T>, mean: Tensor<T>, variance: Tensor<T>, gamma: Tensor<T>,
                                            beta: Tensor<T>, eps: Double, channels: Int, spatial: Int,
                                            into y: Tensor<T>) throws {
        _ = try checkBatchNorm("batchNormForward", x: x, others: [y], perChannel: [mean, variance, gamma, beta],
                               channels: channels, spatial: spatial)
        try checkDType(T.self, "batchNormForward")
        try cl.run(TrainingKernels.forward(dtype: T.dtype, fp64: cl.info.fp64, x: operand(x), mean: operand(mean),
                                           variance: operand(variance), gamma: operand(gamma), beta: operand(beta),
                                           eps: eps, c: channels, s: spatial, count: x.count, y: operand(y)))
    }

    public func batchNormBackward<T: Scalar>(_ x: Tensor<T>, _ dy: Tensor<T>, mean: Tensor<T>, variance: Tensor<T>,
                                             gamma: Tensor<T>, eps: Double, channels: Int, spatial: Int, dx: Tensor<T>,
                                             dgamma: Tensor<T>, dbeta: Tensor<T>) throws {
        let n = try checkBatchNormBackward(x: x, dy: dy, dx: dx, perChannel: [mean, variance, gamma, dgamma, dbeta],
                                           channels: channels, spatial: spatial)
        try checkDType(T.self, "batchNormBackward")
        let (dt, fp64, c, s) = (T.dtype, cl.info.fp64, channels, spatial)
        let a = try accScratch(n * c), b = try accScratch(n * c)
        if kernelShape == .gpu {
            try runGPU { GPUReduceKernels.planeSums(dtype: dt, fp64: fp64, x: operand(x), dy: operand(dy), mean: operand(mean),
                                                    planes: n * c, c: c, s: s, mode: .gradient, a: a.mem, b: b.mem, wg: $0) }
            try runGPU { GPUReduceKernels.reduceBackward(dtype: dt, fp64: fp64, a: a.mem, b: b.mem, n: n, c: c,
                                                         variance: operand(variance), eps: eps, dgamma: operand(dgamma),
                                                         dbeta: operand(dbeta), wg: $0) }
        } else {
            try cl.run(TrainingKernels.planeSums(dtype: dt, fp64: fp64, x: operand(x), dy: operand(dy), mean: operand(mean),
                                                 n: n, c: c, s: s, mode: .gradient, a: a.mem, b: b.mem))
            try cl.run(TrainingKernels.reduceBackward(dtype: dt, fp64: fp64, a: a.mem, b: b.mem, n: n, c: c,
                                                      variance: operand(variance), eps: eps, dgamma: operand(dgamma),
                                                      dbeta: operand(dbeta)))
        }
        try cl.run(TrainingKernels.backwardInput(dtype: dt, fp64: fp64, x: operand(x), dy: operand(dy), mean: operand(mean),
                                                 variance: operand(variance), gamma: operand(gamma),
                                                 dgamma: operand(dgamma), dbeta: operand(dbeta), eps: eps, c: c, s: s,
                                                 count: x.count, dx: operand(dx)))
        withExtendedLifetime((a, b)) {}
    }

    public func softmaxCrossEntropy<T: Scalar>(_ logits: Tensor<T>, labels: Tensor<T>, loss: Tensor<T>,
                                               correct: Tensor<T>, gradient: Tensor<T>?, gradScale: T) throws {
        let (n, k) = try checkSoftmax(logits, labels: labels, loss: loss, correct: correct, gradient: gradient)
        try checkDType(T.self, "softmaxCrossEntropy")
        try cl.run(TrainingKernels.softmaxCrossEntropy(dtype: T.dtype, fp64: cl.info.fp64, logits: operand(logits),
                                                       labels: operand(labels), n: n, k: k, gradScale: gradScale.double,
                                                       loss: operand(loss), correct: operand(correct),
                                                       gradient: gradient.map { operand($0) }))
    }

    /// A scratch buffer of `count` ACC values (double where the device has fp64).
    func accScratch(_ count: Int) throws -> AccScratch {
        if cl.info.fp64 {
            let b: CLBuffer<Double> = try cl.buffer(count: count)
            return AccScratch(mem: b.mem, keep: b)
        }
        let b: CLBuffer<Float> = try cl.buffer(count: count)
        return AccScratch(mem: b.mem, keep: b)
    }

    struct AccScratch {
        let mem: cl_mem?
        let keep: AnyObject
    }
}
