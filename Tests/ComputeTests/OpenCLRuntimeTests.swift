import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import COpenCL
import XCTest

final class OpenCLRuntimeTests: XCTestCase {
    func testCheckedSizesRefuseOverflowAndNegatives() throws {
        XCTAssertEqual(Checked.sum([1, 2, 3]), 6)
        XCTAssertNil(Checked.sum([Int.max, 1]))
        XCTAssertNil(Checked.sum([5, -1]))
        XCTAssertEqual(Checked.sum([Int.max, 1]) ?? .max, .max, "saturates")
        XCTAssertEqual(Checked.product([3, 4, 5]), 60)
        XCTAssertNil(Checked.product([1 << 32, 1 << 32]))
        XCTAssertThrowsError(try Checked.sum([Int.max, 1], "the working set")) {
            XCTAssertTrue("\($0)".contains("the working set is too large"), "\($0)")
        }
        XCTAssertThrowsError(try Checked.integer(1e300, "--steps")) { XCTAssertTrue("\($0)".contains("--steps"), "\($0)") }
    }

    func testStatusNamesAreSymbolic() {
        XCTAssertEqual(openCLStatusName(-5), "CL_OUT_OF_RESOURCES")
        XCTAssertEqual(openCLStatusName(-11), "CL_BUILD_PROGRAM_FAILURE")
        XCTAssertEqual(openCLStatusName(-1001), "CL_PLATFORM_NOT_FOUND_KHR")
        XCTAssertEqual(clblastStatusName(-1017), "CLBlastInvalidDimension")
        XCTAssertEqual(clblastStatusName(-2044), "CLBlastNoDoublePrecision")
        XCTAssertEqual(clblastStatusName(-4), "CL_MEM_OBJECT_ALLOCATION_FAILURE")
        let e = OpenCLError(code: -5, call: "clEnqueueNDRangeKernel(x)")
        XCTAssertEqual(e.description, "clEnqueueNDRangeKernel(x) failed: CL_OUT_OF_RESOURCES (-5)")
    }

    func testDeviceProperties() throws {
        let info = try openCLBackend().cl.info
        XCTAssertFalse(info.name.isEmpty)
        XCTAssertGreaterThan(info.computeUnits, 0)
        XCTAssertGreaterThan(info.maxAllocation, 0)
        XCTAssertLessThanOrEqual(info.maxAllocation, info.globalMemory)
        XCTAssertTrue(info.openCLCVersion.contains("OpenCL C"))
    }

    func testBufferRoundTripAndCopy() throws {
        let ctx = try openCLBackend().cl
        let a = try ctx.buffer([1.5, -2, 3] as [Double])
        XCTAssertEqual(try a.read(), [1.5, -2, 3])
        let b: CLBuffer<Double> = try ctx.buffer(count: 3)
        try b.copy(from: a)
        XCTAssertEqual(try b.read(offset: 1), [-2, 3])
        XCTAssertThrowsError(try a.write([1, 2, 3, 4]))
    }

    func testAllocationLargerThanDeviceLimitIsRefusedReadably() throws {
        let ctx = try openCLBackend().cl
        XCTAssertThrowsError(try ctx.buffer(Float.self, count: ctx.info.maxAllocation / 4 + 1024)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("exceeds the largest single allocation"), text)
            XCTAssertTrue(text.contains("GiB") || text.contains("MiB"), text)
        }
    }

    func testWorkGroupTooLargeIsRefused() throws {
        let ctx = try openCLBackend().cl
        let out: CLBuffer<UInt32> = try ctx.buffer(count: 16)
        var inv = RandomKernels.fill(.raw, out: out.mem, count: 16, seed: 1, stream: 0, offset: 0)
        inv.local = [ctx.info.maxWorkGroupSize * 2]
        XCTAssertThrowsError(try ctx.run(inv)) { error in
            XCTAssertTrue("\(error)".contains("exceeds the device limit"), "\(error)")
        }
    }

    func testBuildFailureCarriesTheLog() throws {
        let ctx = try openCLBackend().cl
        let cache = ProgramCache(diskDirectory: nil)
        XCTAssertThrowsError(try ctx.serialized {
            try cache.program(source: "__kernel void broken(__global float *x) { x[0] = undefined_name; }",
                              file: "broken.cl", options: "", on: ctx)
        }) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("building kernels/broken.cl"), text)
            XCTAssertTrue(text.contains("undefined_name"), "build log missing: \(text)")
        }
    }

    func testDiskCacheHitAndCorruptEntryRebuilt() throws {
        let ctx = try openCLBackend().cl
        let dir = try temporaryDirectory(self)
        let source = try KernelLibrary.source("random.cl")

        let first = ProgramCache(diskDirectory: dir, binaries: .always)
        let p1 = try ctx.serialized { try first.program(source: source, file: "random.cl", options: "", on: ctx) }
        clReleaseProgram(p1)
        XCTAssertEqual(first.lastOutcome, .built)
        let entries = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertEqual(entries.count, 1, "one entry, no temporary files left: \(entries)")
        XCTAssertTrue(entries[0].hasSuffix(".bin"))

        let second = ProgramCache(diskDirectory: dir, binaries: .always)
        let p2 = try ctx.serialized { try second.program(source: source, file: "random.cl", options: "", on: ctx) }
        clReleaseProgram(p2)
        XCTAssertEqual(second.lastOutcome, .disk)

        // Other options are another key.
        let third = ProgramCache(diskDirectory: dir, binaries: .always)
        let p3 = try ctx.serialized { try third.program(source: source, file: "random.cl", options: "-DX=1", on: ctx) }
        clReleaseProgram(p3)
        XCTAssertEqual(third.lastOutcome, .built)

        // Corrupt the first entry: flip bytes in its body, then truncate another copy.
        let url = dir.appendingPathComponent(entries[0])
        var bytes = [UInt8](try Data(contentsOf: url))
        for i in stride(from: 40, to: min(bytes.count, 400), by: 7) { bytes[i] ^= 0x5A }
        try Data(bytes).write(to: url)
        let fourth = ProgramCache(diskDirectory: dir, binaries: .always)
        let p4 = try ctx.serialized { try fourth.program(source: source, file: "random.cl", options: "", on: ctx) }
        clReleaseProgram(p4)
        XCTAssertEqual(fourth.lastOutcome, .rebuiltCorrupt)

        try Data(bytes.prefix(30)).write(to: url)
        let fifth = ProgramCache(diskDirectory: dir, binaries: .always)
        let p5 = try ctx.serialized { try fifth.program(source: source, file: "random.cl", options: "", on: ctx) }
        clReleaseProgram(p5)
        XCTAssertEqual(fifth.lastOutcome, .rebuiltCorrupt)

        // The rewritten entry is good again.
        let sixth = ProgramCache(diskDirectory: dir, binaries: .always)
        let p6 = try ctx.serialized { try sixth.program(source: source, file: "random.cl", options: "", on: ctx) }
        clReleaseProgram(p6)
        XCTAssertEqual(sixth.lastOutcome, .disk)

        // A valid entry copied under another key (another program's binary) is refused: the
        // hash covers the key, not only the bytes.
        let other = try FileManager.default.contentsOfDirectory(atPath: dir.path).first { $0 != entries[0] }
        try FileManager.default.removeItem(at: url)
        try FileManager.default.copyItem(at: dir.appendingPathComponent(try XCTUnwrap(other)), to: url)
        let seventh = ProgramCache(diskDirectory: dir, binaries: .always)
        let p7 = try ctx.serialized { try seventh.program(source: source, file: "random.cl", options: "", on: ctx) }
        clReleaseProgram(p7)
        XCTAssertEqual(seventh.lastOutcome, .rebuiltCorrupt)
    }

    /// PoCL keeps its own cache (POCL_CACHE_DIR): ours hands it sources only, never a binary.
    func testNoBinariesForDriversWithTheirOwnCache() throws {
        let ctx = try openCLBackend().cl
        try XCTSkipUnless(ProgramCache.driverKeepsItsOwnCache(ctx.info), "\(ctx.info.platformName) keeps no cache of its own")
        let dir = try temporaryDirectory(self)
        let cache = ProgramCache(diskDirectory: dir)
        let p = try ctx.serialized { try cache.program(source: try KernelLibrary.source("random.cl"), file: "random.cl", options: "", on: ctx) }
        clReleaseProgram(p)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testCacheKeyCoversDeviceDriverOptionsAndSource() throws {
        let info = try openCLBackend().cl.info
        let base = ProgramCache.key(info, "-cl-std=CL1.2", "src")
        var other = info
        other.driverVersion += "x"
        XCTAssertNotEqual(base, ProgramCache.key(other, "-cl-std=CL1.2", "src"))
        other = info
        other.name += "x"
        XCTAssertNotEqual(base, ProgramCache.key(other, "-cl-std=CL1.2", "src"))
        XCTAssertNotEqual(base, ProgramCache.key(info, "-cl-std=CL1.2 -DA", "src"))
        XCTAssertNotEqual(base, ProgramCache.key(info, "-cl-std=CL1.2", "src2"))
        XCTAssertEqual(base.count, 32)
    }

    func testEmbeddedKernelsExpandIncludes() throws {
        let s = try KernelLibrary.source("random.cl")
        XCTAssertTrue(s.contains("philox4x32_10"))
        XCTAssertFalse(s.contains("#include \"philox.h\""))
        XCTAssertThrowsError(try KernelLibrary.source("nope.cl"))
    }

    func testDeviceSpecParsing() throws {
        XCTAssertEqual(try DeviceSpec(parsing: "cpu"), .cpu)
        XCTAssertEqual(try DeviceSpec(parsing: "opencl"), .opencl(0))
        XCTAssertEqual(try DeviceSpec(parsing: "OpenCL:3"), .opencl(3))
        XCTAssertThrowsError(try DeviceSpec(parsing: "cuda")) { error in
            XCTAssertTrue("\(error)".contains("unknown device 'cuda'; available: cpu"), "\(error)")
        }
        XCTAssertThrowsError(try Devices.backend(for: .opencl(99))) { error in
            XCTAssertTrue("\(error)".contains("available: cpu"), "\(error)")
        }
    }
}
