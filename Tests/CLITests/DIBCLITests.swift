import GPURunApp
import Foundation
import XCTest

/// `gpurun dib` as a user runs it, on the small .npy data set of the train tests.
final class DIBCLITests: XCTestCase {
    let base = ["dib", "--epochs", "3", "--batch", "8", "--encoder", "16", "--heads", "2", "--labelings-size", "3",
                "--measure-epochs", "20", "--device", "cpu"]

    func testSweepReportsGapAndDecodableInformationPerBeta() throws {
        let data = try trainingNpyData(self)
        let out = data.appendingPathComponent("dib-out")
        let r = try GPURunProcess.run(base + ["--data", "npy:\(data.path)", "--head", "mlp:8", "--beta", "0,0.5,2",
                                              "--seed", "3,4", "--json", "--output", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try r.json()
        let runs = try XCTUnwrap(j["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 6)
        XCTAssertEqual(runs.map { $0["beta"] as? Double }, [0, 0.5, 2, 0, 0.5, 2])
        XCTAssertEqual(runs.map { $0["seed"] as? Int }, [3, 3, 3, 4, 4, 4])
        for run in runs {
            let train = try XCTUnwrap(run["trainAccuracy"] as? Double), test = try XCTUnwrap(run["testAccuracy"] as? Double)
            XCTAssertEqual(try XCTUnwrap(run["generalisationGap"] as? Double), train - test, accuracy: 1e-12)
            let info = try XCTUnwrap(run["decodableInformation"] as? [String: Any])
            let bits = try XCTUnwrap(info["bits"] as? Double), of = try XCTUnwrap(info["ofMaximum"] as? Double)
            XCTAssertEqual(of, bits / log2(3.0), accuracy: 1e-12)
            XCTAssertLessThanOrEqual(bits, log2(3.0) + 1e-9)
            XCTAssertGreaterThan(try XCTUnwrap(run["wallSeconds"] as? Double), 0)
        }
        let c = try XCTUnwrap(j["correlation"] as? [String: Any])
        XCTAssertEqual(c["pairs"] as? Int, 6)
        XCTAssertNotNil(c["spearman"] as? Double)
        XCTAssertTrue(r.stderr.contains("epoch 3/3"), r.stderr)
        XCTAssertTrue(r.stderr.contains("decodable"), r.stderr)
        let svg = try String(contentsOf: out.appendingPathComponent("dib.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("<svg") && svg.contains("decodable information, seed 4"), svg.prefix(300).description)
        let curves = try Npy.read(out.appendingPathComponent("curves.npy"))
        XCTAssertEqual(curves.shape, [6, try XCTUnwrap(runs[0]["iterations"] as? Int), 3])
        let v = try curves.doubles()
        let last = (curves.shape[1] - 1) * 3
        XCTAssertEqual(v[last], try XCTUnwrap(runs[0]["finalClassifierLoss"] as? Double), accuracy: 1e-12)
        XCTAssertEqual(v[last + 1], try XCTUnwrap(runs[0]["finalNuisanceLoss"] as? Double), accuracy: 1e-12)
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json"))) as? [String: Any]
        XCTAssertEqual((saved?["runs"] as? [Any])?.count, 6)

        // One (seed, β) run alone repeats the sweep's numbers: same weights, shuffles and labelings.
        let one = try GPURunProcess.run(base + ["--data", "npy:\(data.path)", "--head", "mlp:8", "--beta", "0.5", "--seed", "4",
                                                "--json"])
        XCTAssertEqual(one.status, 0, one.stderr)
        let alone = try XCTUnwrap((try one.json()["runs"] as? [[String: Any]])?.first)
        XCTAssertEqual(alone["trainAccuracy"] as? Double, runs[4]["trainAccuracy"] as? Double)
        XCTAssertEqual((alone["decodableInformation"] as? [String: Any])?["bits"] as? Double,
                       (runs[4]["decodableInformation"] as? [String: Any])?["bits"] as? Double)
    }

    func testBadInputIsRefusedBeforeWork() throws {
        let data = try trainingNpyData(self)
        let out = data.appendingPathComponent("never")
        let cases: [([String], String)] = [
            (["--beta", "-1"], "non-negative"), (["--beta", "0,x"], "β values"), (["--labelings-size", "1"], "k ≥ 2"),
            (["--heads", "0"], "nuisance head"), (["--head", "conv"], "linear or mlp:H"), (["--head", "mlp:0"], "mlp:H"),
            (["--encoder", "16,0"], "--encoder"), (["--epochs", "0"], "epochs"), (["--seed", "a"], "seeds are"),
            (["--lr", "0"], "learning rate"), (["--measure-heads", "0"], "measure"),
        ]
        for (args, message) in cases {
            let r = try GPURunProcess.run(base + ["--data", "npy:\(data.path)", "--output", out.path] + args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("loading"), "\(args) started work: \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(args) created the output folder")
        }
        let missing = try GPURunProcess.run(base + ["--data", "npy:/nonexistent-dib"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no such file"), missing.stderr)
    }

    /// (D9) `--resume` continues from the checkpoint: here a finished sweep whose last run is taken
    /// out of sweep.json, so the resumed process restores that run's trained state, evaluates and
    /// measures it, and repeats its numbers. Options beside --resume and missing checkpoints are refused.
    func testResumeRepeatsTheSweepAndRefusesOptions() throws {
        let data = try trainingNpyData(self)
        let out = data.appendingPathComponent("dib-resume")
        let r = try GPURunProcess.run(base + ["--data", "npy:\(data.path)", "--beta", "0,1", "--json", "--output", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let runs = try XCTUnwrap(try r.json()["runs"] as? [[String: Any]])
        let sweep = out.appendingPathComponent("checkpoint/sweep.json")
        var state = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: sweep)) as? [String: Any])
        XCTAssertEqual((state["runs"] as? [Any])?.count, 2)
        state["runs"] = Array(try XCTUnwrap(state["runs"] as? [Any]).prefix(1))
        state["curves"] = Array(try XCTUnwrap(state["curves"] as? [Any]).prefix(1))
        try JSONSerialization.data(withJSONObject: state).write(to: sweep)
        let again = try GPURunProcess.run(["dib", "--resume", out.path, "--device", "cpu", "--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("resuming after 1 finished runs and 3 epochs"), again.stderr)
        let resumed = try XCTUnwrap(try again.json()["runs"] as? [[String: Any]])
        for key in ["trainAccuracy", "testAccuracy", "finalClassifierLoss", "finalNuisanceLoss"] {
            XCTAssertEqual(resumed.map { $0[key] as? Double }, runs.map { $0[key] as? Double }, key)
        }
        XCTAssertEqual(resumed.map { ($0["decodableInformation"] as? [String: Any])?["bits"] as? Double },
                       runs.map { ($0["decodableInformation"] as? [String: Any])?["bits"] as? Double })

        let refused = try GPURunProcess.run(["dib", "--resume", out.path, "--epochs", "5", "--device", "cpu"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("drop --epochs"), refused.stderr)
        let missing = try GPURunProcess.run(["dib", "--resume", data.appendingPathComponent("nothing").path, "--device", "cpu"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no DIB sweep checkpoint"), missing.stderr)
        XCTAssertFalse(missing.stderr.contains("loading"), missing.stderr)
    }
}
