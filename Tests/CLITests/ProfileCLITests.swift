import Foundation
import XCTest

/// `--profile` on `gpurun step` and `gpurun lyapunov` (issue 17 point 5; docs/lyapunov.md L12).
final class ProfileCLITests: XCTestCase {
    func phases(_ obj: [String: Any]) throws -> [String: [String: Any]] {
        let profile = try XCTUnwrap(obj["profile"] as? [String: Any], "no profile in \(obj.keys)")
        let list = try XCTUnwrap(profile["phases"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.compactMap { p in (p["name"] as? String).map { ($0, p) } })
    }

    func testLyapunovProfilePhasesAndLaunchesPerStep() throws {
        let r = try GPURunProcess.run(["lyapunov", "--model", "gated", "--n", "12", "--steps", "20", "--transient", "5",
                                       "--k", "6", "--batch", "3", "--qr", "cholesky2", "--profile", "--json",
                                       "--device", "opencl"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        let p = try phases(obj)
        for name in ["step", "tangent", "qr", "transfers"] { XCTAssertNotNil(p[name], "missing phase \(name): \(p.keys)") }
        // Steps: 5 + 5 + 20 = 30, the first of each phase in "warm-up"; tangents and QRs: 25.
        XCTAssertEqual(p["step"]?["calls"] as? Int, 29)
        XCTAssertEqual(p["tangent"]?["calls"] as? Int, 24)
        XCTAssertEqual(p["qr"]?["calls"] as? Int, 24)
        for name in ["step", "tangent", "qr"] {
            XCTAssertGreaterThan(p[name]?["launches"] as? Int ?? 0, 0, name)
            XCTAssertGreaterThan(p[name]?["gflopsPerSecond"] as? Double ?? 0, 0, name)
        }
        let profile = try XCTUnwrap(obj["profile"] as? [String: Any])
        let perStep = try XCTUnwrap(profile["launchesPerStep"] as? Double)
        let sum = ["step", "tangent", "qr"].map { p[$0]?["launchesPerCall"] as? Double ?? 0 }.reduce(0, +)
        XCTAssertEqual(perStep, sum, accuracy: 1e-9)
        XCTAssertNil(try GPURunProcess.run(["lyapunov", "--model", "rate", "--n", "8", "--steps", "5", "--transient", "1",
                                            "--json", "--device", "cpu"]).json()["profile"])
    }

    func testStepProfileJSON() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-profile-\(UUID())")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let r = try GPURunProcess.run(["step", "--model", "lstm", "--n", "10", "--steps", "6", "--batch", "2",
                                       "--profile", "--json", "--output", dir.path, "--device", "opencl"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        let p = try phases(obj)
        XCTAssertEqual(p["step"]?["calls"] as? Int, 5)
        XCTAssertNotNil(p["transfers"])
        let profile = try XCTUnwrap(obj["profile"] as? [String: Any])
        XCTAssertEqual(profile["launchesPerStep"] as? Double, 2, "the fused LSTM step: one GEMM and one update")
    }
}
