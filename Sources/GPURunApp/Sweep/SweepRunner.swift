import Compute
import OpenCLRuntime
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// Runs a worker's share of a sweep: each task is the gpurun executable run as a child process
/// with the task's arguments (plus `--device` when one is chosen), its stdout written to a
/// temporary file and renamed into `results/` once the task has exited 0 and printed one JSON
/// document. A task whose result exists is skipped, so a killed worker is rerun safely.
public struct SweepRunner {
    public struct Failure: Codable, Equatable, Sendable {
        public var index: Int
        public var status: Int32
        public var message: String
    }

    public struct Report: Codable, Equatable, Sendable {
        public var shard: SweepShard
        public var host: String
        public var device: String?
        /// Tasks of the share, run now / finished before / failed.
        public var ran: [Int] = []
        public var skipped: [Int] = []
        public var failed: [Failure] = []
        /// True when a stop was requested before the share was done.
        public var stopped = false
        /// Tasks of the share not run because of the stop.
        public var notRun: [Int] = []
    }

    public struct Progress: Sendable {
        public var task: SweepPlan.Task
        public var done: Int
        public var total: Int
        public var seconds: Double
        public var failed: Bool
    }

    public let plan: SweepPlan
    public let directory: SweepDirectory
    public let executable: URL
    public let shard: SweepShard
    public let device: String?
    public let host: String
    public var environment: [String: String]

    public init(plan: SweepPlan, directory: SweepDirectory, executable: URL, shard: SweepShard, device: String?,
                host: String = ProcessInfo.processInfo.hostName,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        (self.plan, self.directory, self.executable, self.shard, self.device) = (plan, directory, executable, shard, device)
        self.host = host
        self.environment = environment
    }

    /// The worker's share, in task order.
    public var share: [SweepPlan.Task] { plan.tasks.filter { shard.owns($0.index) } }

    /// The arguments task `t` runs with.
    public func arguments(_ t: SweepPlan.Task) -> [String] {
        t.arguments + (device.map { ["--device", $0] } ?? [])
    }

    /// The child's environment: ours, with this worker's own kernel caches.
    public func childEnvironment() throws -> [String: String] {
        let caches = directory.caches(host: host, worker: shard.label)
        try SweepDirectory.makeFolder(caches.pocl)
        try SweepDirectory.makeFolder(caches.gpurun)
        var env = environment
        env["POCL_CACHE_DIR"] = caches.pocl.path
        env["GPURUN_KERNEL_CACHE"] = caches.gpurun.path
        return env
    }

    /// Runs the share. `shouldStop` is polled while a task runs: when it turns true the task
    /// gets SIGTERM and no further task starts.
    public func run(shouldStop: @escaping () -> Bool = { false }, progress: (Progress) -> Void = { _ in }) throws -> Report {
        var report = Report(shard: shard, host: host, device: device)
        let env = try childEnvironment()
        let tasks = share
        for (k, task) in tasks.enumerated() {
            if directory.finished(task.index) != nil {
                report.skipped.append(task.index)
                continue
            }
            if shouldStop() {
                report.stopped = true
                report.notRun = tasks[k...].map(\.index).filter { directory.finished($0) == nil }
                break
            }
            let start = Date()
            let outcome = try runTask(task, environment: env, shouldStop: shouldStop)
            let seconds = Date().timeIntervalSince(start)
            switch outcome {
            case .success:
                report.ran.append(task.index)
                directory.appendRunLog(String(format: "task %d done by %@ on %@ (pid %d) in %.3f s", task.index, shard.label,
                                              host, getpid(), seconds))
            case .failure(let f):
                report.failed.append(f)
                if shouldStop() { report.stopped = true }
            }
            progress(Progress(task: task, done: k + 1, total: tasks.count, seconds: seconds, failed: !outcome.ok))
        }
        return report
    }

    enum Outcome {
        case success
        case failure(Failure)
        var ok: Bool { if case .success = self { true } else { false } }
    }

    func runTask(_ task: SweepPlan.Task, environment env: [String: String], shouldStop: () -> Bool) throws -> Outcome {
        let out = SweepDirectory.temporary(in: directory.tmp, for: directory.name(task.index) + ".json")
        let log = directory.log(task.index)
        guard FileManager.default.createFile(atPath: out.path, contents: nil),
              FileManager.default.createFile(atPath: log.path, contents: nil),
              let outHandle = FileHandle(forWritingAtPath: out.path), let logHandle = FileHandle(forWritingAtPath: log.path)
        else { throw ComputeError.io(path: out.path, reason: "cannot create the task's output files") }
        defer { try? outHandle.close(); try? logHandle.close() }
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments(task)
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = outHandle
        p.standardError = logHandle
        do { try p.run() } catch {
            unlink(out.path)
            throw ComputeError.io(path: executable.path, reason: "cannot start a task (\(fileErrorReason(error)))")
        }
        var signalled = false
        while p.isRunning {
            if !signalled, shouldStop() {
                p.terminate()
                signalled = true
            }
            usleep(10_000)
        }
        p.waitUntilExit()
        try? outHandle.synchronize()
        func fail(_ why: String) -> Outcome {
            unlink(out.path)
            return .failure(Failure(index: task.index, status: p.terminationStatus, message: why))
        }
        guard p.terminationReason == .exit, p.terminationStatus == 0 else {
            let how = p.terminationReason == .exit ? "exited with status \(p.terminationStatus)" : "was killed by signal \(p.terminationStatus)"
            return fail("task \(task.index) \(how): \(Self.lastLine(of: log)) (log: \(log.path))")
        }
        guard let data = try? Data(contentsOf: out), case .object? = try? JSONValue.parse(data) else {
            return fail("task \(task.index) did not print one JSON object on stdout (log: \(log.path))")
        }
        try SweepDirectory.rename(out, to: directory.result(task.index))
        return .success
    }

    static func lastLine(of url: URL) -> String {
        guard let data = try? Data(contentsOf: url) else { return "no log" }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map { String($0).trimmingWhitespace() }
        return lines.last(where: { !$0.isEmpty }) ?? "no message"
    }

    /// The path of the running executable (Linux: /proc/self/exe).
    public static func currentExecutable() throws -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
           FileManager.default.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        if let path = Bundle.main.executablePath, FileManager.default.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        throw ComputeError.io(path: CommandLine.arguments.first ?? "gpurun", reason: "cannot find the running gpurun executable")
    }
}
