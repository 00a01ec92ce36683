import OpenCLRuntime
import COpenCL

extension OpenCLBackend {
    /// GEMM on the device with `gemmEngine` (default: the faster engine for this device).
    public func gemm<T: Scalar>(_ p: GemmParams, alpha: T, _ a: Tensor<T>, _ b: Tensor<T>, beta: T, _ c: Tensor<T>) throws {
        try gemm(p, alpha: alpha, a, b, beta: beta, c, engine: gemmEngine)
    }

    public func gemm<T: Scalar>(_ p: GemmParams, alpha: T, _ a: Tensor<T>, _ b: Tensor<T>, beta: T, _ c: Tensor<T>,
                                engine: GemmEngine) throws {
        try checkOperands("gemm", [a, b, c])
        try checkDType(T.self, "gemm")
        try p.validate(a, b, c)
        if p.m == 0 || p.n == 0 || p.batch == 0 { return }
        var q = p
        q.offsetA += a.offset
        q.offsetB += b.offset
        q.offsetC += c.offset
        switch engine {
        case .clblast where p.k > 0:
            try CLBlastGemm.run(q, alpha: alpha, a: mem(a), b: mem(b), beta: beta, c: mem(c), on: cl)
            cl.countLaunch()
        default:
            // Our kernel; also serves k == 0 (C = βC), which CLBlast refuses.
            let tiles = GemmTiles.lookup(deviceName: cl.info.name, vendor: cl.info.vendor, dtype: T.dtype)
            try cl.run(GemmKernels.gemm(q, dtype: T.dtype, fp64: cl.info.fp64, alpha: alpha.double,
                                        beta: beta.double, a: mem(a), b: mem(b), c: mem(c), tiles: tiles))
        }
    }
}

/// Who computes a GEMM on an OpenCL device.
public enum GemmEngine: String, Sendable, CaseIterable, Codable {
    /// kernels/gemm.cl with per-device tile parameters (GemmTiles).
    case own
    /// CLBlast, calls serialised.
    case clblast
}

extension GemmParams {
    /// Throws a readable shape error unless the params fit the three tensors.
    func validate<T>(_ a: Tensor<T>, _ b: Tensor<T>, _ c: Tensor<T>) throws {
        if let problem = problem(countA: a.count, countB: b.count, countC: c.count) {
            throw ComputeError.shapeMismatch(problem)
        }
    }
}
