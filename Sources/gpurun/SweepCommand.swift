import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Parameter sweeps of lyapunov, spectrum, ridge or train: plan, run (sharded, Slurm arrays, MPI), merge.",
        discussion: """
            A sweep file (JSON; README, "Parameter sweeps") gives the command, fixed options, a grid of lists and the \
            number of seeds. Task i runs `gpurun COMMAND ... --seed S_i --json` as a child process, S_i derived from \
            (seed, i) by Philox; its output lands atomically in DIR/results, and a rerun skips finished tasks.
            """,
        subcommands: [SweepPlanCommand.self, SweepRunCommand.self, SweepMergeCommand.self])
}

struct SweepPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Print the tasks of a sweep file.")

    @Argument(help: "The sweep file (JSON).") var file: String
    @Flag(help: "Print JSON on stdout.") var json = false

    struct Report: Encodable {
        var command: String
        var axes: [String]
        var points: Int
        var seeds: Int
        var seed: UInt64
        var device: String?
        var tasks: [SweepPlan.Task]
    }

    func run() throws {
        let plan = SweepPlan(try sweepSpec(file))
        let spec = plan.spec
        if json {
            return try Output.json(Report(command: spec.command, axes: plan.axisNames, points: plan.pointCount, seeds: spec.seeds,
                                          seed: spec.seed, device: spec.options["device"]?.text, tasks: plan.tasks))
        }
        Output.note("\(spec.command) sweep: \(plan.tasks.count) tasks (\(plan.pointCount) grid points × \(spec.seeds) seeds), "
            + "base seed \(spec.seed)" + (spec.options["device"].map { ", device \($0.text)" } ?? ""))
        Output.table(["task", "point", "replicate", "seed"] + plan.axisNames + ["command"], plan.tasks.map { t in
            [String(t.index), String(t.point), String(t.replicate), String(t.seed)] + t.values.map(\.text)
                + [t.commandLine(adding: spec.options["device"].map { ["--device", $0.text] } ?? [])]
        })
    }
}

struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a sweep's tasks (or one share of them) into an output folder.",
        discussion: """
            --shard i/n runs the tasks whose index is i modulo n (0 ≤ i < n); in a Slurm job array it defaults to \
            (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_COUNT. Finished tasks are skipped. \
            A run of the whole sweep merges at the end; after shards, run `gpurun sweep merge DIR`. \
            With --mpi (under mpirun) the ranks split the share, ranks on one host take different OpenCL \
            devices, and rank 0 gathers every result through MPI and writes the merged table. libmpi is loaded \
            only then (Open MPI; GPURUN_MPI_LIBRARY overrides the library path).
            """)

    @Argument(help: "The sweep file (JSON).") var file: String
    @Option(help: "Output folder (results, logs, kernel caches, merged table).") var out: String
    @Option(help: "Run share i/n of the tasks (default: from SLURM_ARRAY_TASK_ID/COUNT, else all).", transform: SweepShard.parse)
    var shard: SweepShard?
    @Flag(help: "Run as one rank of an MPI job (Open MPI, loaded at run time).") var mpi = false
    @Option(help: "Device of the tasks: cpu, opencl (ranks on a host spread over the devices) or opencl:N (default: the sweep file's, else $GPURUN_DEVICE, else the first OpenCL GPUs, else cpu).",
            transform: SweepDeviceOption.parse)
    var device: SweepDeviceOption?
    @Flag(help: "Print JSON on stdout.") var json = false

    struct Report: Encodable {
        var runs: [SweepRunner.Report]
        var errors: [String]
        var merged: SweepMerge.Files?
        var missing: [Int]?
    }

    func run() throws {
        let explicitShard = shard
        let exe = try wrap { try SweepRunner.currentExecutable() }
        StopSignal.install()
        if mpi { return try runMPI(shard: explicitShard, executable: exe) }
        let worker = try wrap {
            try SweepWorker(sweepFile: URL(fileURLWithPath: file), out: URL(fileURLWithPath: out), shard: explicitShard,
                            device: device?.text, executable: exe)
        }
        let share = worker.runner.share.count
        Output.note("sweep: \(worker.plan.tasks.count) tasks, share \(worker.runner.shard) = \(share) tasks, "
            + "device \(worker.runner.device ?? "default"), into \(out)")
        let report = try worker.runner.run(shouldStop: { StopSignal.requested }, progress: Self.progress(prefix: ""))
        var result = Report(runs: [report], errors: report.failed.map(\.message), merged: nil)
        if worker.isWholeSweep, report.failed.isEmpty, !report.stopped {
            result.merged = try wrap { try SweepMerge.merge(directory: worker.directory.url).1 }
        }
        try finish(result, stopped: report.stopped)
    }

    /// Every rank runs its share, then all meet in MPI_Gatherv (also after an error, so that
    /// none waits forever); rank 0 stores the results, merges, and broadcasts the exit status.
    func runMPI(shard: SweepShard?, executable: URL) throws {
        let mpi: MPI
        do { mpi = try MPI() } catch { throw ValidationError("\(error)") }
        defer { mpi.finalize() }
        let prefix = "[rank \(mpi.rank)/\(mpi.size)] "
        var report: SweepRunner.Report?
        var failure: String?
        var worker: SweepWorker?
        do {
            let w = try SweepWorker(sweepFile: URL(fileURLWithPath: file), out: URL(fileURLWithPath: out), shard: shard,
                                    rank: mpi.rank, size: mpi.size, localRank: mpi.localRank, device: device?.text, executable: executable)
            worker = w
            Output.note(prefix + "\(w.runner.share.count) of \(w.plan.tasks.count) tasks (share \(w.runner.shard), local rank "
                + "\(mpi.localRank)), device \(w.runner.device ?? "default"), \(mpi.library)")
            report = try w.runner.run(shouldStop: { StopSignal.requested }, progress: Self.progress(prefix: prefix))
        } catch { failure = "rank \(mpi.rank): \(error)" }
        let reports = try wrap {
            try SweepMPI.gather(mpi: mpi, report: report, error: failure, share: worker?.runner.share.map(\.index) ?? [],
                                directory: worker?.directory)
        }
        var status: Int32 = 0
        if let reports {
            let runs = reports.compactMap(\.report)
            var result = Report(runs: runs, errors: reports.compactMap(\.error) + runs.flatMap { $0.failed.map(\.message) },
                                merged: nil)
            if let w = worker {
                do {
                    let n = try SweepMPI.store(reports, in: w.directory)
                    Output.note(prefix + "gathered \(reports.reduce(0) { $0 + $1.results.count }) results from \(reports.count) "
                        + "ranks (\(n) new here)")
                    if result.errors.isEmpty, w.isWholeSweep, !reports.contains(where: { $0.report?.stopped ?? true }) {
                        result.merged = try SweepMerge.merge(directory: w.directory.url).1
                    }
                } catch { result.errors.append("rank 0: \(error)") }
            }
            status = result.errors.isEmpty ? 0 : 1
            do { try finish(result, stopped: false) } catch { status = 1 }
        }
        status = try wrap { try mpi.broadcast(status) }
        if status != 0 { throw ExitCode(status) }
    }

    func finish(_ r: Report, stopped: Bool) throws {
        if json { try Output.json(r) } else {
            for run in r.runs {
                print("share \(run.shard) on \(run.host): ran \(run.ran.count), skipped \(run.skipped.count) finished, "
                    + "failed \(run.failed.count)" + (run.stopped ? ", stopped (\(run.notRun.count) not run)" : ""))
            }
            if let m = r.merged { print("merged: \(m.json)\n        \(m.csv)" + (m.svg.map { "\n        \($0)" } ?? "")) }
            else if r.errors.isEmpty, !stopped { print("when every share is done: gpurun sweep merge \(out)") }
        }
        for e in r.errors { Output.note("sweep: " + e) }
        if stopped { throw ExitCode(StopSignal.received == SIGINT ? 130 : 143) }
        if !r.errors.isEmpty { throw ExitCode(1) }
    }

    static func progress(prefix: String) -> (SweepRunner.Progress) -> Void {
        { p in
            Output.note(prefix + String(format: "task %d (%d/%d) %@ in %.2f s", p.task.index, p.done, p.total,
                                        p.failed ? "FAILED" : "done", p.seconds))
        }
    }
}

struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Gather a sweep's results into merged.json, merged.csv and merged.svg.",
        discussion: """
            The table has one row per task (index, grid values, seed, metric, columns) and per grid point the mean, \
            standard deviation, min and max of the metric over the seeds. The plot: the metric over the grid's first \
            axis (each seed, mean ± s.d.), or a heat map over its first two axes.
            """)

    @Argument(help: "The --out folder of `gpurun sweep run`.") var dir: String
    @Option(help: "Metric: a JSON path into each result (exponents.0, theory.lambda1Gap, points[1].ridge.mean); default: the sweep file's.")
    var metric: String?
    @Option(help: "Label of the metric in the plot.") var label: String?
    @Flag(help: "Merge even when some tasks have no result yet.") var partial = false
    @Flag(help: "Print the merged table as JSON on stdout.") var json = false

    func run() throws {
        let chosen: SweepSpec.Metric? = try metric.map { p in
            try wrap { SweepSpec.Metric(path: try JSONPath(parsing: p), label: self.label) }
        }
        let (table, files) = try wrap {
            try SweepMerge.merge(directory: URL(fileURLWithPath: self.dir), metric: chosen, partial: self.partial)
        }
        if let first = table.unreadable.first {
            Output.note("sweep merge: \(table.unreadable.count) results have no number at \(table.metric ?? "") (first: task \(first))")
        }
        if !table.missing.isEmpty { Output.note("sweep merge: \(table.missing.count) of \(table.tasks) tasks missing") }
        if let bad = table.corrupt.first {
            Output.note("sweep merge: \(table.corrupt.count) of them have a result that is not readable JSON (first: task \(bad))")
        }
        if json { return try Output.json(table) }
        let name = table.metricLabel ?? "metric"
        let header: [String] = ["point"] + table.axes.map(\.name) + ["n", "\(name) mean", "s.d.", "min", "max"]
        let rows: [[String]] = table.points.map { p in
            let grid: [String] = table.axes.map { p.values[$0.name]?.text ?? "" }
            let stats: [String] = [p.mean, p.std, p.min, p.max].map { v in v.map { String(format: "%.6g", $0) } ?? "-" }
            return [String(p.point)] + grid + [String(p.count)] + stats
        }
        Output.table(header, rows)
        print("wrote \(files.json)\n      \(files.csv)" + (files.svg.map { "\n      \($0)" } ?? ""))
    }
}

/// The sweep file, or a ValidationError that says what is wrong with it.
func sweepSpec(_ path: String) throws -> SweepSpec {
    try wrap { try SweepSpec.load(URL(fileURLWithPath: path)) }
}

/// `sweep run --device`: a device as `DeviceSpec` reads it, except that a bare `opencl` (or `gpu`)
/// stays unnumbered, so that the workers on a host spread over its devices (`SweepDevice.choose`).
struct SweepDeviceOption: ParsedArgument {
    /// What the worker is given: "cpu", "opencl" or "opencl:N".
    let text: String

    init(parsingArgument argument: String) throws {
        let t = argument.trimmingCharacters(in: .whitespaces).lowercased()
        text = t == "opencl" || t == "gpu" ? "opencl" : try DeviceSpec(parsing: t).description
    }
}
