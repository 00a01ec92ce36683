import Foundation
import XCTest

/// Runs the built `gpurun` binary as a user would.
final class CLITests: XCTestCase {
    typealias Run = GPURunProcess.Result

    static var binary: URL { get throws { try GPURunProcess.binary } }

    func run(_ args: [String], binary: URL? = nil, env: [String: String] = [:], cwd: URL? = nil) throws
        -> GPURunProcess.Result
    {
        try GPURunProcess.run(args, binary: binary, env: env, cwd: cwd)
    }

    func json(_ s: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any], s)
    }

    func testDevicesJSONListsOpenCLAndCPU() throws {
        let r = try run(["devices", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try json(r.stdout)
        let cpu = try XCTUnwrap(obj["cpu"] as? [String: Any])
        XCTAssertTrue((cpu["blas"] as? String ?? "").contains("OpenBLAS"))
        XCTAssertNotNil(obj["defaultDevice"] as? String)
        let devices = try XCTUnwrap(obj["opencl"] as? [[String: Any]])
        if let d = devices.first {
            for key in ["name", "vendor", "driverVersion", "openCLCVersion", "computeUnits", "globalMemory",
                        "localMemory", "maxAllocation", "fp64", "fp16"] {
                XCTAssertNotNil(d[key], "missing \(key)")
            }
        }
    }

    func testValidateJSONPasses() throws {
        let r = try run(["validate", "--json", "--only", "philox"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let obj = try json(r.stdout)
        let results = try XCTUnwrap(obj["results"] as? [[String: Any]])
        if (obj["device"] as? String) != "none" {
            XCTAssertFalse(results.isEmpty)
        }
        for line in results {
            for key in ["op", "shape", "dtype", "maxRelError", "tolerance", "pass"] { XCTAssertNotNil(line[key], key) }
            XCTAssertEqual(line["pass"] as? Bool, true, "\(line)")
        }
    }

    func testUnknownDeviceListsAvailableOnes() throws {
        let r = try run(["validate", "--device", "cuda:7"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("unknown device 'cuda:7'; available: cpu"), r.stderr)
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr)
    }

    /// A negative value reaches its option's range check (the parser alone reads "-5" as an
    /// option and calls the value missing); NaN and infinity are refused for every real option;
    /// the usage block shrinks to a hint on the error's line.
    func testNegativeAndNonFiniteValuesGetRangeErrors() throws {
        let negative = try run(["theory", "--model", "rate", "--g", "-2"])
        XCTAssertEqual(negative.status, 64)
        XCTAssertEqual(negative.stderr, "Error: --g must be positive, got -2.0 (see 'gpurun theory --help')\n")
        for value in ["nan", "-inf", "1e400", "0.5,NaN"] {
            let r = try run(["ridge", "--gammas", value])
            XCTAssertEqual(r.status, 64, value)
            XCTAssertTrue(r.stderr.hasPrefix("Error: --gammas must be finite, got \(value)"), r.stderr)
        }
    }

    /// `gpu` means a GPU: here (PoCL, a CPU device) it fails and names the devices there are.
    func testDeviceGPUNeedsAGPU() throws {
        let r = try run(["step", "--model", "rate", "--n", "8", "--steps", "1", "--device", "gpu"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("no OpenCL device is a GPU"), r.stderr)
        XCTAssertTrue(r.stderr.contains("available: cpu"), r.stderr)
    }

    func testValidateOnlyMatchingNothingIsAnError() throws {
        let r = try run(["validate", "--only", "no-such-op"])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("--only no-such-op matches no check; the checks are: philox"), r.stderr)
    }

    func testEnvironmentVariableChoosesTheDevice() throws {
        let bad = try run(["validate", "--only", "philox.raw"], env: ["GPURUN_DEVICE": "bogus"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("unknown device 'bogus'"), bad.stderr)
        let good = try run(["validate", "--only", "philox.raw"], env: ["GPURUN_DEVICE": "opencl:0"])
        XCTAssertEqual(good.status, 0, good.stderr)
        // --device wins over the environment.
        let both = try run(["validate", "--only", "philox.raw", "--device", "opencl"], env: ["GPURUN_DEVICE": "bogus"])
        XCTAssertEqual(both.status, 0, both.stderr)
    }

    /// With no OpenCL platform (an empty vendors directory) everything still runs on the CPU,
    /// and the tool says so once.
    func testNoOpenCLPlatformFallsBackToCPU() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-no-icd-\(UUID())")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let env = ["OCL_ICD_VENDORS": empty.path]
        let devices = try run(["devices"], env: env)
        XCTAssertEqual(devices.status, 0, devices.stderr)
        XCTAssertTrue(devices.stdout.contains("opencl: none"), devices.stdout)
        XCTAssertTrue(devices.stdout.contains("default device: cpu"), devices.stdout)
        let validate = try run(["validate"], env: env)
        XCTAssertEqual(validate.status, 0, validate.stderr)
        XCTAssertEqual(validate.stderr.components(separatedBy: "running on the CPU backend").count - 1, 1, validate.stderr)
        let explicit = try run(["validate", "--device", "opencl"], env: env)
        XCTAssertNotEqual(explicit.status, 0)
        XCTAssertTrue(explicit.stderr.contains("no OpenCL platform"), explicit.stderr)
    }

    /// The kernels are compiled into the binary: a copy elsewhere, run from elsewhere, still works.
    func testCopiedBinaryCarriesItsKernels() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-copy-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("gpurun")
        try FileManager.default.copyItem(at: try GPURunProcess.binary, to: copy)
        let r = try run(["validate", "--only", "unary"], binary: copy, env: ["GPURUN_KERNEL_CACHE": "off"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
    }

    /// A kernel cache path that is a file (or lies under one) turns the cache off with one line
    /// on stderr; the run still works. Tuning, which must write its file there, refuses first.
    func testUnusableKernelCacheIsReportedBeforeWork() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-cache-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        for cache in [file.path, file.appendingPathComponent("kernels").path] {
            let env = ["GPURUN_KERNEL_CACHE": cache]
            let step = try run(["step", "--model", "rate", "--n", "8", "--steps", "2", "--device", "opencl",
                                "--output", dir.appendingPathComponent("traj").path], env: env)
            XCTAssertEqual(step.status, 0, step.stderr)
            XCTAssertTrue(step.stderr.contains("kernel cache \(cache)") && step.stderr.contains("running without it"), step.stderr)
            XCTAssertEqual(step.stderr.components(separatedBy: "running without it").count - 1, 1, step.stderr)
            let tune = try run(["tune", "gemm", "--device", "opencl", "--budget", "30"], env: env)
            XCTAssertNotEqual(tune.status, 0)
            XCTAssertTrue(tune.stderr.contains("the tuning file cannot be written"), tune.stderr)
            XCTAssertFalse(tune.stderr.contains("candidate"), tune.stderr)
        }
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "x")
    }

    /// `tune conv` measures and stores a choice per pass and shape class; `devices` then lists them.
    func testTuneConvStoresChoicesThatDevicesLists() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-tuneconv-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["GPURUN_KERNEL_CACHE": dir.path]
        let tune = try run(["tune", "conv", "--device", "opencl", "--budget", "0", "--json"], env: env)
        XCTAssertEqual(tune.status, 0, tune.stderr)
        let conv = try XCTUnwrap(try tune.json()["conv"] as? [String: Any])
        let choices = try XCTUnwrap(conv["choices"] as? [[String: Any]])
        XCTAssertEqual(choices.count, 9)
        XCTAssertTrue(choices.allSatisfy { ["im2col", "direct"].contains(($0["chosen"] as? String)?.split(separator: " ").first ?? "") })
        XCTAssertEqual(conv["stored"] as? String, dir.appendingPathComponent("gemm-tuning.json").path)
        let devices = try run(["devices"], env: env)
        XCTAssertEqual(devices.status, 0, devices.stderr)
        XCTAssertTrue(devices.stdout.contains("conv            tuned: f32/forward/thin"), devices.stdout)
    }
}
