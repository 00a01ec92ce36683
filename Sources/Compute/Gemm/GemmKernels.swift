import OpenCLRuntime
import COpenCL

/// Tile parameters of kernels/gemm.cl (its header comment explains each).
package struct GemmTiles: Sendable, Equatable, CustomStringConvertible {
    /// Rows of C per register tile.
    package var tm: Int
    /// Columns of C per work-item (a multiple of vw).
    package var tn: Int
    /// Vector width.
    package var vw: Int
    /// Register tiles per work-item, stacked down the rows.
    package var mb: Int
    /// Depth of one packed k block.
    package var kc: Int

    package init(tm: Int, tn: Int, vw: Int, mb: Int, kc: Int) {
        self.tm = tm
        self.tn = tn
        self.vw = vw
        self.mb = mb
        self.kc = kc
    }

    package var options: String { "-DTM=\(tm) -DTN=\(tn) -DVW=\(vw) -DMB=\(mb) -DKC=\(kc)" }
    package var description: String { "TM=\(tm) TN=\(tn) VW=\(vw) MB=\(mb) KC=\(kc)" }

    /// Bytes of `__local` memory kernels/gemm.cl declares with these tiles: the packed B panel,
    /// plus the packed A panel when A is transposed.
    package func localMemoryBytes(_ dtype: DType, transA: Bool) -> Int {
        (kc * tn + (transA ? mb * kc * tm : 0)) * dtype.byteSize
    }

    /// The table: (device-name or vendor substring, dtype) → tiles; the first match wins.
    /// Measured entries only; the default is the PoCL CPU entry.
    static let table: [(match: String, dtype: DType, tiles: GemmTiles)] = [
        ("pthread", .f32, GemmTiles(tm: 8, tn: 32, vw: 16, mb: 16, kc: 256)),
        ("pthread", .f64, GemmTiles(tm: 6, tn: 16, vw: 8, mb: 16, kc: 256)),
    ]

    package static func lookup(deviceName: String, vendor: String, dtype: DType) -> GemmTiles {
        for e in table where e.dtype == dtype && (deviceName.contains(e.match) || vendor.contains(e.match)) {
            return e.tiles
        }
        return dtype == .f32 ? table[0].tiles : table[1].tiles
    }
}

/// Launcher for kernels/gemm.cl: one work-item (work-group of 1) computes a (TM·MB) × TN block
/// of C, packing op(B) (and op(A) when transposed) per KC-deep k block. Its `__local` arrays are
/// sized at build time: the launcher refuses, before building, a device whose local memory is
/// smaller (GPUs, for transposed A).
package enum GemmKernels {
    package static func gemm(_ s: GemmParams, dtype: DType, alpha: Double, beta: Double,
                            a: cl_mem?, b: cl_mem?, c: cl_mem?, tiles: GemmTiles,
                            device info: CLDeviceInfo) throws -> KernelInvocation {
        let bytes = tiles.localMemoryBytes(dtype, transA: s.transA)
        if bytes > info.localMemory {
            throw ComputeError.localMemoryTooLarge(kernel: "gemm (\(tiles))", requested: bytes,
                                                   available: info.localMemory, device: info.label)
        }
        var options = dtype.kernelOptions(deviceHasFP64: info.fp64) + " " + tiles.options
        options += transposeOptions(s)
        return KernelInvocation(
            file: "gemm.cl", name: "gemm", options: options,
            args: arguments(s, dtype: dtype, alpha: alpha, beta: beta, a: a, b: b, c: c),
            global: [(s.n + tiles.tn - 1) / tiles.tn, (s.m + tiles.tm * tiles.mb - 1) / (tiles.tm * tiles.mb), s.batch],
            local: [1, 1, 1], needsFP64: dtype == .f64)
    }
}

extension GemmKernels {
    /// The -D options of op(A) and op(B).
    static func transposeOptions(_ s: GemmParams) -> String {
        (s.transA ? " -DTRANS_A" : "") + (s.transB ? " -DTRANS_B" : "")
    }

    /// The arguments both GEMM kernels take: sizes, α, then each matrix with its offset,
    /// leading dimension and batch stride, β between B and C.
    static func arguments(_ s: GemmParams, dtype: DType, alpha: Double, beta: Double,
                          a: cl_mem?, b: cl_mem?, c: cl_mem?) -> [KernelArg] {
        let u = { (v: Int) in KernelArg.uint64(UInt64(v)) }
        return [u(s.m), u(s.n), u(s.k), ElementwiseKernels.scalar(alpha, dtype),
                .buffer(a), u(s.offsetA), u(s.lda), u(s.strideA),
                .buffer(b), u(s.offsetB), u(s.ldb), u(s.strideB),
                ElementwiseKernels.scalar(beta, dtype),
                .buffer(c), u(s.offsetC), u(s.ldc), u(s.strideC)]
    }

    /// Launcher for kernels/gemm_tiled.cl, the GPU-shaped kernel: work-groups of NDIMC × MDIMC
    /// work-items, each group an MWG × NWG block of C. Checks the device's limits before anything
    /// is built or launched (local memory against CL_DEVICE_LOCAL_MEM_SIZE, work-group against
    /// CL_DEVICE_MAX_WORK_GROUP_SIZE and the item sizes; CLContext.run adds the kernel's own
    /// CL_KERNEL_WORK_GROUP_SIZE) and throws the typed error naming requested and available.
    package static func tiled(_ s: GemmParams, dtype: DType, alpha: Double, beta: Double,
                             a: cl_mem?, b: cl_mem?, c: cl_mem?, params t: GemmTiledParams,
                             device info: CLDeviceInfo) throws -> KernelInvocation {
        if let problem = t.shapeProblem { throw ComputeError.invalidArgument("gemm_tiled \(t): \(problem)") }
        if let e = t.limitError(dtype, device: info) { throw e }
        var options = dtype.kernelOptions(deviceHasFP64: info.fp64) + " " + t.options
        options += transposeOptions(s)
        // vloadN needs VW-aligned addresses: every matrix of the batch must start, and every row
        // must begin, on a multiple of VW elements (buffers themselves are aligned by OpenCL).
        let aligned = [s.offsetA, s.lda, s.strideA, s.offsetB, s.ldb, s.strideB].allSatisfy { $0 % t.vw == 0 }
        if aligned && t.vw > 1 { options += " -DVEC_GLOBAL" }
        return KernelInvocation(
            file: "gemm_tiled.cl", name: "gemm_tiled", options: options,
            args: arguments(s, dtype: dtype, alpha: alpha, beta: beta, a: a, b: b, c: c),
            global: [(s.n + t.nwg - 1) / t.nwg * t.ndimc, (s.m + t.mwg - 1) / t.mwg * t.mdimc, s.batch],
            local: [t.ndimc, t.mdimc, 1], needsFP64: dtype == .f64)
    }
}
