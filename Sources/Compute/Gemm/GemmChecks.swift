import OpenCLRuntime

/// Validation of GEMM: every engine of the device against OpenBLAS on the CPU.
package enum GemmChecks {
    /// Case i: operands drawn from seed + i, (α, β) = (1, 0) for even i and (−0.75, 1.5) for odd
    /// (so β·C is read), and the CPU engine's result.
    static func problem<T: Scalar>(_ i: Int, _ p: GemmParams, seed: UInt64, cpu: any Backend) throws
        -> ([T], [T], [T], T, T, [T]) {
        let (a, b, c): ([T], [T], [T]) = operands(p, seed: seed &+ UInt64(i))
        let (alpha, beta): (T, T) = i % 2 == 0 ? (1, 0) : (T(-0.75), T(1.5))
        return (a, b, c, alpha, beta, try run(cpu, nil, p, alpha: alpha, beta: beta, a: a, b: b, c: c))
    }

    /// A product's parameters, with padded leading dimensions (A + 3, B + ldbPad, C + 2) and
    /// A at an offset when `padded`.
    static func params(_ m: Int, _ n: Int, _ k: Int, _ ta: Bool, _ tb: Bool, _ batch: Int, padded: Bool,
                       ldbPad: Int, offsetA: Int) -> GemmParams {
        guard padded else { return GemmParams(m: m, n: n, k: k, transA: ta, transB: tb, batch: batch) }
        var p = GemmParams(m: m, n: n, k: k, transA: ta, transB: tb, batch: batch,
                           lda: (ta ? m : k) + 3, ldb: (tb ? k : n) + ldbPad, ldc: n + 2)
        p.offsetA = offsetA
        return p
    }

    /// (m, n, k, transA, transB, batch): zeros, ones, primes, tall-skinny, off-tile sizes.
    static var shapes: [(Int, Int, Int, Bool, Bool, Int)] {
        Validation.shapes(fullShapes, small: [(0, 5, 3, false, false, 1), (1, 7, 13, false, true, 1),
                                              (13, 1, 7, true, false, 1), (9, 11, 6, true, true, 2)])
    }

    static let fullShapes: [(Int, Int, Int, Bool, Bool, Int)] = [
        (0, 5, 3, false, false, 1), (4, 0, 3, false, false, 1), (3, 4, 0, false, false, 1),
        (1, 1, 1, false, false, 1), (1, 7, 13, false, true, 1), (13, 1, 7, true, false, 1),
        (31, 37, 41, true, true, 1), (513, 257, 129, false, false, 1), (513, 257, 129, true, true, 1),
        (1000, 3, 64, false, false, 1), (3, 1000, 64, false, true, 1), (64, 64, 1500, true, false, 1),
        (17, 29, 23, false, false, 5), (33, 9, 65, true, true, 3),
    ]

    package static var all: [ValidationCheck] {
        [check(Float.self), check(Double.self), special(Float.self), special(Double.self),
         tiled(Float.self), tiled(Double.self)]
    }

    /// Rounding bound for one dot product of length k, relative to the result's scale.
    package static func tolerance<T: Scalar>(_: T.Type, k: Int) -> Double { 8 * T.eps * Double(max(k, 1)).squareRoot() }

    /// The engines a product is checked with: on OpenCL devices our CPU-shaped kernel where its
    /// `__local` panels fit the device (up to 192 KiB on CPU devices; on GPUs usually only
    /// without transposed A), and CLBlast.
    static func engines<T: Scalar>(_ dev: any Backend, _: T.Type, transA: Bool) -> [(String, GemmEngine?)] {
        guard let cl = dev as? OpenCLBackend else { return [("", nil)] }
        let info = cl.cl.info
        let tiles = GemmTiles.lookup(deviceName: info.name, vendor: info.vendor, dtype: T.dtype)
        var out: [(String, GemmEngine?)] = []
        if tiles.localMemoryBytes(T.dtype, transA: transA) <= info.localMemory { out.append(("own", .own)) }
        return out + [("clblast", .clblast)]
    }

    /// Runs C = α op(A) op(B) + β C on `be` and returns C.
    package static func run<T: Scalar>(_ be: any Backend, _ engine: GemmEngine?, _ p: GemmParams, alpha: T, beta: T,
                               a: [T], b: [T], c: [T]) throws -> [T] {
        let ta = try be.tensor(a), tb = try be.tensor(b), tc = try be.tensor(c)
        if let engine, let cl = be as? OpenCLBackend {
            try cl.gemm(p, alpha: alpha, ta, tb, beta: beta, tc, engine: engine)
        } else {
            try be.gemm(p, alpha: alpha, ta, tb, beta: beta, tc)
        }
        return try tc.toArray()
    }

    package static func operands<T: Scalar>(_ p: GemmParams, seed: UInt64) -> (a: [T], b: [T], c: [T]) {
        let na = p.offsetA + max(p.batch - 1, 0) * p.strideA + p.extentA
        let nb = p.offsetB + max(p.batch - 1, 0) * p.strideB + p.extentB
        let nc = p.offsetC + max(p.batch - 1, 0) * p.strideC + p.extentC
        let a: [Double] = PhiloxFill.normal(count: na, seed: seed, stream: 20)
        let b: [Double] = PhiloxFill.normal(count: nb, seed: seed, stream: 21)
        let c: [Double] = PhiloxFill.normal(count: nc, seed: seed, stream: 22)
        return (a.map { T($0) }, b.map { T($0) }, c.map { T($0) })
    }

    static func check<T: Scalar>(_: T.Type) -> ValidationCheck {
        ValidationCheck(op: "gemm") { cpu, dev, seed in
            if T.dtype == .f64 && !dev.supportsFP64 { return [] }
            var out: [ValidationResult] = []
            for (i, (m, n, k, ta, tb, batch)) in shapes.enumerated() {
                let p = params(m, n, k, ta, tb, batch, padded: i % 3 == 1, ldbPad: 5, offsetA: 7)
                let (a, b, c, alpha, beta, ref): ([T], [T], [T], T, T, [T]) = try problem(i, p, seed: seed, cpu: cpu)
                for (name, engine) in engines(dev, T.self, transA: ta) {
                    let got = try run(dev, engine, p, alpha: alpha, beta: beta, a: a, b: b, c: c)
                    out.append(.compare(op: "gemm" + (name.isEmpty ? "" : ".\(name)"), shape: [m, n, k],
                                        ref: ref, got: got, tolerance: tolerance(T.self, k: k), seed: seed, floor: 1))
                    out[out.count - 1].shape += (ta ? " Aᵀ" : "") + (tb ? " Bᵀ" : "") + (batch > 1 ? " ×\(batch)" : "")
                }
            }
            return out
        }
    }

    /// NaN and Inf propagate as BLAS propagates them; β = 0 overwrites a NaN-filled C.
    static func special<T: Scalar>(_: T.Type) -> ValidationCheck {
        ValidationCheck(op: "gemm.nan-inf") { cpu, dev, seed in
            if T.dtype == .f64 && !dev.supportsFP64 { return [] }
            // A general product, and the matrix–vector shapes the CPU engine sends to GEMV.
            var out: [ValidationResult] = []
            for (m, n) in [(37, 45), (37, 1), (1, 45)] {
                let p = GemmParams(m: m, n: n, k: 29)
                var (a, b, _): ([T], [T], [T]) = operands(p, seed: seed)
                a[min(3, m - 1) * 29 + 4] = .nan
                b[10 * n + min(7, n - 1)] = .infinity
                let c = [T](repeating: .nan, count: m * n)
                let ref = try run(cpu, nil, p, alpha: 1, beta: 0, a: a, b: b, c: c)
                for (name, engine) in engines(dev, T.self, transA: false) {
                    let got = try run(dev, engine, p, alpha: 1, beta: 0, a: a, b: b, c: c)
                    out.append(.compare(op: "gemm.nan-inf" + (name.isEmpty ? "" : ".\(name)"), shape: [m, n, 29], ref: ref,
                                        got: got, tolerance: tolerance(T.self, k: 29), seed: seed, floor: 1))
                }
            }
            return out
        }
    }

    /// Small odd-edged shapes for the GPU-shaped kernel (small enough for Oclgrind): sizes 1,
    /// primes around the tile sizes, both transposes, batches, padded leading dimensions.
    static let tiledShapes: [(Int, Int, Int, Bool, Bool, Int)] = [
        (1, 1, 1, false, false, 1), (3, 4, 0, false, false, 1), (1, 37, 5, true, false, 1), (29, 1, 17, false, true, 1),
        (33, 35, 19, false, false, 1), (17, 70, 9, true, true, 1), (65, 31, 33, true, false, 2), (7, 66, 41, false, true, 3),
    ]

    /// kernels/gemm_tiled.cl with the device's chosen parameters and with other sets (block,
    /// work-group and vector width), on any OpenCL device, against OpenBLAS.
    static func tiled<T: Scalar>(_: T.Type) -> ValidationCheck {
        ValidationCheck(op: "gemm.tiled") { cpu, dev, seed in
            guard let cl = dev as? OpenCLBackend else { return [] }
            if T.dtype == .f64 && !dev.supportsFP64 { return [] }
            let chosen = cl.gemmTuning.choice(dtype: T.dtype, m: 64, n: 64, k: 64).tiled
            // Besides the chosen set: a small one, a non-square one with VW 4, and the NVIDIA/AMD default
            // (the sets a GPU would run, exercised on whatever device validate is given).
            let others = [GemmTiledParams(mwg: 16, nwg: 16, kwg: 8, mdimc: 4, ndimc: 4, vw: 2),
                          GemmTiledParams(mwg: 24, nwg: 8, kwg: 4, mdimc: 8, ndimc: 2, vw: 4),
                          GemmTiledParams(mwg: 64, nwg: 64, kwg: 16, mdimc: 16, ndimc: 16, vw: T.dtype == .f32 ? 4 : 2)]
            var sets = [chosen]
            for t in others where !sets.contains(t) && t.limitError(T.dtype, device: cl.cl.info) == nil { sets.append(t) }
            var out: [ValidationResult] = []
            for (i, (m, n, k, ta, tb, batch)) in tiledShapes.enumerated() {
                // Padded leading dimensions and an offset: the scalar-load path.
                let p = params(m, n, k, ta, tb, batch, padded: i % 2 == 1, ldbPad: 1, offsetA: 5)
                let (a, b, c, alpha, beta, ref): ([T], [T], [T], T, T, [T]) = try problem(i, p, seed: seed, cpu: cpu)
                for t in sets {
                    let ta_ = try cl.tensor(a), tb_ = try cl.tensor(b), tc = try cl.tensor(c)
                    try cl.gemm(p, alpha: alpha, ta_, tb_, beta: beta, tc, engine: .tiled, tiled: t)
                    var r = ValidationResult.compare(op: "gemm.tiled", shape: [m, n, k], ref: ref, got: try tc.toArray(),
                                                     tolerance: tolerance(T.self, k: k), seed: seed, floor: 1)
                    r.shape += (ta ? " Aᵀ" : "") + (tb ? " Bᵀ" : "") + (batch > 1 ? " ×\(batch)" : "")
                        + " \(t.mwg)x\(t.nwg)x\(t.kwg)/\(t.ndimc)x\(t.mdimc)v\(t.vw)"
                    out.append(r)
                }
            }
            return out
        }
    }
}
