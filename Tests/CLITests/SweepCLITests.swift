import Foundation
import XCTest

/// `gpurun sweep` as users run it: shards, a killed shard, Slurm's variables and MPI ranks.
final class SweepCLITests: XCTestCase {
    /// Six small Lyapunov tasks on the CPU backend (3 gains × 2 seeds).
    static let tiny = """
        {"command": "lyapunov",
         "options": {"model": "rate", "n": 20, "steps": 60, "transient": 10, "k": 2, "device": "cpu"},
         "grid": {"g": [0.5, 1.5, 3]},
         "seeds": 2, "seed": 11}
        """

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func sweepFile(_ text: String, in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent("sweep.json")
        try Data(text.utf8).write(to: url)
        return url
    }

    func read(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    func assertSameMerged(_ a: URL, _ b: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        for name in ["merged.json", "merged.csv", "merged.svg"] {
            let x = try read(a.appendingPathComponent(name)), y = try read(b.appendingPathComponent(name))
            XCTAssertEqual(x, y, "\(name) differs:\n\(String(decoding: x, as: UTF8.self))\n---\n\(String(decoding: y, as: UTF8.self))",
                           file: file, line: line)
        }
    }

    func testPlanListsTasksWithTheirSeeds() throws {
        let dir = try scratch()
        let r = try GPURunProcess.run(["sweep", "plan", try sweepFile(Self.tiny, in: dir).path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let tasks = try XCTUnwrap(try r.json()["tasks"] as? [[String: Any]])
        XCTAssertEqual(tasks.count, 6)
        XCTAssertEqual(tasks.map { $0["index"] as? Int }, [0, 1, 2, 3, 4, 5])
        let seeds = tasks.compactMap { ($0["seed"] as? NSNumber)?.uint64Value }
        XCTAssertEqual(Set(seeds).count, 6, "every task has its own seed")
        let args = try XCTUnwrap(tasks[2]["arguments"] as? [String])
        XCTAssertEqual(args.first, "lyapunov")
        XCTAssertTrue(args.contains("--json"))
        XCTAssertEqual(args[try XCTUnwrap(args.firstIndex(of: "--g")) + 1], "1.5")
    }

    /// Three shards, run concurrently and merged, give the bytes of one unsharded run.
    func testThreeShardsMergeBitForBitLikeOneRun() throws {
        let dir = try scratch()
        let file = try sweepFile(Self.tiny, in: dir)
        let one = dir.appendingPathComponent("one"), three = dir.appendingPathComponent("three")
        let r = try GPURunProcess.run(["sweep", "run", file.path, "--out", one.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let shards = try (0..<3).map { try GPURunProcess.start(["sweep", "run", file.path, "--out", three.path, "--shard", "\($0)/3"]) }
        for (p, _, _) in shards { p.waitUntilExit() }
        XCTAssertEqual(shards.map { $0.0.terminationStatus }, [0, 0, 0])
        XCTAssertFalse(FileManager.default.fileExists(atPath: three.appendingPathComponent("merged.json").path),
                       "a shard alone does not merge")
        let m = try GPURunProcess.run(["sweep", "merge", three.path])
        XCTAssertEqual(m.status, 0, m.stderr)
        try assertSameMerged(one, three)
        // Each shard ran exactly its tasks, index mod 3.
        let log = String(decoding: try read(three.appendingPathComponent("logs/run.log")), as: UTF8.self)
        for i in 0..<6 { XCTAssertTrue(log.contains("task \(i) done by shard-\(i % 3)-of-3"), log) }
        let merged = try XCTUnwrap(JSONSerialization.jsonObject(with: try read(one.appendingPathComponent("merged.json"))) as? [String: Any])
        let rows = try XCTUnwrap(merged["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 6)
        XCTAssertTrue(rows.allSatisfy { ($0["metric"] as? Double)?.isFinite == true }, "\(rows)")
    }

    /// A shard killed with SIGKILL after some results exist is rerun: the rest run, the
    /// finished ones are neither rerun nor rewritten.
    func testKilledShardRerunsOnlyUnfinishedTasks() throws {
        let dir = try scratch()
        let file = try sweepFile("""
            {"command": "lyapunov",
             "options": {"model": "rate", "n": 40, "steps": 300, "transient": 20, "k": 2, "device": "cpu"},
             "grid": {"g": [1, 2, 3, 4, 5]}, "seeds": 2, "seed": 5}
            """, in: dir)
        let out = dir.appendingPathComponent("out")
        let results = out.appendingPathComponent("results")
        let (p, _, _) = try GPURunProcess.start(["sweep", "run", file.path, "--out", out.path])
        func finished() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: results.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        }
        let deadline = Date().addingTimeInterval(120)
        while finished().count < 2, p.isRunning, Date() < deadline { usleep(5_000) }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        let before = finished()
        XCTAssertGreaterThanOrEqual(before.count, 2)
        XCTAssertLessThan(before.count, 10, "the shard finished before it was killed; the test needs longer tasks")
        var mtimes: [String: Date] = [:]
        for f in before {
            mtimes[f] = try FileManager.default.attributesOfItem(atPath: results.appendingPathComponent(f).path)[.modificationDate] as? Date
        }

        let r = try GPURunProcess.run(["sweep", "run", file.path, "--out", out.path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let run = try XCTUnwrap((try r.json()["runs"] as? [[String: Any]])?.first)
        let ran = Set(try XCTUnwrap(run["ran"] as? [Int])), skipped = Set(try XCTUnwrap(run["skipped"] as? [Int]))
        let done = Set(before.compactMap { Int($0.dropFirst(5).dropLast(5)) })
        XCTAssertEqual(skipped, done, "the finished tasks are skipped")
        XCTAssertTrue(ran.isDisjoint(with: done))
        XCTAssertEqual(ran.union(skipped), Set(0..<10))
        XCTAssertEqual(finished().count, 10)
        for f in before {
            let now = try FileManager.default.attributesOfItem(atPath: results.appendingPathComponent(f).path)[.modificationDate] as? Date
            XCTAssertEqual(now, mtimes[f], "\(f) was rewritten")
        }
        // The run log has no task twice: none was run twice to completion. A task whose result
        // was renamed into place just before the SIGKILL may lack its line (the log is written
        // after the rename), so the tasks of the rerun must have exactly one.
        let log = String(decoding: try read(out.appendingPathComponent("logs/run.log")), as: UTF8.self)
        for i in 0..<10 {
            let lines = log.components(separatedBy: "task \(i) done by").count - 1
            XCTAssertLessThanOrEqual(lines, 1, log)
            if ran.contains(i) { XCTAssertEqual(lines, 1, log) }
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("merged.csv").path))
    }

    /// In a Slurm job array, the share comes from SLURM_ARRAY_TASK_ID/COUNT (and MIN).
    func testSlurmArrayVariablesChooseTheShard() throws {
        let dir = try scratch()
        let file = try sweepFile(Self.tiny, in: dir)
        let out = dir.appendingPathComponent("out")
        let r = try GPURunProcess.run(["sweep", "run", file.path, "--out", out.path, "--json"],
                                      env: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let run = try XCTUnwrap((try r.json()["runs"] as? [[String: Any]])?.first)
        XCTAssertEqual(run["ran"] as? [Int], [1, 4])
        XCTAssertEqual((run["shard"] as? [String: Int]).map { [$0["index"], $0["count"]] }, [1, 3])
        // Kernel caches of this worker live under the output folder.
        let caches = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("cache").path)
        XCTAssertEqual(caches.count, 1)
        XCTAssertTrue(FileManager.default.fileExists(
            atPath: out.appendingPathComponent("cache/\(caches[0])/shard-1-of-3/pocl").path))
    }

    func testBadInputIsExplained() throws {
        let dir = try scratch()
        let bad = try sweepFile(#"{"command": "rm", "grid": {"g": [1]}}"#, in: dir)
        var r = try GPURunProcess.run(["sweep", "plan", bad.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("lyapunov, spectrum, ridge, train"), r.stderr)

        let seeded = try sweepFile(#"{"command": "ridge", "options": {"seed": 3}}"#, in: dir)
        r = try GPURunProcess.run(["sweep", "plan", seeded.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("\"seed\" is set by the sweep"), r.stderr)

        let file = try sweepFile(Self.tiny, in: dir)
        r = try GPURunProcess.run(["sweep", "run", file.path, "--out", dir.appendingPathComponent("o").path, "--shard", "3/3"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("the shard index must be in 0..<n (n ≥ 1), got 3/3"), r.stderr)

        // A folder holding another sweep is refused.
        let out = dir.appendingPathComponent("out")
        r = try GPURunProcess.run(["sweep", "run", file.path, "--out", out.path, "--shard", "0/6"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let other = dir.appendingPathComponent("other.json")
        try Data(Self.tiny.replacingOccurrences(of: "\"seed\": 11", with: "\"seed\": 12").utf8).write(to: other)
        r = try GPURunProcess.run(["sweep", "run", other.path, "--out", out.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("different sweep"), r.stderr)

        // Missing results: merge says how many, unless --partial.
        r = try GPURunProcess.run(["sweep", "merge", out.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("5 of 6 tasks have no result"), r.stderr)
        r = try GPURunProcess.run(["sweep", "merge", out.path, "--partial", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try r.json()["missing"] as? [Int], [1, 2, 3, 4, 5])

        // --mpi without a loadable Open MPI names what is missing.
        r = try GPURunProcess.run(["sweep", "run", file.path, "--out", out.path, "--mpi"],
                                  env: ["GPURUN_MPI_LIBRARY": "/nonexistent/libmpi.so.40"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("/nonexistent/libmpi.so.40") && r.stderr.contains("Open MPI"), r.stderr)
    }

    /// `mpirun -np 2 … --mpi` gives the merged table of one process. Skipped only where
    /// mpirun is absent; CI (CI=true) installs Open MPI, so there it must run.
    func testTwoMPIRanksMatchOneProcess() throws {
        guard let mpirun = Self.which("mpirun") else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("CI must have mpirun (openmpi-bin), but it is not on PATH")
            }
            throw XCTSkip("mpirun is not installed")
        }
        let dir = try scratch()
        let file = try sweepFile(Self.tiny, in: dir)
        let one = dir.appendingPathComponent("one"), mpi = dir.appendingPathComponent("mpi")
        var r = try GPURunProcess.run(["sweep", "run", file.path, "--out", one.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try GPURunProcess.run(["-np", "2", "--oversubscribe", "--allow-run-as-root",
                                   try GPURunProcess.binary.path, "sweep", "run", file.path, "--out", mpi.path, "--mpi", "--json"],
                                  binary: mpirun)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        try assertSameMerged(one, mpi)
        // Rank 0 alone printed the report, with both ranks' shares.
        let runs = try XCTUnwrap(try r.json()["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.compactMap { $0["ran"] as? [Int] }, [[0, 2, 4], [1, 3, 5]])
        XCTAssertTrue(r.stderr.contains("gathered 6 results from 2 ranks"), r.stderr)
    }

    static func which(_ name: String) -> URL? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }
}
