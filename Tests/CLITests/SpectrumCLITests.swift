import GPURunApp
import Foundation
import XCTest

/// `gpurun spectrum` and `gpurun ridge` as a user runs them.
final class SpectrumCLITests: XCTestCase {
    func run(_ args: [String], env: [String: String] = [:]) throws -> CLITests.Run {
        let p = Process()
        p.executableURL = try CLITests.binary
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "GPURUN_DEVICE")
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLITests.Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                            stderr: String(decoding: e, as: UTF8.self))
    }

    func json(_ s: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any], s)
    }

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-spectrum-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testEnsembleJSONAndFiles() throws {
        let dir = try scratch().appendingPathComponent("out")
        let r = try run(["spectrum", "--ensemble", "ginibre", "--n", "60", "--samples", "3", "--g", "1.5", "--seed", "4",
                         "--json", "--output", dir.path, "--device", "cpu"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try json(r.stdout)
        XCTAssertEqual(obj["ensemble"] as? String, "ginibre")
        XCTAssertEqual(obj["n"] as? Int, 60)
        XCTAssertEqual(obj["samples"] as? Int, 3)
        XCTAssertEqual(obj["seed"] as? Int, 4)
        XCTAssertEqual(obj["device"] as? String, "cpu")
        XCTAssertEqual((obj["theory"] as? [String: Any])?["law"] as? String, "circular")
        let distance = try XCTUnwrap(obj["distance"] as? [String: Any])
        XCTAssertEqual(distance["statistic"] as? String, "ks")
        XCTAssertLessThan(try XCTUnwrap(distance["value"] as? Double), 0.2)
        XCTAssertNotNil(obj["density2d"] as? [String: Any])
        let files = try XCTUnwrap(obj["files"] as? [String: String])
        let npy = try Npy.read(URL(fileURLWithPath: try XCTUnwrap(files["eigenvalues"])))
        XCTAssertEqual(npy.shape, [3, 60])
        XCTAssertEqual(npy.dtype, .complex128)
        let svg = try String(contentsOfFile: try XCTUnwrap(files["svg"]), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("circular law"))
        XCTAssertNotNil(try json(String(contentsOfFile: try XCTUnwrap(files["json"]), encoding: .utf8))["distance"])

        // A 1-D law reports a histogram, and the table output reads well.
        let goe = try run(["spectrum", "--ensemble", "wishart", "--n", "50", "--gamma", "2", "--json"])
        XCTAssertEqual(goe.status, 0, goe.stderr)
        let h = try XCTUnwrap(try json(goe.stdout)["histogram"] as? [String: Any])
        XCTAssertEqual(h["atZero"] as? Int, 50)
        let negative = try run(["spectrum", "--ensemble", "elliptic", "--tau", "-0.5", "--n", "30", "--json"])
        XCTAssertEqual(negative.status, 0, negative.stderr)
        XCTAssertEqual((try json(negative.stdout)["parameters"] as? [String: Double])?["tau"], -0.5)
        let table = try run(["spectrum", "--ensemble", "goe", "--n", "40", "--samples", "2"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("semicircle on [-2, 2]"), table.stdout)
    }

    /// The same seed gives the same eigenvalues on the CPU and on OpenCL.
    func testDevicesAgree() throws {
        let dir = try scratch()
        var values: [[Double]] = []
        for device in ["cpu", "opencl"] {
            let out = dir.appendingPathComponent(device)
            let r = try run(["spectrum", "--ensemble", "elliptic", "--tau", "0.3", "--n", "30", "--samples", "2",
                             "--output", out.path, "--device", device])
            if device == "opencl", r.stderr.contains("unknown device") { throw XCTSkip("no OpenCL device") }
            XCTAssertEqual(r.status, 0, r.stderr)
            values.append(try Npy.read(out.appendingPathComponent("eigenvalues.npy")).complex().flatMap { [$0.re, $0.im] })
        }
        XCTAssertLessThan(Compare.maxRelativeError(values[0], values[1]), 1e-9)
    }

    func testMatrixFile() throws {
        let dir = try scratch()
        let url = dir.appendingPathComponent("m.npy")
        // Eigenvalues 3, 1 ± 2i, -0.5: block diagonal.
        let m: [Double] = [3, 0, 0, 0,
                           0, 1, -2, 0,
                           0, 2, 1, 0,
                           0, 0, 0, -0.5]
        try Npy.write(NpyArray(m, shape: [4, 4]), to: url)
        let r = try run(["spectrum", "--matrix", url.path, "--json", "--output", dir.appendingPathComponent("o").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try json(r.stdout)
        let ev = try XCTUnwrap(obj["eigenvalues"] as? [[Double]])
        let expected: [[Double]] = [[3, 0], [1, 2], [1, -2], [-0.5, 0]]
        XCTAssertEqual(ev.count, 4)
        for (a, b) in zip(ev, expected) {
            XCTAssertEqual(a[0], b[0], accuracy: 1e-12)
            XCTAssertEqual(a[1], b[1], accuracy: 1e-12)
        }
        XCTAssertEqual(obj["n"] as? Int, 4)
        XCTAssertEqual(try Npy.read(dir.appendingPathComponent("o/eigenvalues.npy")).shape, [4])
        let text = try run(["spectrum", "--matrix", url.path])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stderr.contains("spectral radius 3"), text.stderr)
    }

    /// A Jacobian ensemble: the theory object carries the predicted support, "support" the
    /// comparison with it, "distance" the KS distance to the radial law; the plot draws both.
    func testJacobianEnsembleJSON() throws {
        let dir = try scratch().appendingPathComponent("jac")
        let r = try run(["spectrum", "--ensemble", "rate-jacobian", "--n", "80", "--samples", "2", "--g", "2",
                         "--transient", "300", "--seed", "5", "--json", "--output", dir.path, "--device", "cpu"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try json(r.stdout)
        let theory = try XCTUnwrap(obj["theory"] as? [String: Any])
        XCTAssertEqual(theory["law"] as? String, "radial")
        let jac = try XCTUnwrap(theory["jacobian"] as? [String: Any])
        XCTAssertEqual(jac["source"] as? String, "DMFT")
        XCTAssertEqual(try XCTUnwrap(jac["discCenter"] as? Double), -1)
        let support = try XCTUnwrap(obj["support"] as? [String: Any])
        XCTAssertLessThan(try XCTUnwrap(support["fractionOutside"] as? Double), 0.1)
        XCTAssertLessThan(try XCTUnwrap((obj["distance"] as? [String: Any])?["value"] as? Double), 0.15)
        XCTAssertEqual(try Npy.read(dir.appendingPathComponent("eigenvalues.npy")).shape, [2, 80])
        let svg = try String(contentsOf: dir.appendingPathComponent("spectrum.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("rotation-invariant law about -1"), svg.prefix(400).description)

        // The LSTM along a trajectory: the mean-field law (docs/theory-gru-lstm.md), with the
        // support's spectral radius and slow modes beside the simulated ones, and the plot's boundary.
        let ldir = dir.appendingPathComponent("lstm")
        let l = try run(["spectrum", "--ensemble", "lstm-jacobian", "--n", "60", "--samples", "2", "--g", "3",
                         "--bias-f", "3", "--transient", "100", "--json", "--output", ldir.path, "--device", "cpu"])
        XCTAssertEqual(l.status, 0, l.stderr)
        let lo = try json(l.stdout)
        XCTAssertEqual(lo["order"] as? Int, 120)
        let lt = try XCTUnwrap(lo["theory"] as? [String: Any])
        XCTAssertEqual(lt["law"] as? String, "deformed")
        let lj = try XCTUnwrap(lt["jacobian"] as? [String: Any])
        XCTAssertEqual(lj["source"] as? String, "mean field after 100 steps")
        let radius = try XCTUnwrap(lj["spectralRadius"] as? Double)
        let ls = try XCTUnwrap(lo["support"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(ls["simulatedSpectralRadius"] as? Double), radius, accuracy: 0.25)
        XCTAssertNotNil(ls["simulatedSlowModeFraction"])
        XCTAssertEqual((lo["parameters"] as? [String: Any])?["biasF"] as? Double, 3)
        XCTAssertLessThan(try XCTUnwrap((lo["distance"] as? [String: Any])?["value"] as? Double), 0.2)
        let lsvg = try String(contentsOf: ldir.appendingPathComponent("spectrum.svg"), encoding: .utf8)
        XCTAssertTrue(lsvg.contains("theory: mean field after 100 steps"), lsvg.prefix(400).description)
        let bad = try run(["spectrum", "--ensemble", "lstm-jacobian", "--n", "30", "--bias-z", "1", "--device", "cpu"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("b_z and b_r are the GRU's"), bad.stderr)
    }

    func testBadInputGivesClearErrors() throws {
        let dir = try scratch()
        let rect = dir.appendingPathComponent("rect.npy"), nan = dir.appendingPathComponent("nan.npy")
        try Npy.write(NpyArray([Double](repeating: 0, count: 6), shape: [2, 3]), to: rect)
        try Npy.write(NpyArray([1, .nan, 0, 1.0], shape: [2, 2]), to: nan)
        let cases: [([String], String)] = [
            (["spectrum", "--ensemble", "ginibre", "--n", "0"], "the matrix size n must be at least 1"),
            (["spectrum", "--ensemble", "ginibre", "--n", "10", "--samples", "0"], "--samples must be at least 1"),
            (["spectrum", "--ensemble", "wishart", "--n", "10", "--gamma=-1"], "the aspect ratio γ must be a positive number"),
            (["spectrum", "--ensemble", "wishart", "--n", "10", "--gamma", "0"], "the aspect ratio γ must be a positive number"),
            (["spectrum", "--ensemble", "elliptic", "--n", "10", "--tau", "1.5"], "the correlation τ must lie in [-1, 1]"),
            (["spectrum", "--ensemble", "elliptic", "--n", "10", "--tau", "-1.5"], "the correlation τ must lie in [-1, 1]"),
            (["spectrum", "--ensemble", "ginibre"], "--ensemble needs --n"),
            (["spectrum", "--n", "5"], "give --ensemble NAME or --matrix FILE.npy"),
            (["spectrum", "--ensemble", "gru-jacobian", "--n", "8", "--jacobian", "flow"], "the gru is a map"),
            (["spectrum", "--ensemble", "rate-jacobian", "--n", "8", "--at", "fixed-point", "--transient", "5"],
             "transient steps apply to Jacobians along a trajectory"),
            (["spectrum", "--ensemble", "rate-jacobian", "--n", "8", "--at", "nowhere"], "is invalid for '--at <at>'. Please provide one of 'trajectory' and 'fixed-point'"),
            (["spectrum", "--ensemble", "ginibre", "--n", "8", "--at", "fixed-point"], "apply to the *-jacobian ensembles"),
            (["spectrum", "--ensemble", "rate-jacobian", "--n", "8", "--dt", "0"], "the step dt must be positive"),
            (["spectrum", "--ensemble", "gated-jacobian", "--n", "7000"], "matrix orders up to 20000 (this is 21000)"),
            (["spectrum", "--matrix", dir.appendingPathComponent("missing.npy").path], "no such file"),
            (["spectrum", "--matrix", rect.path], "spectrum needs a square 2-D matrix"),
            (["spectrum", "--matrix", nan.path], "is nan; the matrix must be finite"),
            (["ridge", "--n", "50", "--gamma", "0.5,0", "--sigma2", "1", "--lambda", "optimal", "--samples", "2"],
             "every γ must be positive"),
            (["ridge", "--n", "50", "--gamma", "0.5", "--sigma2", "1", "--lambda", "big", "--samples", "2"],
             "the ridge λ must be a number ≥ 0 or 'optimal'"),
            (["ridge", "--n", "0", "--gamma", "0.5", "--sigma2", "1", "--lambda", "1", "--samples", "2"], "the observations n must be at least 1"),
        ]
        for (args, expected) in cases {
            let r = try run(args)
            XCTAssertNotEqual(r.status, 0, args.joined(separator: " "))
            XCTAssertTrue(r.stderr.contains(expected), "\(args.joined(separator: " ")): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr)
        }
    }

    func testRidgeJSONAndPlot() throws {
        let dir = try scratch()
        let r = try run(["ridge", "--n", "60", "--gamma", "0.5,1.5", "--sigma2", "0.5", "--lambda", "optimal",
                         "--samples", "4", "--json", "--output", dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try json(r.stdout)
        XCTAssertEqual(obj["lambda"] as? String, "optimal")
        let points = try XCTUnwrap(obj["points"] as? [[String: Any]])
        XCTAssertEqual(points.count, 2)
        XCTAssertEqual(points[1]["p"] as? Int, 90)
        for p in points {
            for key in ["ridge", "minNorm"] {
                let e = try XCTUnwrap(p[key] as? [String: Any])
                XCTAssertNotNil(e["mean"] as? Double)
                XCTAssertNotNil(e["theory"] as? Double)
            }
        }
        let svg = try String(contentsOf: dir.appendingPathComponent("ridge.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("min-norm, MP theory"))
        let table = try run(["ridge", "--n", "40", "--gamma", "0.5:1.5:0.5", "--sigma2", "0.2", "--lambda", "0",
                             "--samples", "2"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("inf"), "min-norm theory at γ = 1: \(table.stdout)")
    }
}
