import Compute
import Foundation

/// `gpurun tune gemm`: searches kernels/gemm_tiled.cl's parameters on one device, as CLBlast's
/// tuner does for its kernels, and records per (device, driver, dtype, shape class) the fastest
/// engine among our GPU-shaped kernel, our CPU-shaped kernel (CPU devices) and CLBlast.
///
/// Steps: every candidate of GemmTiledParams.candidates that the device's limits admit (the rest
/// are counted as skipped, with the first reason) is checked against OpenBLAS on an odd-edged,
/// transposed, batched product; survivors are timed at each shape class's representative size
/// until the budget is spent (the baselines — the vendor default, our CPU-shaped kernel on CPU
/// devices, CLBlast — are always timed, so a short budget still yields a record).
public enum GemmTuner {
    public struct ClassResult: Codable, Sendable {
        public var shapeClass: GemmShapeClass
        public var size: Int
        public var chosen: String
        public var tiled: GemmTiledParams?
        /// GFLOP/s by engine: "tiled" is the best tiled candidate, "tiled.default" the vendor default.
        public var gflops: [String: Double]
        public var why: String
    }

    public struct Report: Codable, Sendable {
        public var device: String
        public var name: String
        public var driver: String
        public var type: String
        public var dtype: DType
        public var budgetSeconds: Double
        public var elapsedSeconds: Double
        public var candidates: Int
        public var skippedByLimits: Int
        public var skipReasons: [String]
        public var failedCheck: Int
        public var failures: [String]
        public var timed: Int
        public var classes: [ClassResult]
        public var stored: String?
        public var storeError: String?
    }

    public static func run(device: OpenCLBackend, dtype: DType, budget: Double, file: GemmTuningFile = .standard,
                           progress: (String) -> Void = { _ in }) throws -> Report {
        switch dtype {
        case .f32: try run(Float.self, device: device, budget: budget, file: file, progress: progress)
        case .f64: try run(Double.self, device: device, budget: budget, file: file, progress: progress)
        }
    }

    static func run<T: Scalar>(_: T.Type, device: OpenCLBackend, budget: Double, file: GemmTuningFile,
                               progress: (String) -> Void) throws -> Report {
        try device.checkDType(T.self, "tune gemm")
        try file.checkWritable()
        let info = device.cl.info
        let start = Timing.now()
        let deadline = start + max(budget, 0)
        let isGPU = info.type != "CPU"
        let cpu = CPUBackend.shared

        // Candidates within the device's limits, vendor default first.
        let fallback = GemmTiledParams.defaults(for: info, dtype: T.dtype)
        var all = GemmTiledParams.candidates(dtype: T.dtype)
        all.removeAll { $0 == fallback }
        all = [fallback] + shuffled(all, seed: 0x9E37_79B9)
        var skipReasons: [String] = []
        let admitted = all.filter { t in
            if let e = t.limitError(T.dtype, device: info) {
                if skipReasons.count < 3 { skipReasons.append(e.description) }
                return false
            }
            return true
        }

        // The correctness check: odd edges, both transposes, a batch of 2, against OpenBLAS.
        var check = GemmParams(m: 67, n: 45, k: 37, transA: true, transB: true, batch: 2)
        check.offsetA = 0
        let (ca, cb, cc): ([T], [T], [T]) = GemmChecks.operands(check, seed: 7)
        let checkRef = try GemmChecks.run(cpu, nil, check, alpha: T(0.5), beta: T(-1), a: ca, b: cb, c: cc)
        let tol = GemmChecks.tolerance(T.self, k: check.k)
        func passes(_ engine: GemmEngine, _ t: GemmTiledParams?) -> String? {
            do {
                let tc = try device.tensor(cc)
                try device.gemm(check, alpha: T(0.5), try device.tensor(ca), try device.tensor(cb), beta: T(-1), tc,
                                engine: engine, tiled: t)
                let err = Compare.maxRelativeError(checkRef, try tc.toArray(), floor: 1)
                return err <= tol ? nil : "max rel error \(err) > \(tol)"
            } catch {
                return "\(error)"
            }
        }

        // Operands of each class's square product.
        let classes = GemmShapeClass.allCases
        var squares: [GemmShapeClass: TuneSquare<T>] = [:]
        for cls in classes {
            let n = cls.representativeSize(isGPU: isGPU)
            let a: Tensor<T> = try device.normal([n, n], seed: 3, stream: 0, offset: 0)
            let b: Tensor<T> = try device.normal([n, n], seed: 3, stream: 1, offset: 0)
            squares[cls] = TuneSquare(n: n, a: a, b: b, c: try device.zeros([n, n], as: T.self))
        }
        func gflops(_ cls: GemmShapeClass, _ engine: GemmEngine, _ t: GemmTiledParams?) throws -> Double {
            let sq = squares[cls]!
            let p = GemmParams(m: sq.n, n: sq.n, k: sq.n)
            let s = try Timing.median(warmup: 1, minRepeats: 3, minSeconds: 0.05) {
                try device.gemm(p, alpha: 1, sq.a, sq.b, beta: 0, sq.c, engine: engine, tiled: t)
                try device.synchronize()
            }
            return p.flops / s / 1e9
        }

        var rates: [GemmShapeClass: [String: Double]] = [:]
        var bestTiled: [GemmShapeClass: (GemmTiledParams, Double)] = [:]
        var failures: [String] = []
        var failedCheck = 0, timed = 0

        // Baselines, always.
        var baselines: [(String, GemmEngine)] = [("clblast", .clblast)]
        if !isGPU { baselines.insert(("own", .own), at: 0) }
        for (name, engine) in baselines {
            if let why = passes(engine, nil) {
                failedCheck += 1
                failures.append("\(name): \(why)")
                continue
            }
            for cls in classes {
                progress("\(name) \(cls.rawValue)")
                do { rates[cls, default: [:]][name] = try gflops(cls, engine, nil) } catch {
                    failures.append("\(name) \(cls.rawValue): \(error)")
                }
            }
        }
        // Tiled candidates, the default first, then as long as the budget lasts.
        for (i, t) in admitted.enumerated() {
            if i > 0 && Timing.now() >= deadline { break }
            progress("tiled \(t)")
            if let why = passes(.tiled, t) {
                failedCheck += 1
                if failures.count < 10 { failures.append("tiled \(t): \(why)") }
                continue
            }
            timed += 1
            for cls in classes {
                if i > 0 && Timing.now() >= deadline { break }
                do {
                    let r = try gflops(cls, .tiled, t)
                    if i == 0 { rates[cls, default: [:]]["tiled.default"] = r }
                    if r > (bestTiled[cls]?.1 ?? -1) { bestTiled[cls] = (t, r) }
                } catch {
                    if failures.count < 10 { failures.append("tiled \(t) \(cls.rawValue): \(error)") }
                }
            }
        }

        // The choice per class: the fastest measured engine.
        let date = ISO8601DateFormatter().string(from: Date())
        var results: [ClassResult] = []
        var records: [GemmTuningRecord] = []
        for cls in classes {
            var g = rates[cls] ?? [:]
            if let (t, r) = bestTiled[cls] { g["tiled"] = r; _ = t }
            let contenders = g.filter { $0.key != "tiled.default" }
            guard let best = contenders.max(by: { $0.value < $1.value }) else { continue }
            let t = bestTiled[cls]?.0 ?? fallback
            let runnerUp = contenders.filter { $0.key != best.key }.max(by: { $0.value < $1.value })
            let why = runnerUp.map {
                String(format: "%@ %.1f GFLOP/s vs %@ %.1f (%.2fx)", best.key, best.value, $0.key, $0.value, best.value / $0.value)
            } ?? "\(best.key) was the only engine that passed"
            results.append(ClassResult(shapeClass: cls, size: squares[cls]!.n, chosen: best.key,
                                       tiled: t, gflops: g, why: why))
            records.append(GemmTuningRecord(device: info.name, driver: info.driverVersion, dtype: T.dtype,
                                            shapeClass: cls, engine: best.key, tiled: t, gflops: g,
                                            size: squares[cls]!.n, date: date))
        }
        var stored: String?
        var storeError: String?
        if !records.isEmpty {
            do {
                try file.store(records)
                stored = file.url?.path
            } catch {
                storeError = "\(error)"
            }
        }
        return Report(device: info.label, name: info.name, driver: info.driverVersion, type: info.type,
                      dtype: T.dtype, budgetSeconds: budget, elapsedSeconds: Timing.now() - start,
                      candidates: all.count, skippedByLimits: all.count - admitted.count, skipReasons: skipReasons,
                      failedCheck: failedCheck, failures: failures, timed: timed, classes: results,
                      stored: stored, storeError: storeError)
    }

    /// A fixed pseudo-random order (splitmix64), so that a short budget samples the whole space.
    static func shuffled<E>(_ xs: [E], seed: UInt64) -> [E] {
        var s = seed
        var out = xs
        func next() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        if out.count > 1 {
            for i in stride(from: out.count - 1, to: 0, by: -1) {
                out.swapAt(i, Int(next() % UInt64(i + 1)))
            }
        }
        return out
    }
}

/// The operands of one shape class's square product.
private struct TuneSquare<S: Scalar> {
    var n: Int
    var a: Tensor<S>
    var b: Tensor<S>
    var c: Tensor<S>
}
