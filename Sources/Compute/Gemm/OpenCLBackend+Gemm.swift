import OpenCLRuntime
import COpenCL

extension OpenCLBackend {
    /// GEMM on the device: the engine asked for at init (`--engine`), else the one the tuning
    /// record chose for this dtype and shape class, else the device type's default (CPU
    /// devices: kernels/gemm.cl; GPUs and accelerators: kernels/gemm_tiled.cl).
    public func gemm<T: Scalar>(_ p: GemmParams, alpha: T, _ a: Tensor<T>, _ b: Tensor<T>, beta: T, _ c: Tensor<T>) throws {
        if let requested = requestedGemmEngine {
            try gemm(p, alpha: alpha, a, b, beta: beta, c, engine: requested)
            return
        }
        let choice = gemmTuning.choice(dtype: T.dtype, m: p.m, n: p.n, k: p.k)
        let engine = GemmEngine(rawValue: choice.engine) ?? (cl.info.type == "CPU" ? .own : .tiled)
        try gemm(p, alpha: alpha, a, b, beta: beta, c, engine: engine, tiled: choice.tiled)
    }

    public func gemm<T: Scalar>(_ p: GemmParams, alpha: T, _ a: Tensor<T>, _ b: Tensor<T>, beta: T, _ c: Tensor<T>,
                                engine: GemmEngine, tiled: GemmTiledParams? = nil) throws {
        try checkOperands("gemm", [a, b, c])
        try checkDType(T.self, "gemm")
        try p.validate(a, b, c)
        if p.m == 0 || p.n == 0 || p.batch == 0 { return }
        var q = p
        q.offsetA += a.offset
        q.offsetB += b.offset
        q.offsetC += c.offset
        // k == 0 (C = βC), which CLBlast refuses, goes to our kernel of the device's shape.
        let engine = engine == .clblast && p.k == 0 ? (cl.info.type == "CPU" ? .own : .tiled) : engine
        switch engine {
        case .clblast:
            try CLBlastGemm.run(q, alpha: alpha, a: mem(a), b: mem(b), beta: beta, c: mem(c), on: cl)
            cl.countLaunch()
        case .tiled:
            let t = tiled ?? gemmTuning.choice(dtype: T.dtype, m: p.m, n: p.n, k: p.k).tiled
            try cl.run(GemmKernels.tiled(q, dtype: T.dtype, alpha: alpha.double, beta: beta.double,
                                         a: mem(a), b: mem(b), c: mem(c), params: t, device: cl.info))
        case .own:
            let tiles = GemmTiles.lookup(deviceName: cl.info.name, vendor: cl.info.vendor, dtype: T.dtype)
            try cl.run(GemmKernels.gemm(q, dtype: T.dtype, fp64: cl.info.fp64, alpha: alpha.double,
                                        beta: beta.double, a: mem(a), b: mem(b), c: mem(c), tiles: tiles))
        }
    }
}

/// Who computes a GEMM on an OpenCL device.
public enum GemmEngine: String, Sendable, CaseIterable, Codable {
    /// kernels/gemm.cl, the CPU-shaped kernel, with per-device tile parameters (GemmTiles).
    case own
    /// kernels/gemm_tiled.cl, the GPU-shaped kernel, with GemmTiledParams from the tuning record.
    case tiled
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
