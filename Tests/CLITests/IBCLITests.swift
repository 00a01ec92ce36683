import GPURunApp
import Foundation
import XCTest

/// `gpurun ib gaussian` and `gpurun ib discrete` as a user runs them.
final class IBCLITests: XCTestCase {
    func run(_ args: [String]) throws -> GPURunProcess.Result { try GPURunProcess.run(args) }

    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-ib-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func save(_ dir: URL, _ name: String, _ v: [Double], _ shape: [Int]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Npy.write(try NpyArray(v, shape: shape), to: url)
        return url.path
    }

    /// X 2-D with Σ_x = I, Y = X + noise of variance (1, 3): λ = (0.5, 0.75), β = (2, 4).
    func covariances(_ dir: URL) throws -> [String] {
        ["--cov-x", try save(dir, "sx.npy", [1, 0, 0, 1], [2, 2]),
         "--cov-y", try save(dir, "sy.npy", [2, 0, 0, 4], [2, 2]),
         "--cov-xy", try save(dir, "sxy.npy", [1, 0, 0, 1], [2, 2])]
    }

    func testGaussianShannonAndJeffreys() throws {
        let dir = try folder()
        let cov = try covariances(dir)
        let r = try run(["ib", "gaussian"] + cov + ["--betas", "1.5,3,6", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        let bc = try XCTUnwrap(obj["criticalBetas"] as? [Double])
        XCTAssertEqual(bc[0], 2, accuracy: 1e-12)
        XCTAssertEqual(bc[1], 4, accuracy: 1e-12)
        let pts = try XCTUnwrap(obj["shannon"] as? [[String: Any]])
        XCTAssertEqual(pts.map { $0["activeDirections"] as? Int }, [0, 1, 2])
        // β = 3, one direction with λ = 0.5: I(T;X) = ½ log((β − 1)(1 − λ)/λ) = ½ log 2.
        XCTAssertEqual(try XCTUnwrap(pts[1]["iTX"] as? Double), 0.5 * log(2.0), accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(pts[1]["iTY"] as? Double), 0.5 * log(2.0) - 0.5 * log(1.5), accuracy: 1e-12)

        let out = dir.appendingPathComponent("jeffreys")
        let j = try run(["ib", "gaussian"] + cov + ["--measure", "jeffreys", "--beta-range", "1.5:4.5:7", "--output", out.path,
                                                   "--json"])
        XCTAssertEqual(j.status, 0, j.stderr)
        let jo = try j.json()
        XCTAssertEqual(jo["transitionsMatchShannon"] as? Bool, true)
        XCTAssertEqual((jo["generalized"] as? [Any])?.count, 7)
        for f in ["ib.json", "ib-curve.svg", "ib-beta.svg", "curve.npy", "encoders.npy", "betas.npy", "measure.npy"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), f)
        }
        XCTAssertEqual(try Npy.read(out.appendingPathComponent("encoders.npy")).shape, [7, 2, 2])
    }

    func testGaussianFromSamples() throws {
        let dir = try folder()
        let n = 3000
        let z: [Double] = PhiloxFill.normal(count: 2 * n, seed: 5, stream: 0)
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n { y[i] = z[2 * i] + z[2 * i + 1] }
        let x = Array(z.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        let r = try run(["ib", "gaussian", "--samples-x", try save(dir, "x.npy", x, [n]),
                         "--samples-y", try save(dir, "y.npy", y, [n, 1]), "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // Y = X + noise of equal variance: λ = 1/2, β = 2.
        let bc = try XCTUnwrap(try r.json()["criticalBetas"] as? [Double])
        XCTAssertEqual(bc[0], 2, accuracy: 0.15)
    }

    func testDiscreteBinarySymmetricChannel() throws {
        let dir = try folder()
        let e = 0.25
        let joint = try save(dir, "bsc.npy", [0.5 * (1 - e), 0.5 * e, 0.5 * e, 0.5 * (1 - e)], [2, 2])
        let out = dir.appendingPathComponent("out")
        let r = try run(["ib", "discrete", "--joint", joint, "--beta-range", "1:6:51", "--device", "cpu", "--json",
                         "--output", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        let onset = try XCTUnwrap(obj["onset"] as? [String: Any])
        XCTAssertEqual(onset["matches"] as? String, "both")
        XCTAssertEqual(try XCTUnwrap(onset["betaRho"] as? Double), 4, accuracy: 1e-9)  // 1/(1 − 2ε)²
        let found = try XCTUnwrap(onset["fromSolutions"] as? Double)
        XCTAssertTrue(found >= 4 && found <= 4.1 + 1e-9, "onset \(found)")
        XCTAssertEqual((obj["points"] as? [Any])?.count, 51)
        XCTAssertEqual(try Npy.read(out.appendingPathComponent("encoders.npy")).shape, [51, 2, 2])
        for f in ["ib.json", "ib-curve.svg", "ib-beta.svg", "curve.npy"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), f)
        }
        let text = try run(["ib", "discrete", "--joint", joint, "--beta-range", "1:6:11", "--device", "cpu"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("the onset matches: both"), text.stdout)
    }

    func testBadInput() throws {
        let dir = try folder()
        let notPD = try save(dir, "bad.npy", [1, 2, 2, 1], [2, 2])
        let eye = try save(dir, "eye.npy", [1, 0, 0, 1], [2, 2])
        let cases: [([String], String)] = [
            (["gaussian", "--cov-x", notPD, "--cov-y", eye, "--cov-xy", eye], "is not positive definite"),
            (["gaussian", "--cov-x", eye, "--cov-y", eye, "--cov-xy", eye], "joint covariance"),
            (["gaussian", "--cov-x", eye], "give either --cov-x, --cov-y and --cov-xy"),
            (["gaussian", "--cov-x", eye, "--cov-y", eye, "--cov-xy", eye, "--measure", "renyi:0"], "Rényi order"),
            (["discrete", "--joint", try save(dir, "sum.npy", [0.3, 0.3, 0.3, 0.3], [2, 2])], "sums to 1.2"),
            (["discrete", "--joint", try save(dir, "neg.npy", [0.6, -0.1, 0.3, 0.2], [2, 2])], "negative entry"),
            (["discrete", "--joint", eye, "--beta-range", "3:1:5"], "a β range LO:HI:N needs"),
            (["discrete", "--joint", eye, "--clusters", "1"], "--clusters must be at least 2"),
        ]
        for (args, phrase) in cases {
            let r = try run(["ib"] + args)
            XCTAssertNotEqual(r.status, 0, args.joined(separator: " "))
            XCTAssertTrue(r.stderr.contains(phrase), "\(args): \(r.stderr)")
        }
    }
}
