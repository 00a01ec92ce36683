import GPURunApp
import Foundation
import XCTest

/// `gpurun lottery`: rounds, files, JSON, resume and bad input, on a small .npy data set.
final class LotteryCLITests: XCTestCase {
    func lottery(_ data: URL, _ extra: [String]) throws -> GPURunProcess.Result {
        try GPURunProcess.run(["lottery", "--model", "cnn", "--data", "npy:\(data.path)", "--epochs", "2", "--batch", "16",
                               "--lr", "0.05", "--device", "cpu", "--json"] + extra)
    }

    func testRoundsFilesAndResume() throws {
        let data = try trainingNpyData(self)
        let out = data.appendingPathComponent("imp")
        let r = try lottery(data, ["--rounds", "2", "--prune-fraction", "0.5", "--rewind-iteration", "2", "--perturb", "shuffle",
                                   "--early-phase", "2", "--output", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rounds = try XCTUnwrap(r.json()["rounds"] as? [[String: Any]])
        XCTAssertEqual(rounds.map { $0["round"] as? Int }, [0, 1, 2])
        let densities = rounds.compactMap { $0["density"] as? Double }
        XCTAssertEqual(densities[0], 1)
        XCTAssertEqual(densities[1], 0.5, accuracy: 1e-3)
        XCTAssertEqual(densities[2], 0.25, accuracy: 1e-3)
        XCTAssertTrue(rounds.allSatisfy { ($0["testAccuracy"] as? Double).map { (0...1).contains($0) } ?? false })
        XCTAssertNotNil(rounds[1]["rewoundTestAccuracy"] as? Double)
        XCTAssertEqual(try XCTUnwrap(r.json()["earlyPhase"] as? [[String: Any]]).map { $0["iteration"] as? Int }, [0, 1, 2])
        // Masks nest from round to round; the start of round 2 is the iteration-2 state, pruned weights 0.
        let m1 = try Npy.read(out.appendingPathComponent("round-1/mask-conv1.weight.npy"))
        let m2 = try Npy.read(out.appendingPathComponent("round-2/mask-conv1.weight.npy"))
        XCTAssertEqual(m1.shape, [16, 9])
        XCTAssertTrue(zip(try m1.doubles(), try m2.doubles()).allSatisfy { $0 >= $1 })
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("round-2/start/state.json"))) as? [String: Any]
        XCTAssertEqual(state?["iteration"] as? Int, 2)
        let start = try Npy.read(out.appendingPathComponent("round-2/start/param0.npy")).doubles()
        XCTAssertTrue(zip(start, try m2.doubles()).allSatisfy { $1 == 1 || $0 == 0 })
        for f in ["lottery.json", "rewind/state.json", "round-0/result.json", "round-2/losses.npy"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), f)
        }

        // One round, then resumed to two: the same rounds as the uninterrupted run.
        let part = data.appendingPathComponent("part")
        let first = try lottery(data, ["--rounds", "1", "--prune-fraction", "0.5", "--rewind-iteration", "2", "--perturb", "shuffle",
                                       "--early-phase", "2", "--output", part.path])
        XCTAssertEqual(first.status, 0, first.stderr)
        let resumed = try GPURunProcess.run(["lottery", "--resume", part.path, "--rounds", "2", "--device", "cpu", "--json"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let rj = try resumed.json()
        XCTAssertEqual(rj["resumedAfterRound"] as? Int, 1)
        let again = try XCTUnwrap(rj["rounds"] as? [[String: Any]])
        XCTAssertEqual(again.map { $0["testAccuracy"] as? Double }, rounds.map { $0["testAccuracy"] as? Double })
        XCTAssertEqual(again.map { $0["density"] as? Double }, rounds.map { $0["density"] as? Double })
        let refused = try lottery(data, ["--output", part.path])
        XCTAssertEqual(refused.status, 64)
        XCTAssertTrue(refused.stderr.contains("holds a lottery run already"), refused.stderr)
    }

    /// Each refused before any training.
    func testBadInput() throws {
        let data = try trainingNpyData(self)
        let out = data.appendingPathComponent("bad").path
        for (args, message) in [(["--prune-fraction", "1.5"], "the prune fraction must be in (0, 1), got 1.5"),
                                (["--prune-fraction", "0"], "the prune fraction must be in (0, 1), got 0.0"),
                                (["--rewind-iteration", "6"], "the rewind iteration 6 is past the end of training (6 iterations"),
                                (["--model", #"{"layers": [{"type": "dense"}]}"#], "unknown type 'dense'"),
                                (["--perturb", "jitter"], "the perturbation must be reinit"),
                                (["--rounds", "0"], "the rounds of pruning must be at least 1")] {
            let r = try lottery(data, args + ["--output", out])
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("round 0:"), "\(args): training started")
        }
        let noOut = try lottery(data, [])
        XCTAssertTrue(noOut.stderr.contains("--output"), noOut.stderr)
        let resume = try GPURunProcess.run(["lottery", "--resume", out, "--prune-fraction", "0.3", "--device", "cpu"])
        XCTAssertTrue(resume.stderr.contains("drop --prune-fraction"), resume.stderr)
    }
}
