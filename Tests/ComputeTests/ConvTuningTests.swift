import Compute
import GPURunApp
import OpenCLRuntime
import Foundation
import XCTest

/// `gpurun tune conv` (ConvTuner) and the records it writes: measured choices per pass and
/// shape class, refused records, the file shared with GEMM's, and the backend following a record.
final class ConvTuningTests: XCTestCase {
    func temporaryFile() -> GemmTuningFile {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("conv-tuning-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return GemmTuningFile(url: dir.appendingPathComponent("gemm-tuning.json"))
    }

    func record(_ path: String, _ pass: ConvPass, _ cls: ConvShapeClass, direct: ConvDirectParams? = nil,
                device: String = "D", driver: String = "1.0") -> ConvTuningRecord {
        ConvTuningRecord(device: device, driver: driver, dtype: .f32, pass: pass, shapeClass: cls, path: path, direct: direct,
                         milliseconds: [path: 1], layer: "l", date: "now")
    }

    /// The representative layers fall in their classes, and the class bounds are where they say.
    func testShapeClassesOfTheRepresentativeLayers() {
        for cls in ConvShapeClass.allCases { XCTAssertEqual(ConvTuner.layer(cls).shapeClass, cls, "\(cls)") }
        XCTAssertEqual(ConvShapeClass(outPerGroup: 7, work: 1 << 40), .thin)
        XCTAssertEqual(ConvShapeClass(outPerGroup: 8, work: (1 << 25) - 1), .small)
        XCTAssertEqual(ConvShapeClass(outPerGroup: 8, work: 1 << 25), .large)
    }

    /// Both record kinds share the file: storing one kind keeps the other; a file from before
    /// convolution tuning (no "conv" key) still loads.
    func testFileKeepsGemmAndConvRecords() throws {
        let file = temporaryFile()
        let g = GemmTuningRecord(device: "D", driver: "1.0", dtype: .f32, shapeClass: .small, engine: "own", tiled: nil,
                                 gflops: ["own": 1], size: 96, date: "now")
        try file.store([g])
        try file.storeConv([record("im2col", .forward, .small), record("direct", .forward, .thin)])
        try file.storeConv([record("direct", .forward, .small)])
        XCTAssertEqual(file.load(), [g])
        XCTAssertEqual(file.loadConv().count, 2)
        XCTAssertEqual(file.loadConv().first { $0.shapeClass == .small }?.path, "direct")
        try file.store([g])
        XCTAssertEqual(file.loadConv().count, 2, "storing GEMM records dropped the convolution's")
        try Data("{\"version\": 1, \"records\": []}".utf8).write(to: file.url!)
        XCTAssertEqual(file.loadConv(), [])
    }

    /// Records of another driver, with shapes beyond the device's limits or an unknown path are
    /// refused, each with its reason; another device's are ignored.
    func testRecordsTheDeviceCannotUseAreRefused() {
        let info = CLDeviceInfo(index: 0, platformName: "p", platformVendor: "v", platformVersion: "1", name: "D", vendor: "v",
                                type: "GPU", driverVersion: "1.0", deviceVersion: "1", openCLCVersion: "1", computeUnits: 1,
                                clockMHz: 1, globalMemory: 1 << 30, localMemory: 32768, localMemoryIsEmulated: false,
                                maxAllocation: 1 << 28, maxWorkGroupSize: 128, maxWorkItemSizes: [128, 128, 64],
                                fp64: true, fp16: false)
        let t = ConvTuning(info: info, records: [
            record("direct", .forward, .small, direct: ConvDirectParams(lx: 16, ly: 8, reduction: 64)),
            record("im2col", .forward, .large, driver: "0.9"),
            record("direct", .backwardWeights, .large, direct: ConvDirectParams(lx: 32, ly: 8, reduction: 256)),
            record("direct", .backwardInput, .large, direct: ConvDirectParams(lx: 12, ly: 8, reduction: 64)),
            record("winograd", .forward, .thin),
            record("im2col", .forward, .thin, device: "E"),
        ])
        XCTAssertEqual(t.records.count, 1)
        XCTAssertEqual(t.refused.count, 4, "\(t.refused)")
        XCTAssertTrue(t.refused[0].contains("driver 0.9"), t.refused[0])
        XCTAssertTrue(t.refused[1].contains("exceeds the device's work-group limits"), t.refused[1])
        XCTAssertTrue(t.refused[2].contains("powers of two"), t.refused[2])
        XCTAssertTrue(t.refused[3].contains("unknown path 'winograd'"), t.refused[3])
    }

    /// The tuner on OpenCL with the GPU-shaped kernels (forced on PoCL) and no budget beyond its
    /// baselines: a record per (pass, class), each the fastest of what it timed; the backend
    /// then follows a record, a tuned direct shape included, and still matches the CPU.
    func testTunerRecordsChoicesAndTheBackendFollowsThem() throws {
        let cl = try openCLBackend()
        cl.kernelShapeOverride = .gpu
        defer { cl.kernelShapeOverride = nil; cl.convTuning = ConvTuning(info: cl.cl.info, records: []) }
        let file = temporaryFile()
        let report = try ConvTuner.run(device: cl, dtype: .f32, budget: 0, file: file)
        XCTAssertEqual(report.kernels, "gpu")
        XCTAssertEqual(report.failedCheck, 0, "\(report.failures)")
        XCTAssertEqual(report.timed, 2, "the budget 0 times the two baselines only")
        XCTAssertEqual(report.choices.count, 9)
        for c in report.choices {
            XCTAssertEqual(Set(c.milliseconds.keys), ["im2col", "direct 32×8/256"], "\(c.pass) \(c.shapeClass)")
            XCTAssertEqual(c.milliseconds[c.chosen], c.milliseconds.values.min(), "\(c.pass) \(c.shapeClass): not the fastest")
            XCTAssertEqual(c.direct == nil, c.chosen == "im2col")
        }
        let stored = file.loadConv()
        XCTAssertEqual(stored.count, 9)
        XCTAssertNil(cl.convShapeOverride, "the tuner left its override set")

        // A record naming the direct path with a non-default shape is followed, and the
        // outputs still match the CPU engine.
        let shape = ConvDirectParams(lx: 8, ly: 4, reduction: 32)
        let p = Conv2dParams(batch: 3, inChannels: 8, outChannels: 8, height: 9, width: 11, kernel: 3, padding: 1)
        cl.convTuning = ConvTuning(info: cl.cl.info, records: ConvPass.allCases.map {
            ConvTuningRecord(device: cl.cl.info.name, driver: cl.cl.info.driverVersion, dtype: .f32, pass: $0,
                             shapeClass: p.shapeClass, path: "direct", direct: shape, milliseconds: [:], layer: "", date: "")
        })
        XCTAssertEqual(Conv2dPath.choose(p), .im2col, "the test needs a layer the static rule sends to im2col")
        for pass in ConvPass.allCases {
            let plan = cl.convPlan(pass, p, dtype: .f32, forced: nil)
            XCTAssertEqual(plan.path, .direct)
            XCTAssertEqual(plan.shape, shape)
        }
        XCTAssertEqual(cl.convPlan(.forward, p, dtype: .f32, forced: .im2col).path, .im2col, "a forced path wins")
        XCTAssertEqual(cl.convPlan(.forward, p, dtype: .f64, forced: nil).path, .im2col, "no f64 record: the rule")
        let v: (x: [Float], w: [Float], b: [Float], dy: [Float]) = ConvChecks.inputs(p, seed: freshSeed())
        let ref = try ConvChecks.run(CPUBackend.shared, path: nil, p, v)
        let got = try ConvChecks.run(cl, path: nil, p, v)
        for r in ConvChecks.compare(p, path: "tuned", ref: ref, got: got, seed: 0) { XCTAssertTrue(r.pass, "\(r)") }
    }
}
