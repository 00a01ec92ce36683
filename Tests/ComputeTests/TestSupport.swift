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

/// A fresh seed, printed so a failure can be replayed (`gpurun validate --seed S`).
func freshSeed(_ test: String = #function) -> UInt64 {
    let s = UInt64.random(in: 1...UInt64(UInt32.max))
    print("\(test): seed \(s)")
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

/// A scratch directory removed at the end of the test.
func temporaryDirectory(_ testCase: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}
