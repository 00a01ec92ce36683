import GPURunApp
import Foundation
import XCTest

final class LyapunovCLITests: XCTestCase {
    func tmp() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-lyap-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testJSONNpyAndPlots() throws {
        let dir = try tmp()
        let r = try GPURunProcess.run(["lyapunov", "--model", "rate", "--n", "40", "--g", "3", "--steps", "300",
                                       "--transient", "100", "--k", "10", "--json", "--output", dir.path,
                                       "--device", "cpu"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        for key in ["exponents", "sum", "kaplanYorkeDimension", "entropyRate", "steps", "model", "n", "device",
                    "convergence", "convergenceTimes", "standardErrors", "files"] {
            XCTAssertNotNil(obj[key], "missing \(key)")
        }
        XCTAssertEqual((obj["exponents"] as? [Double])?.count, 10)
        XCTAssertEqual(obj["model"] as? String, "rate")
        for f in ["exponents.npy", "convergence.npy", "members.npy", "spectrum.svg", "convergence.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(f).path), f)
        }
        XCTAssertTrue(r.stderr.contains("accumulating") || r.stderr.contains("lyapunov:"), r.stderr)
    }

    /// A run killed with SIGKILL and resumed gives exponents bit-identical to an unbroken run.
    func testKilledRunResumesBitIdentical() throws {
        let dir = try tmp()
        let common = ["lyapunov", "--model", "rate", "--n", "120", "--g", "2.5", "--steps", "20000",
                      "--transient", "50", "--k", "40", "--reorth", "3", "--seed", "7", "--json", "--device", "cpu"]
        let whole = try GPURunProcess.run(common)
        XCTAssertEqual(whole.status, 0, whole.stderr)

        let ckpt = dir.appendingPathComponent("run.ckpt").path
        let (p, _, _) = try GPURunProcess.start(common + ["--checkpoint", ckpt, "--checkpoint-every", "0.5"])
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: ckpt), p.isRunning, Date() < deadline { usleep(50_000) }
        usleep(300_000)
        XCTAssertTrue(p.isRunning, "the run finished before it could be killed; make it longer")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertTrue(FileManager.default.fileExists(atPath: ckpt))

        let resumed = try GPURunProcess.run(common + ["--checkpoint", ckpt, "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resumed from"), resumed.stderr)
        let a = try XCTUnwrap(try whole.json()["exponents"] as? [Double])
        let b = try XCTUnwrap(try resumed.json()["exponents"] as? [Double])
        XCTAssertEqual(a, b, "resumed exponents differ from the unbroken run")
    }

    func testSIGTERMSavesACheckpointAndOtherParametersAreRefused() throws {
        let dir = try tmp()
        let ckpt = dir.appendingPathComponent("run.ckpt").path
        let args = ["lyapunov", "--model", "rate", "--n", "100", "--steps", "100000", "--transient", "10",
                    "--k", "20", "--device", "cpu", "--checkpoint", ckpt, "--checkpoint-every", "1000"]
        let (p, _, err) = try GPURunProcess.start(args)
        usleep(1_500_000)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 143, text)
        XCTAssertTrue(text.contains("checkpoint saved"), text)
        let other = try GPURunProcess.run(args.map { $0 == "100" ? "101" : $0 } + ["--resume"])
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.stderr.contains("other parameters"), other.stderr)
        XCTAssertTrue(other.stderr.contains("n: checkpoint 100, now 101"), other.stderr)
    }

    func testBadInputIsRefusedBeforeWork() throws {
        let dir = try tmp()
        func refused(_ args: [String], _ phrase: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try GPURunProcess.run(["lyapunov", "--device", "cpu"] + args)
            XCTAssertNotEqual(r.status, 0, file: file, line: line)
            XCTAssertTrue(r.stderr.contains(phrase), "expected '\(phrase)' in: \(r.stderr)", file: file, line: line)
            XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr, file: file, line: line)
        }
        try refused(["--n", "0"], "units N must be positive")
        try refused(["--n=-3"], "units N must be positive")
        try refused(["--n", "10", "--k", "11"], "larger than the state")
        try refused(["--n", "10", "--dt", "0"], "the step dt must be positive")
        try refused(["--n", "10", "--model", "nope"], "is invalid for '--model <model>'")
        // weights that are not square, have NaN, or are missing
        let bad = dir.appendingPathComponent("J.npy")
        try writeNpy(bad, [1, 2, 3, 4, 5, 6], shape: [2, 3])
        try refused(["--model", "rate", "--weights", bad.path], "expected a square matrix")
        try writeNpy(bad, [1, .nan, 3, 4], shape: [2, 2])
        try refused(["--model", "rate", "--weights", bad.path], "must be finite")
        try refused(["--model", "rate", "--weights", dir.appendingPathComponent("missing.npy").path], "no such file")
    }

    /// --covariant F writes the covariant vectors, their angles and growth rates, and summarises them in the JSON.
    func testCovariantVectorsFilesAndJSON() throws {
        let dir = try tmp()
        let out = dir.appendingPathComponent("clv")
        let r = try GPURunProcess.run(["lyapunov", "--model", "rate", "--n", "24", "--g", "3", "--steps", "60", "--transient", "20",
                                       "--k", "5", "--covariant", "40", "--device", "cpu", "--json", "--output", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let c = try XCTUnwrap(json["covariant"] as? [String: Any], r.stdout)
        XCTAssertEqual(c["windowSteps"] as? Int, 40)
        XCTAssertEqual((c["exponents"] as? [Double])?.count, 5)
        let angles = try XCTUnwrap(c["minimumAngles"] as? [Double])
        XCTAssertTrue(angles.allSatisfy { $0 > 0 && $0 <= 90 }, "\(angles)")
        let v = try Npy.read(out.appendingPathComponent("covariant.npy"))
        XCTAssertEqual(v.shape, [24, 5])
        XCTAssertEqual(try Npy.read(out.appendingPathComponent("covariant-angles.npy")).shape, [5, 5])
        XCTAssertEqual(try Npy.read(out.appendingPathComponent("covariant-growth.npy")).shape, [40, 1, 5])
        let values = try v.doubles()
        let col0 = (0..<24).map { values[$0 * 5] }
        XCTAssertEqual(col0.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-9, "unit vectors")

        let bad = try GPURunProcess.run(["lyapunov", "--n", "10", "--covariant", "0", "--device", "cpu"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("covariant window must be at least 1 step"), bad.stderr)
    }

    /// --x0 sets the initial state; a file of the wrong size is refused with the sizes it takes.
    func testInitialStateFromFile() throws {
        let dir = try tmp()
        let x0 = dir.appendingPathComponent("x0.npy")
        try writeNpy(x0, (0..<20).map { 0.1 * Double($0 % 7) - 0.3 }, shape: [20])
        let args = ["lyapunov", "--n", "20", "--steps", "50", "--transient", "10", "--k", "3", "--device", "cpu", "--json"]
        let a = try GPURunProcess.run(args + ["--x0", x0.path])
        let b = try GPURunProcess.run(args)
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertNotEqual(try a.json()["exponents"] as? [Double], try b.json()["exponents"] as? [Double])
        try writeNpy(x0, [1, 2, 3], shape: [3])
        let bad = try GPURunProcess.run(args + ["--x0", x0.path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("expected 20 (one state)"), bad.stderr)
    }

    func testDeviceMemoryIsCheckedFirst() throws {
        let r = try GPURunProcess.run(["lyapunov", "--n", "40000", "--k", "40000", "--device", "opencl"])
        if r.stderr.contains("unknown device") { throw XCTSkip("no OpenCL device") }
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("GiB"), r.stderr)
    }

    /// --block-steps: blocks.npy [blocks, members, k] and the block statistics in the JSON.
    func testBlockSteps() throws {
        let dir = try tmp()
        let r = try GPURunProcess.run(["lyapunov", "--model", "rate", "--n", "10", "--g", "3", "--steps", "60",
                                       "--transient", "10", "--k", "4", "--batch", "2", "--reorth", "2",
                                       "--block-steps", "20", "--json", "--output", dir.path, "--device", "cpu"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let stats = try XCTUnwrap(try r.json()["blockStatistics"] as? [String: Any])
        XCTAssertEqual(stats["blocks"] as? Int, 3)
        XCTAssertEqual((stats["standardErrors"] as? [[Double]])?.map(\.count), [4, 4])
        XCTAssertEqual(((stats["lambda1"] as? [String: Any])?["quantiles"] as? [Double])?.count, 5)
        let npy = try Data(contentsOf: dir.appendingPathComponent("blocks.npy"))
        XCTAssertTrue(String(decoding: npy.prefix(128), as: UTF8.self).contains("'shape': (3, 2, 4)"))
        let bad = try GPURunProcess.run(["lyapunov", "--n", "10", "--steps", "60", "--reorth", "4", "--block-steps", "10",
                                         "--device", "cpu"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("multiple of --reorth 4"), bad.stderr)
    }

    /// A batch that cannot fit is refused before work, saying how much it needs (on the CPU
    /// engine the bound is the machine's memory, so the test runs wherever the suite does).
    func testBatchTooLargeForTheDevice() throws {
        let r = try GPURunProcess.run(["lyapunov", "--n", "2000", "--k", "2000", "--batch", "5000", "--device", "cpu"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("GiB"), r.stderr)
        XCTAssertFalse(r.stderr.contains("state transient"), r.stderr)
    }

    /// A minimal float64 .npy writer, independent of the library under test.
    func writeNpy(_ url: URL, _ values: [Double], shape: [Int]) throws {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", ")),), }"
        while (10 + header.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xff), UInt8(header.count >> 8)])
        data += Data(header.utf8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += Data($0) } }
        try data.write(to: url)
    }
}
