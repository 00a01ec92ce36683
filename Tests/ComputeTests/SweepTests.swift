import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import Foundation
import XCTest

/// Sweep files, plans, shares, device choice, the merged table and its plot.
final class SweepTests: XCTestCase {
    func spec(_ text: String) throws -> SweepSpec { try SweepSpec.parse(Data(text.utf8)) }

    func testGridOrderAndTaskOrder() throws {
        // An object's axes are alphabetical; a list keeps its order.
        let a = try spec(#"{"command": "lyapunov", "grid": {"g": [1, 2], "alpha-z": [0.5, 5, 50]}, "seeds": 2}"#)
        XCTAssertEqual(a.grid.map(\.name), ["alpha-z", "g"])
        let b = try spec(#"{"command": "lyapunov", "grid": [{"g": [1, 2]}, {"alpha-z": [0.5, 5, 50]}], "seeds": 2}"#)
        XCTAssertEqual(b.grid.map(\.name), ["g", "alpha-z"])
        let plan = SweepPlan(b)
        XCTAssertEqual(plan.tasks.count, 12)
        XCTAssertEqual(plan.pointCount, 6)
        // Row-major points (last axis fastest), replicates innermost.
        let t = plan.tasks[7]
        XCTAssertEqual([t.point, t.replicate], [3, 1])
        XCTAssertEqual(t.values, [.int(2), .double(0.5)])
        XCTAssertEqual(plan.tasks.map(\.index), Array(0..<12))
    }

    func testTaskSeedsArePhiloxOfBaseSeedAndIndex() throws {
        let plan = SweepPlan(try spec(#"{"command": "ridge", "grid": {"n": [10, 20, 30]}, "seeds": 4, "seed": 99}"#))
        for t in plan.tasks {
            let b = Philox.block(seed: 99, stream: SweepPlan.seedStream, index: UInt64(t.index))
            XCTAssertEqual(t.seed, (UInt64(b.1) << 32 | UInt64(b.0)) & (1 << 53 - 1))
            XCTAssertLessThan(t.seed, 1 << 53)
        }
        XCTAssertEqual(Set(plan.tasks.map(\.seed)).count, 12)
        // The same file gives the same seeds; another base seed other ones.
        let again = SweepPlan(try spec(#"{"command": "ridge", "grid": {"n": [10, 20, 30]}, "seeds": 4, "seed": 99}"#))
        XCTAssertEqual(plan.tasks, again.tasks)
        let other = SweepPlan(try spec(#"{"command": "ridge", "grid": {"n": [10, 20, 30]}, "seeds": 4, "seed": 98}"#))
        XCTAssertTrue(Set(other.tasks.map(\.seed)).isDisjoint(with: plan.tasks.map(\.seed)))
    }

    func testArguments() throws {
        let plan = SweepPlan(try spec("""
            {"command": "lyapunov", "options": {"model": "rate", "n": 500, "dt": 0.05, "keep-diagonal": true,
             "device": "opencl", "integrator": "rk4"}, "grid": {"g": [2.0, 0.1]}, "seed": 1}
            """))
        XCTAssertEqual(plan.tasks[1].arguments,
                       ["lyapunov", "--dt", "0.05", "--integrator", "rk4", "--keep-diagonal", "--model", "rate", "--n", "500",
                        "--g", "0.1", "--seed", String(plan.tasks[1].seed), "--json"])
        XCTAssertEqual(plan.tasks[0].arguments[plan.tasks[0].arguments.firstIndex(of: "--g")! + 1], "2")
        let off = SweepPlan(try spec(#"{"command": "lyapunov", "options": {"keep-diagonal": false}}"#))
        XCTAssertFalse(off.tasks[0].arguments.contains("--keep-diagonal"))
        // The printed command line is one a shell reads back word for word.
        let quoted = SweepPlan(try spec(#"{"command": "lyapunov", "options": {"weights": "it's a $file.npy"}}"#))
        XCTAssertEqual(quoted.tasks[0].commandLine(adding: ["--device", "opencl:0"]),
                       "gpurun lyapunov --weights 'it'\\''s a $file.npy' --seed \(quoted.tasks[0].seed) --json --device opencl:0")
    }

    func testBadFilesAreExplained() {
        let cases: [(String, String)] = [
            (#"{"command": "bash"}"#, "must be one of lyapunov, spectrum, ridge, train"),
            (#"{"command": "ridge", "seeds": 0}"#, "at least 1"),
            (#"{"command": "ridge", "grid": {"seed": [1, 2]}}"#, "set by the sweep"),
            (#"{"command": "ridge", "options": {"output": "x"}}"#, "set by the sweep"),
            (#"{"command": "ridge", "options": {"--n": 3}}"#, "without the dashes"),
            (#"{"command": "ridge", "options": {"n": [3]}}"#, "not a list"),
            (#"{"command": "ridge", "options": {"n": 3}, "grid": {"n": [1]}}"#, "both a fixed option and a grid axis"),
            (#"{"command": "ridge", "grid": {"n": []}}"#, "no values"),
            (#"{"command": "ridge", "gird": {"n": [1]}}"#, "unknown key \"gird\""),
            (#"{"command": "ridge", "metric": "a..b"}"#, "empty component"),
            (#"{"grid": {}}"#, "command"),
            ("not json", "not a valid sweep file"),
            (#"{"command": "ridge", "seed": 1.5}"#, "\"seed\" must be an integer from 0 to 18446744073709551615, got 1.5"),
            (#"{"command": "ridge", "seeds": "3"}"#, "\"seeds\" must be an integer"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try spec(text), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
            }
        }
    }

    func testJSONPaths() throws {
        let doc = try JSONValue.parse(Data(#"{"exponents": [0.25, -1], "points": [{"ridge": {"mean": 3}}], "x": "NaN"}"#.utf8))
        XCTAssertEqual(doc.value(at: try JSONPath(parsing: "exponents.0"))?.number, 0.25)
        XCTAssertEqual(doc.value(at: try JSONPath(parsing: "exponents[1]"))?.number, -1)
        XCTAssertEqual(doc.value(at: try JSONPath(parsing: "points[0].ridge.mean"))?.number, 3)
        XCTAssertTrue(doc.value(at: try JSONPath(parsing: "x"))?.number?.isNaN ?? false)
        XCTAssertNil(doc.value(at: try JSONPath(parsing: "exponents.2")))
        XCTAssertNil(doc.value(at: try JSONPath(parsing: "theory.gap")))
        XCTAssertThrowsError(try JSONPath(parsing: "a[x]"))
        XCTAssertThrowsError(try JSONPath(parsing: ""))
        // Doubles survive a round trip bit for bit.
        let v = 0.1 + 0.2
        let back = try JSONValue.parse(try JSONEncoder().encode(JSONValue.double(v)))
        XCTAssertEqual(back.number?.bitPattern, v.bitPattern)
    }

    func testSharesPartitionTheTasks() throws {
        XCTAssertEqual(try SweepShard(parsing: "2/5"), SweepShard(index: 2, count: 5))
        for bad in ["5/5", "-1/2", "1", "a/b", "1/0"] { XCTAssertThrowsError(try SweepShard(parsing: bad), bad) }
        // Shards, and shards split among ranks, cover every task exactly once.
        for n in 1...4 {
            for ranks in 1...3 {
                var owners = [Int](repeating: 0, count: 50)
                for i in 0..<n {
                    for r in 0..<ranks {
                        let s = SweepShard(index: i, count: n).split(rank: r, of: ranks)
                        for t in 0..<50 where s.owns(t) {
                            owners[t] += 1
                            XCTAssertEqual(t % n, i)
                        }
                    }
                }
                XCTAssertEqual(owners, [Int](repeating: 1, count: 50), "n \(n), ranks \(ranks)")
            }
        }
    }

    func testSlurmVariables() throws {
        XCTAssertNil(try SweepShard.slurm([:]))
        XCTAssertEqual(try SweepShard.slurm(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"]),
                       SweepShard(index: 3, count: 4))
        XCTAssertEqual(try SweepShard.slurm(["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "1",
                                             "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "4"]),
                       SweepShard(index: 3, count: 4))
        XCTAssertThrowsError(try SweepShard.slurm(["SLURM_ARRAY_TASK_ID": "3"]))
        XCTAssertThrowsError(try SweepShard.slurm(["SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_COUNT": "4"]))
    }

    func device(_ index: Int, gpu: Bool) -> CLDeviceInfo {
        CLDeviceInfo(index: index, platformName: "p", platformVendor: "v", platformVersion: "1", name: "d\(index)", vendor: "v",
                     type: gpu ? "GPU" : "CPU", driverVersion: "1", deviceVersion: "1", openCLCVersion: "1.2", computeUnits: 1,
                     clockMHz: 1, globalMemory: 1, localMemory: 1, localMemoryIsEmulated: false, maxAllocation: 1,
                     maxWorkGroupSize: 1, maxWorkItemSizes: [1], fp64: true, fp16: false)
    }

    func testRanksOnAHostSpreadOverDevices() {
        let cpuOnly = [device(0, gpu: false)]
        let mixed = [device(0, gpu: false), device(1, gpu: true), device(2, gpu: true)]
        // Default: the host's GPUs, local rank modulo their number; none → each task's default (the CPU).
        XCTAssertEqual((0..<4).map { SweepDevice.choose(requested: nil, localRank: $0) { mixed } },
                       ["opencl:1", "opencl:2", "opencl:1", "opencl:2"])
        XCTAssertNil(SweepDevice.choose(requested: nil, localRank: 1) { cpuOnly })
        // "opencl": every OpenCL device; cpu and an explicit device stay as given, without asking.
        XCTAssertEqual((0..<3).map { SweepDevice.choose(requested: "opencl", localRank: $0) { mixed } },
                       ["opencl:0", "opencl:1", "opencl:2"])
        XCTAssertEqual(SweepDevice.choose(requested: "cpu", localRank: 1) { XCTFail("no discovery for cpu"); return [] }, "cpu")
        XCTAssertEqual(SweepDevice.choose(requested: "opencl:2", localRank: 1) { [] }, "opencl:2")
    }

    /// The table from result files: metric, mean and spread per point, CSV; and the stored
    /// results of other ranks land in a folder that lacks them.
    func testTableFromResults() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-sweeptests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = #"{"command": "ridge", "grid": {"sigma2": [0.5, 1]}, "seeds": 2, "metric": {"path": "r[0]", "label": "risk"}, "columns": ["k"]}"#
        let spec = try spec(text)
        let plan = SweepPlan(spec)
        let d = SweepDirectory(dir, taskCount: plan.tasks.count)
        try d.prepare(specData: Data(text.utf8), spec: spec)
        let values = [1.0, 3.0, 0.1, -0.25]
        let reports = [SweepMPI.RankReport(rank: 1, host: "h", report: nil, error: nil, results: Dictionary(
            uniqueKeysWithValues: values.enumerated().map { ($0.offset, #"{"r": [\#($0.element)], "k": \#($0.offset)}"#) }))]
        XCTAssertEqual(try SweepMPI.store(reports, in: d), 4)
        XCTAssertEqual(try SweepMPI.store(reports, in: d), 0, "identical results are not rewritten")
        let (table, files) = try SweepMerge.merge(directory: dir)
        XCTAssertEqual(table.rows.map(\.metric), values)
        XCTAssertEqual(table.points.map(\.mean), [2.0, -0.075])
        XCTAssertEqual(table.points[0].std!, 2.0.squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(table.rows[3].columns["k"], 3)
        let csv = try String(contentsOfFile: files.csv, encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").first, "index,point,replicate,seed,sigma2,r[0],k")
        XCTAssertTrue(csv.contains(",0.5,1.0,0.0\n"), csv)
        let svg = try String(contentsOfFile: try XCTUnwrap(files.svg), encoding: .utf8)
        XCTAssertTrue(svg.contains("<polygon") && svg.contains("mean ± s.d."), "a band of mean ± s.d.")
        // A missing result: an error unless partial.
        unlink(d.result(2).path)
        XCTAssertThrowsError(try SweepMerge.merge(directory: dir))
        XCTAssertEqual(try SweepMerge.merge(directory: dir, partial: true).0.missing, [2])
        // A damaged result is named as such, not as one that has not run yet.
        try Data("{\"r\": [1".utf8).write(to: d.result(1))
        XCTAssertThrowsError(try SweepMerge.merge(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("1 of 4 results are not readable JSON (first: \(d.result(1).path))"), "\(error)")
        }
        XCTAssertEqual(try SweepMerge.merge(directory: dir, partial: true).0.corrupt, [1])
    }

    func testHeatMapHasACellPerPointAndAColourBar() {
        var p = SVGPlot(title: "t", x: .init(label: "g"), y: .init(label: "α"))
        p.heatMap(x: [1, 2, 3], y: [0, 10], values: [[0, 1, 2], [3, .nan, 5]], name: "λ1")
        let svg = p.render()
        XCTAssertEqual(svg.components(separatedBy: "stroke-width=\"0.5\"").count, 2, "one group of cells")
        XCTAssertTrue(svg.contains("fill=\"#dddddd\""), "a missing value is grey")
        XCTAssertTrue(svg.contains("fill=\"#440154\"") && svg.contains("fill=\"#fde725\""), "viridis from min to max")
        XCTAssertTrue(svg.contains(">λ1</text>"), "the colour bar is labelled")
        XCTAssertEqual(SVGPlot.cellEdges([1, 2, 4]), [0.5, 1.5, 3, 5])
    }
}
