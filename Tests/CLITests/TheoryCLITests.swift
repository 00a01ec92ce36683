import Foundation
import XCTest

/// `gpurun theory`, and the theory overlays, participation ratio and --integrator of
/// `gpurun lyapunov`, as a user runs them.
final class TheoryCLITests: XCTestCase {
    func run(_ args: [String]) throws -> GPURunProcess.Result { try GPURunProcess.run(args) }

    /// Work and memory that grow with user numbers are refused up front, never a trap or a hang.
    func testHostileSizesAreRefusedBeforeWork() throws {
        let cases: [([String], String)] = [
            (["theory", "--model", "rate", "--g", "1e100"], "DMFT: no reliable answer at g = 1e+100"),
            (["theory", "--model", "gated", "--n", "2000000", "--g", "2"], "would need about"),
            (["theory", "--model", "gated", "--n", "20", "--g", "2", "--dt", "1e-300"], "must be a finite number of reasonable size"),
            (["lyapunov", "--n", "2000000000", "--k", "1", "--steps", "5"], "needs 8.00 EiB of memory; this machine has"),
        ]
        for (args, message) in cases {
            let r = try run(args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }

    func testRateTheoryJSON() throws {
        let r = try run(["theory", "--model", "rate", "--g", "2", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        XCTAssertEqual(obj["regime"] as? String, "chaotic")
        XCTAssertEqual(try XCTUnwrap(obj["lambdaMax"] as? Double), 0.11246, accuracy: 1e-4)
        let flow = try XCTUnwrap(obj["flow"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(flow["delta0"] as? Double), 1.9248, accuracy: 1e-3)
        XCTAssertGreaterThan((flow["tau"] as? [Double])?.count ?? 0, 50)
        XCTAssertNotNil(obj["jacobian"] as? [String: Any])

        let map = try run(["theory", "--g", "3", "--dt", "1", "--json"]).json()
        XCTAssertNotNil(map["map"] as? [String: Any])
        XCTAssertNil(map["flow"])

        let stable = try run(["theory", "--g", "0.5", "--n", "10", "--json"])
        XCTAssertEqual(stable.status, 0, stable.stderr)
        let s = try stable.json()
        XCTAssertEqual(s["regime"] as? String, "stable")
        let e = try XCTUnwrap(s["exponents"] as? [Double])
        XCTAssertEqual(e.count, 10)
        XCTAssertEqual(try XCTUnwrap(s["lambdaMax"] as? Double), log(0.95) / 0.1, accuracy: 1e-9)
        XCTAssertEqual((s["quantiles"] as? [[Double]])?.count, 101)

        let text = try run(["theory", "--g", "2"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("λ_max") && text.stdout.contains("0.11245"), text.stdout)
    }

    func testGatedTheory() throws {
        let r = try run(["theory", "--model", "gated", "--g", "1.5", "--beta-r", "0.5", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        let gated = try XCTUnwrap(obj["gated"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(gated["criticalGain"] as? Double), 1 + exp(0.5), accuracy: 1e-12)
        XCTAssertEqual(obj["regime"] as? String, "stable")
        let constant = try run(["theory", "--model", "gated", "--g", "3", "--alpha-z", "0", "--alpha-r", "0", "--json"]).json()
        let rate = try run(["theory", "--model", "rate", "--g", "1.5", "--dt", "0.05", "--json"]).json()
        XCTAssertEqual(try XCTUnwrap(constant["lambdaMax"] as? Double),
                       0.5 * (try XCTUnwrap(rate["lambdaMax"] as? Double)), accuracy: 1e-12)
        let sampled = try run(["theory", "--model", "gated", "--g", "3", "--alpha-z", "10", "--n", "60", "--json"])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        let j = try XCTUnwrap(try sampled.json()["jacobian"] as? [String: Any])
        XCTAssertEqual(j["source"] as? String, "trajectory samples")
        XCTAssertNotNil(j["slowModeFraction"] as? Double)
        XCTAssertFalse((j["boundary"] as? [[[Double]]])?.isEmpty ?? true)
    }

    func testBadInput() throws {
        for (args, phrase) in [(["--model", "gru"], "--model must be rate or gated"), (["--g=0"], "--g must be positive"),
                               (["--integrator", "rk5"], "is invalid for '--integrator <integrator>'")] {
            let r = try run(["theory"] + args)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.stderr.contains(phrase), "expected '\(phrase)' in: \(r.stderr)")
        }
        let map = try run(["lyapunov", "--model", "gru", "--n", "8", "--integrator", "rk4", "--device", "cpu"])
        XCTAssertNotEqual(map.status, 0)
        XCTAssertTrue(map.stderr.contains("the integrator applies to the flows"), map.stderr)
    }

    /// --phase-diagram on a 2 × 2 grid (α_z = 1: no DMFT to solve), its files, and bad grids as usage errors.
    func testPhaseDiagram() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-phase-\(UUID())")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let r = try run(["theory", "--model", "gated", "--phase-diagram", "--g-range", "1,3,2", "--y-range", "0,1,2",
                         "--out", dir.path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        XCTAssertEqual(obj["gH"] as? [Double], [1, 3])
        XCTAssertEqual(obj["y"] as? [Double], [0, 1])
        XCTAssertEqual(obj["axis"] as? String, "beta-r")
        XCTAssertEqual(try XCTUnwrap((obj["criticalGain"] as? [Double])?.last), 1 + exp(1.0), accuracy: 1e-12)
        for file in ["phase.npy", "phase.svg", "phase.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), file)
        }
        for (args, phrase) in [(["--g-range", "1,3"], "the g_h values must be min,max,count, got 1,3"),
                               (["--y-range", "0,1,x"], "the beta-r values must be min,max,count, got 0,1,x"),
                               (["--g-range=-1,3,2"], "the g_h values must be positive, got -1"),
                               (["--phase-axis", "gamma"], "is invalid for '--phase-axis <phase-axis>'")] {
            let bad = try run(["theory", "--model", "gated", "--phase-diagram", "--out", dir.path] + args)
            XCTAssertEqual(bad.status, 64, bad.stderr)
            XCTAssertTrue(bad.stderr.contains(phrase), "expected '\(phrase)' in: \(bad.stderr)")
        }
        let rate = try run(["theory", "--model", "rate", "--phase-diagram", "--out", dir.path])
        XCTAssertEqual(rate.status, 64, rate.stderr)
        XCTAssertTrue(rate.stderr.contains("--phase-diagram needs --model gated"), rate.stderr)
    }

    /// lyapunov: the "theory" object with the gap, the participation ratio, RK4, the overlays.
    func testLyapunovTheoryOverlay() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-theory-\(UUID())")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let r = try run(["lyapunov", "--model", "rate", "--n", "60", "--g", "0.5", "--steps", "600", "--transient", "600",
                         "--k", "60", "--reorth", "5", "--integrator", "rk4", "--json", "--output", dir.path, "--device", "cpu"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        for key in ["exponents", "kaplanYorkeDimension", "entropyRate", "participationRatio", "theory"] {
            XCTAssertNotNil(obj[key], "missing \(key)")
        }
        let th = try XCTUnwrap(obj["theory"] as? [String: Any])
        XCTAssertEqual(th["regime"] as? String, "stable")
        XCTAssertEqual(th["integrator"] as? String, "rk4")
        XCTAssertEqual((th["predictedExponents"] as? [Double])?.count, 60)
        XCTAssertLessThan(try XCTUnwrap(th["maxExponentGap"] as? Double), 0.2)
        XCTAssertEqual(try XCTUnwrap(th["simulatedMeanExponent"] as? Double), try XCTUnwrap(th["meanExponent"] as? Double),
                       accuracy: 1e-3)
        for plot in ["spectrum.svg", "convergence.svg"] {
            let svg = try String(contentsOf: dir.appendingPathComponent(plot), encoding: .utf8)
            XCTAssertTrue(svg.contains("theory"), "\(plot) draws no theory")
        }
        // chaotic: λ_max and the gap, in JSON and in the summary
        let chaotic = try run(["lyapunov", "--model", "rate", "--n", "80", "--g", "3", "--steps", "300", "--transient", "100",
                               "--k", "3", "--device", "cpu"])
        XCTAssertEqual(chaotic.status, 0, chaotic.stderr)
        XCTAssertTrue(chaotic.stdout.contains("participation ratio"), chaotic.stdout)
        XCTAssertTrue(chaotic.stdout.contains("λ1 − theory"), chaotic.stdout)
        // no theory for the GRU
        let gru = try run(["lyapunov", "--model", "gru", "--n", "10", "--steps", "50", "--transient", "10", "--k", "2",
                           "--json", "--device", "cpu"])
        XCTAssertEqual(gru.status, 0, gru.stderr)
        XCTAssertNil(try gru.json()["theory"])
    }

    /// The δ = 1 map's whole spectrum (docs/theory-lyapunov-spectrum.md): quantiles, D_KY/N and
    /// h_KS/N from `theory`, the N exponents with --n, the comparison in `lyapunov`'s "theory"
    /// object; the flow says it has none.
    func testRateMapWholeSpectrum() throws {
        let map = try run(["theory", "--model", "rate", "--g", "2", "--dt", "1", "--n", "50", "--json"])
        XCTAssertEqual(map.status, 0, map.stderr)
        let m = try map.json()
        let fs = try XCTUnwrap(m["fullSpectrum"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(fs["kaplanYorkeDimensionPerN"] as? Double), 0.2576, accuracy: 2e-3)
        XCTAssertEqual((m["exponents"] as? [Double])?.count, 50)
        let text = try run(["theory", "--g", "2", "--dt", "1"])
        XCTAssertTrue(text.stdout.contains("D_KY/N") && text.stdout.contains("h_KS/N"), text.stdout)
        let flow = try run(["theory", "--g", "2", "--dt", "0.1", "--json"]).json()
        XCTAssertNil(flow["fullSpectrum"])
        XCTAssertTrue((flow["fullSpectrumNote"] as? String)?.contains("no theory") ?? false)

        let r = try run(["lyapunov", "--model", "rate", "--n", "60", "--g", "2", "--dt", "1", "--steps", "300",
                         "--transient", "100", "--reorth", "2", "--json", "--device", "cpu"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let th = try XCTUnwrap(try r.json()["theory"] as? [String: Any])
        XCTAssertEqual((th["predictedExponents"] as? [Double])?.count, 60)
        for key in ["kaplanYorkeDimensionPerN", "entropyRatePerN"] {
            let c = try XCTUnwrap(th[key] as? [String: Double], key)
            XCTAssertEqual(try XCTUnwrap(c["gap"]), try XCTUnwrap(c["simulated"]) - (try XCTUnwrap(c["theory"])), accuracy: 1e-12)
        }
    }
}
