import Compute
import Foundation
import OpenCLRuntime
import XCTest

/// kernels/gemm_tiled.cl (the GPU-shaped GEMM) against OpenBLAS, its pre-launch limit checks,
/// and the tuning file.
final class GemmTiledTests: XCTestCase {
    /// Random shapes, transposes, batches, offsets and tuner candidates each run (seed printed),
    /// both precisions with their own rounding bounds.
    func testRandomShapesAndCandidatesBothPrecisions() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        // Register tiles of at most 16 keep PoCL's compile of each new candidate short.
        let candidates = GemmTiledParams.candidates(dtype: .f32).filter { ($0.mwg / $0.mdimc) * ($0.nwg / $0.ndimc) <= 16 }
        let raw: [UInt32] = PhiloxFill.raw(count: 80, seed: seed, stream: 98)
        func check<T: Scalar>(_: T.Type, _ t: Int) throws {
            let d = raw[(8 * t)..<(8 * t + 8)].map(Int.init)
            var p = GemmParams(m: 1 + d[0] % 70, n: 1 + d[1] % 70, k: d[2] % 70, transA: d[3] % 2 == 0,
                               transB: d[4] % 2 == 0, batch: 1 + d[5] % 3)
            p.offsetA = d[6] % 4
            let tiles = candidates[d[7] % candidates.count]
            let (a, b, c): ([T], [T], [T]) = GemmChecks.operands(p, seed: seed &+ UInt64(t))
            let ref = try GemmChecks.run(CPUBackend.shared, nil, p, alpha: T(0.5), beta: T(-1), a: a, b: b, c: c)
            let tc = try cl.tensor(c)
            try cl.gemm(p, alpha: T(0.5), try cl.tensor(a), try cl.tensor(b), beta: T(-1), tc, engine: .tiled, tiled: tiles)
            let err = Compare.maxRelativeError(ref, try tc.toArray(), floor: 1)
            XCTAssertLessThanOrEqual(err, GemmChecks.tolerance(T.self, k: p.k), "\(T.dtype) \(p) \(tiles) (seed \(seed))")
        }
        for t in 0..<4 { try check(Float.self, t) }
        if cl.supportsFP64 { for t in 5..<9 { try check(Double.self, t) } }
    }

    /// Local memory and work-group size are checked before launch, with requested and available.
    func testLimitErrorsNameRequestedAndAvailable() throws {
        let gpu = CLDeviceInfo(index: 0, platformName: "p", platformVendor: "NVIDIA Corporation", platformVersion: "OpenCL 3.0",
                               name: "Fake GPU", vendor: "NVIDIA Corporation", type: "GPU", driverVersion: "1", deviceVersion: "OpenCL 3.0",
                               openCLCVersion: "OpenCL C 1.2", computeUnits: 1, clockMHz: 1, globalMemory: 1 << 30,
                               localMemory: 49152, localMemoryIsEmulated: false, maxAllocation: 1 << 28,
                               maxWorkGroupSize: 256, maxWorkItemSizes: [1024, 1024, 64], fp64: true, fp16: false)
        let big = GemmTiledParams(mwg: 128, nwg: 128, kwg: 32, mdimc: 16, ndimc: 16, vw: 4)  // 64 KiB in f64
        XCTAssertNil(big.limitError(.f32, device: gpu))
        let e = try XCTUnwrap(big.limitError(.f64, device: gpu))
        XCTAssertTrue("\(e)".contains("65536") && "\(e)".contains("49152"), "\(e)")
        let wide = GemmTiledParams(mwg: 64, nwg: 64, kwg: 8, mdimc: 32, ndimc: 32, vw: 1)
        XCTAssertTrue("\(try XCTUnwrap(wide.limitError(.f32, device: gpu)))".contains("[32, 32, 1]"))
        let p = GemmParams(m: 8, n: 8, k: 8)
        XCTAssertThrowsError(try GemmKernels.tiled(p, dtype: .f64, alpha: 1, beta: 0, a: nil, b: nil, c: nil,
                                                   params: big, device: gpu)) {
            guard case ComputeError.localMemoryTooLarge(_, 65536, 49152, _) = $0 else { return XCTFail("\($0)") }
        }
        // Vendor defaults always fit the device they are chosen for, including AMD-like 256 work-items.
        for wg in [256, 1024] {
            var d = gpu
            d.maxWorkGroupSize = wg
            for dt in DType.allCases { XCTAssertNil(GemmTiledParams.defaults(for: d, dtype: dt).limitError(dt, device: d)) }
        }
        // Untuned GPUs run the GPU-shaped kernel, CPUs the CPU-shaped one.
        XCTAssertEqual(GemmTuning(info: gpu, records: []).choice(dtype: .f32, m: 9, n: 9, k: 9).engine, "tiled")
        var cpu = gpu
        cpu.type = "CPU"
        XCTAssertEqual(GemmTuning(info: cpu, records: []).choice(dtype: .f32, m: 9, n: 9, k: 9).engine, "own")
    }

    /// Store, reload, replace by key, corrupt file reported and ignored, no temporary left behind.
    func testTuningFileRoundTripCorruptAndAtomic() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gemm-tuning-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = GemmTuningFile(url: dir.appendingPathComponent("gemm-tuning.json"))
        XCTAssertEqual(file.load(), [])
        let t = GemmTiledParams(mwg: 32, nwg: 32, kwg: 16, mdimc: 8, ndimc: 8, vw: 2)
        func record(_ engine: String, _ cls: GemmShapeClass) -> GemmTuningRecord {
            GemmTuningRecord(device: "D", driver: "1.0", dtype: .f32, shapeClass: cls, engine: engine, tiled: t,
                             gflops: [engine: 1], size: 96, date: "now")
        }
        try file.store([record("tiled", .small), record("clblast", .large)])
        try file.store([record("own", .small)])
        let back = file.load()
        XCTAssertEqual(back.count, 2)
        XCTAssertEqual(back.first { $0.shapeClass == .small }?.engine, "own")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "gemm-tuning.json" }
        XCTAssertEqual(leftovers, [], "temporary files left: \(leftovers)")

        let info = CLDeviceInfo(index: 0, platformName: "p", platformVendor: "v", platformVersion: "1", name: "D", vendor: "v",
                                type: "GPU", driverVersion: "1.0", deviceVersion: "1", openCLCVersion: "1", computeUnits: 1,
                                clockMHz: 1, globalMemory: 1 << 30, localMemory: 32768, localMemoryIsEmulated: false,
                                maxAllocation: 1 << 28, maxWorkGroupSize: 256, maxWorkItemSizes: [256, 256, 256],
                                fp64: true, fp16: false)
        let tuning = GemmTuning(info: info, records: back)
        XCTAssertTrue(tuning.isTuned)
        XCTAssertEqual(tuning.choice(dtype: .f32, m: 4096, n: 4096, k: 4096).engine, "clblast")
        var other = info
        other.driverVersion = "2.0"
        let stale = GemmTuning(info: other, records: back)
        XCTAssertFalse(stale.isTuned, "another driver version is not tuned")
        XCTAssertEqual(stale.refused.count, 2, "\(stale.refused)")
        XCTAssertTrue(stale.refused.allSatisfy { $0.contains("driver 1.0") && $0.contains("runs 2.0") }, "\(stale.refused)")
        var elsewhere = info
        elsewhere.name = "E"
        XCTAssertEqual(GemmTuning(info: elsewhere, records: back).refused, [], "another device's records are not this one's business")

        // Parameters beyond this device's limits (64 KiB of local memory on a 32 KiB device) are refused,
        // and the product runs the built-in defaults instead.
        var big = record("tiled", .medium)
        big.tiled = GemmTiledParams(mwg: 128, nwg: 128, kwg: 64, mdimc: 16, ndimc: 16, vw: 4)
        var unknown = record("magic", .small)
        unknown.dtype = .f64
        let limited = GemmTuning(info: info, records: [big, unknown])
        XCTAssertFalse(limited.isTuned)
        XCTAssertEqual(limited.refused.count, 2, "\(limited.refused)")
        XCTAssertTrue(limited.refused[0].contains("cannot run") && limited.refused[0].contains("local memory"), "\(limited.refused)")
        XCTAssertTrue(limited.refused[1].contains("unknown engine 'magic'"), "\(limited.refused)")
        let fallback = limited.choice(dtype: .f32, m: 384, n: 384, k: 384)
        XCTAssertEqual(fallback.engine, "tiled")
        XCTAssertEqual(fallback.tiled, GemmTiledParams.defaults(for: info, dtype: .f32))

        try Data("{\"version\": 1, \"records\": [ {".utf8).write(to: file.url!)
        var notes: [String] = []
        XCTAssertEqual(file.load { notes.append($0) }, [])
        XCTAssertTrue(notes.first?.contains("corrupt") == true, "\(notes)")
        try file.store([record("tiled", .medium)])  // a corrupt file is replaced by the next store
        XCTAssertEqual(file.load().map(\.engine), ["tiled"])
    }
}
