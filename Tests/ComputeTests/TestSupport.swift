import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import Foundation
import XCTest

/// The OpenCL backend for a test. Skipped, with the reason printed, only where no OpenCL
/// platform exists; under CI (CI=true) a missing platform is a failure, since CI has PoCL.
func openCLBackend() throws -> OpenCLBackend {
    let found = Devices.firstOpenCL()
    if let b = found.backend { return b }
    let reason = found.reason ?? "no OpenCL device"
    if ProcessInfo.processInfo.environment["CI"] == "true" {
        XCTFail("CI must have an OpenCL platform (PoCL), but: \(reason)")
    }
    print("skipping: no OpenCL platform (\(reason))")
    throw XCTSkip("no OpenCL platform: \(reason)")
}

/// The Fashion-MNIST folder (Debian's dataset-fashion-mnist). Skipped, with the reason, only
/// where it is not installed; under CI (CI=true) a missing data set is a failure, since CI installs it.
func requireFashionMNIST() throws -> String {
    let dir = DataSource.fashionMNISTDefault
    guard FileManager.default.fileExists(atPath: "\(dir)/train-images-idx3-ubyte.gz"),
          FileManager.default.fileExists(atPath: "\(dir)/t10k-images-idx3-ubyte.gz") else {
        if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI must install dataset-fashion-mnist") }
        throw XCTSkip("Fashion-MNIST is not installed at \(dir) (apt install dataset-fashion-mnist)")
    }
    return dir
}

/// The base seed of every test: fixed, so a run is reproducible, unless $GPURUN_TEST_SEED sets
/// another (CI and `scripts/test.sh` may vary it to explore more inputs).
let testBaseSeed: UInt64 = {
    if let text = ProcessInfo.processInfo.environment["GPURUN_TEST_SEED"], let v = UInt64(text) { return v }
    return 20_261_202
}()

/// The seed of one test: the base seed mixed with the test's name (FNV-1a), so tests draw
/// different inputs, printed so a failure can be replayed (`GPURUN_TEST_SEED=base`, or
/// `gpurun validate --seed S` for a validate line).
func freshSeed(_ test: String = #function, file: String = #fileID) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in (file + "." + test).utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    let s = (testBaseSeed ^ h) % UInt64(UInt32.max) + 1
    print("\(file).\(test): seed \(s) (GPURUN_TEST_SEED=\(testBaseSeed))")
    return s
}

/// Asserts every validation line passed, naming the failures with their seeds.
func assertAllPass(_ results: [ValidationResult], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(results.isEmpty, "no checks ran", file: file, line: line)
    for r in results where !r.pass {
        XCTFail("\(r.op) \(r.shape) \(r.dtype): max rel error \(r.maxRelError) > \(r.tolerance) (seed \(r.seed))",
                file: file, line: line)
    }
}

/// The slow tier: checks that take minutes (long training runs, theory at large N) run only
/// with GPURUN_SLOW_TESTS=1, which scripts/test-slow.sh sets (README, "Slow tier"). Skipped
/// elsewhere, saying how to run them.
func requireSlowTests(_ name: String = #function) throws {
    if ProcessInfo.processInfo.environment["GPURUN_SLOW_TESTS"] != "1" {
        print("skipping \(name): slow tier; run it with scripts/test-slow.sh or GPURUN_SLOW_TESTS=1")
        throw XCTSkip("slow tier: set GPURUN_SLOW_TESTS=1 to run it")
    }
}

/// A scratch directory removed at the end of the test.
func temporaryDirectory(_ testCase: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// The first OpenCL device with the GPU-shaped kernels forced (`kernelShapeOverride`), so that
/// PoCL runs kernels/conv2d_gpu.cl and reduce_gpu.cl as a GPU would.
func gpuShapedBackend() throws -> OpenCLBackend {
    let b = try openCLBackend()
    b.kernelShapeOverride = .gpu
    return b
}
