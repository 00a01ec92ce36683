import OpenCLRuntime
import COpenCL

extension OpenCLBackend {
    /// GEMM on the device: the engine asked for at init (`--engine`), else the one the tuning
    /// record chose for this dtype and shape class, else the device type's default (CPU
    /// devices: kernels/gemm.cl; GPUs and accelerators: kernels/gemm_tiled.cl).
    public func gemm<T: Scalar>(_ p: GemmParams, alpha: T, _ a: Tensor<T>, _ b: Tensor<T>, beta: T, _ c: Tensor<T>) throws {
        try gemm(p, alpha: alpha, a, b, beta: beta, c, engine: nil)
    }

    /// GEMM with a given engine (nil: as `gemm` chooses) and, for `.tiled`, given parameters
    /// (nil: the tuning record's).
    public func gemm<T: Scalar>(_ p: GemmParams, alpha: T, _ a: Tensor<T>, _ b: Tensor<T>, beta: T, _ c: Tensor<T>,
                                engine: GemmEngine?, tiled: GemmTiledParams? = nil) throws {
        try checkOperands("gemm", [a, b, c])
        try checkDType(T.self, "gemm")
        try p.validate(a, b, c)
        var q = p
        q.offsetA += a.offset
        q.offsetB += b.offset
        q.offsetC += c.offset
        try rawGemm(q, alpha: alpha, a: mem(a), b: mem(b), beta: beta, c: mem(c), engine: engine, tiled: tiled)
    }

    /// The one GEMM dispatcher, on raw buffers whose params already include every offset (the
    /// convolution's workspace is no tensor): the engine and tiles chosen as `gemm` says.
    package func rawGemm<T: Scalar>(_ q: GemmParams, alpha: T, a: cl_mem?, b: cl_mem?, beta: T, c: cl_mem?,
                                    engine requested: GemmEngine? = nil, tiled: GemmTiledParams? = nil) throws {
        if q.m == 0 || q.n == 0 || q.batch == 0 { return }
        let choice = gemmTuning.choice(dtype: T.dtype, m: q.m, n: q.n, k: q.k)
        let shaped: GemmEngine = cl.info.type == "CPU" ? .own : .tiled
        var engine = requested ?? requestedGemmEngine ?? GemmEngine(rawValue: choice.engine) ?? shaped
        // k == 0 (C = βC), which CLBlast refuses, goes to our kernel of the device's shape.
        if engine == .clblast && q.k == 0 { engine = shaped }
        switch engine {
        case .clblast:
            try CLBlastGemm.run(q, alpha: alpha, a: a, b: b, beta: beta, c: c, on: cl)
            cl.countLaunch()
        case .tiled:
            try cl.run(GemmKernels.tiled(q, dtype: T.dtype, alpha: alpha.double, beta: beta.double,
                                         a: a, b: b, c: c, params: tiled ?? choice.tiled, device: cl.info))
        case .own:
            let tiles = GemmTiles.lookup(deviceName: cl.info.name, vendor: cl.info.vendor, dtype: T.dtype)
            try cl.run(GemmKernels.gemm(q, dtype: T.dtype, alpha: alpha.double, beta: beta.double,
                                        a: a, b: b, c: c, tiles: tiles, device: cl.info))
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
