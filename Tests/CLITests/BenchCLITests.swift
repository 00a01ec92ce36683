import Foundation
import XCTest

/// `gpurun bench` as a user runs it: the JSON reports, the notes of a missing reference script,
/// and bad values as usage errors. Small sizes on the CPU engine, so each run takes seconds.
final class BenchCLITests: XCTestCase {
    func run(_ args: [String]) throws -> GPURunProcess.Result { try GPURunProcess.run(["bench"] + args) }

    func testLyapunovReportAndMissingScript() throws {
        let r = try run(["lyapunov", "--sizes", "8", "--steps", "20", "--reorth", "1,2", "--engines", "cpu",
                         "--numpy-script", "/nonexistent/lyapunov.py", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        let rows = try XCTUnwrap(obj["results"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["reorth"] as? Int }, [1, 2])
        XCTAssertEqual(rows.first?["engine"] as? String, "cpu")
        XCTAssertEqual(rows.first?["k"] as? Int, 8)
        // 100 + 20 state steps (2·8² each), 20 tangent products (2·8³), 20 or 10 Householder QRs (4·8³ − 4·8³/3).
        let gemm = 120 * 128.0 + 20 * 1024, qr = 4 * 512.0 - 4 * 512 / 3
        XCTAssertEqual(try XCTUnwrap(rows[0]["gflop"] as? Double) * 1e9, gemm + 20 * qr, accuracy: 1e-3)
        XCTAssertEqual(try XCTUnwrap(rows[1]["gflop"] as? Double) * 1e9, gemm + 10 * qr, accuracy: 1e-3)
        XCTAssertGreaterThan(try XCTUnwrap(rows[0]["floorSeconds"] as? Double), 0)
        XCTAssertEqual(obj["notes"] as? [String], ["no script at /nonexistent/lyapunov.py"])
        XCTAssertTrue(r.stderr.contains("cpu, householder QR: N = 8, reorth 1..."), r.stderr)
    }

    /// The reference script runs the same algorithm in numpy and, where this Python has it, PyTorch.
    func testLyapunovReferencesNumpyAndTorch() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../bench/lyapunov_reference.py").standardized.path
        let r = try run(["lyapunov", "--sizes", "12", "--steps", "30", "--reorth", "1", "--engines", "cpu",
                         "--reference-script", script, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        let rows = try XCTUnwrap(obj["results"] as? [[String: Any]])
        let numpy = try XCTUnwrap(rows.first { $0["qr"] as? String == "numpy" }, "\(rows) \(obj["notes"] ?? "")")
        XCTAssertTrue((numpy["engine"] as? String)?.hasPrefix("numpy ") == true)
        if let torch = rows.first(where: { $0["qr"] as? String == "torch" }) {
            // Both libraries start from the same numpy draws: the same algorithm gives the same λ1.
            XCTAssertEqual(torch["lambda1"] as! Double, numpy["lambda1"] as! Double, accuracy: 1e-9)
        } else {
            let notes = obj["notes"] as? [String] ?? []
            XCTAssertTrue(notes.contains { $0.contains("torch") }, "\(notes)")
        }
    }

    /// The real reference script: numpy rows, and PyTorch's GRUCell/LSTMCell as model rows where
    /// this Python has PyTorch (else a note saying so).
    func testRNNReferenceCells() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../bench/rnn_reference.py").standardized.path
        let r = try run(["rnn", "--sizes", "16", "--batches", "2", "--engines", "cpu", "--reference-script", script, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        let rows = try XCTUnwrap(obj["results"] as? [[String: Any]])
        XCTAssertTrue(rows.contains { $0["engine"] as? String == "numpy" }, "\(rows)")
        let cells = (obj["models"] as? [[String: Any]] ?? []).filter { $0["engine"] as? String == "torch" }
        if rows.contains(where: { $0["engine"] as? String == "torch" }) {
            XCTAssertEqual(Set(cells.compactMap { $0["model"] as? String }), ["gru", "lstm"])
            XCTAssertTrue(cells.allSatisfy { ($0["stepsPerSecond"] as? Double ?? 0) > 0 })
        } else {
            XCTAssertEqual(cells.count, 0)
            XCTAssertTrue((obj["notes"] as? [String] ?? []).contains { $0.contains("PyTorch") }, "\(obj["notes"] ?? "")")
        }
    }

    func testRNNReport() throws {
        let r = try run(["rnn", "--sizes", "8", "--batches", "2", "--engines", "cpu",
                         "--reference-script", "/nonexistent/rnn.py", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        let rows = try XCTUnwrap(obj["results"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first?["b"] as? Int, 2)
        let models = try XCTUnwrap(obj["models"] as? [[String: Any]])
        XCTAssertEqual(Set(models.compactMap { $0["path"] as? String }), ["fused", "chain"])
        XCTAssertEqual(obj["notes"] as? [String], ["no script at /nonexistent/rnn.py"])
    }

    func testConvReportAndBadLayers() throws {
        let r = try run(["conv", "--layers", "t:2,3,8,8,4,3,1,1,1,1", "--engines", "cpu", "--paths", "auto,direct",
                         "--min-seconds", "0.01", "--torch-script", "/nonexistent/conv.py", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        let rows = try XCTUnwrap(obj["results"] as? [[String: Any]])
        XCTAssertEqual(rows.compactMap { $0["engine"] as? String }, ["cpu", "cpu direct"])
        XCTAssertEqual(obj["notes"] as? [String], ["no script at /nonexistent/conv.py"])

        for (args, phrase) in [(["--layers", "bad"], "'bad' is not name:N,C,H,W,O,k"),
                               (["--layers", "t:2,3,8,8,4,3,1,1,1,0"], "groups must be positive, got 0"),
                               (["--batch", "0"], "--batch must be positive")] {
            let bad = try run(["conv", "--engines", "cpu"] + args)
            XCTAssertEqual(bad.status, 64, bad.stderr)
            XCTAssertTrue(bad.stderr.contains(phrase), "expected '\(phrase)' in: \(bad.stderr)")
        }
    }

    func testSSLReportAndBadValues() throws {
        let r = try run(["ssl", "--batch", "4", "--queue", "16", "--projection-dim", "8", "--engines", "cpu", "--min-seconds", "0.01",
                         "--reference-script", "/nonexistent/moco.py", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        let rows = try XCTUnwrap(obj["results"] as? [[String: Any]])
        XCTAssertEqual(rows.compactMap { $0["engine"] as? String }, ["cpu"])
        XCTAssertEqual(rows.first?["queue"] as? Int, 16)
        XCTAssertGreaterThan(try XCTUnwrap(rows.first?["imagesPerSecond"] as? Double), 0)
        XCTAssertEqual(obj["notes"] as? [String], ["no script at /nonexistent/moco.py"])
        let bad = try run(["ssl", "--engines", "cpu", "--batch", "32", "--queue", "16"])
        XCTAssertEqual(bad.status, 64, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--queue must be at least --batch"), bad.stderr)
    }
}
