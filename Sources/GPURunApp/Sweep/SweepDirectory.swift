import Compute
import OpenCLRuntime
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// The output folder of a sweep:
///
///     DIR/sweep.json               the sweep file (a rerun or another shard must match it)
///     DIR/results/task-000042.json what task 42 printed (its --json), renamed into place when complete
///     DIR/logs/task-000042.log     its stderr (the last attempt)
///     DIR/logs/run.log             one line per finished task: index, worker, host, pid, seconds
///     DIR/tmp/                     results being written
///     DIR/cache/HOST/WORKER/       each worker's PoCL and gpurun kernel caches
///     DIR/merged.json, merged.csv, merged.svg   written by `sweep merge`
public struct SweepDirectory: Sendable {
    public let url: URL
    public let digits: Int

    public init(_ url: URL, taskCount: Int) {
        self.url = url
        digits = max(6, String(max(0, taskCount - 1)).count)
    }

    public var specFile: URL { url.appendingPathComponent("sweep.json") }
    public var results: URL { url.appendingPathComponent("results", isDirectory: true) }
    public var logs: URL { url.appendingPathComponent("logs", isDirectory: true) }
    public var runLog: URL { logs.appendingPathComponent("run.log") }
    public var tmp: URL { url.appendingPathComponent("tmp", isDirectory: true) }

    public func name(_ task: Int) -> String {
        let s = String(task)
        return "task-" + String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    public func result(_ task: Int) -> URL { results.appendingPathComponent(name(task) + ".json") }
    public func log(_ task: Int) -> URL { logs.appendingPathComponent(name(task) + ".log") }

    /// The kernel caches of one worker: separate folders per host and worker, since concurrent
    /// OpenCL processes sharing one cache have crashed (README, "Kernel caches").
    public func caches(host: String, worker: String) -> (pocl: URL, gpurun: URL) {
        let base = url.appendingPathComponent("cache", isDirectory: true).appendingPathComponent(Self.safe(host), isDirectory: true)
            .appendingPathComponent(worker, isDirectory: true)
        return (base.appendingPathComponent("pocl", isDirectory: true), base.appendingPathComponent("gpurun", isDirectory: true))
    }

    static func safe(_ s: String) -> String {
        let t = String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" ? $0 : "_" })
        return t.isEmpty ? "host" : t
    }

    /// Creates the folders and records the sweep file; a folder that holds another sweep is refused.
    public func prepare(specData: Data, spec: SweepSpec) throws {
        for d in [url, results, logs, tmp] { try Self.makeFolder(d) }
        if FileManager.default.fileExists(atPath: specFile.path) {
            let existing = try SweepSpec.parse(try Self.read(specFile), source: specFile.path)
            guard existing == spec else {
                throw ComputeError.invalidArgument("\(url.path) holds results of a different sweep (\(specFile.path)); "
                    + "use another --out folder or remove it")
            }
            return
        }
        try Self.writeAtomically(specData, to: specFile, tmp: tmp)
    }

    /// The sweep recorded in the folder.
    public func loadSpec() throws -> (SweepSpec, Data) {
        let data = try Self.read(specFile)
        return (try SweepSpec.parse(data, source: specFile.path), data)
    }

    /// Task `i`'s result when it is complete (a JSON document), else nil.
    public func finished(_ task: Int) -> Data? {
        guard let data = try? Data(contentsOf: result(task)), (try? JSONValue.parse(data)) != nil else { return nil }
        return data
    }

    public static func makeFolder(_ url: URL) throws { try createFolder(at: url) }

    static func read(_ url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw ComputeError.io(path: url.path, reason: "cannot read (\(fileErrorReason(error)))")
        }
    }

    /// A unique temporary name in `tmp` for this process.
    public static func temporary(in tmp: URL, for name: String) -> URL {
        tmp.appendingPathComponent("\(name).\(safe(ProcessInfo.processInfo.hostName)).\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
    }

    /// Writes `data` to a temporary file in `tmp` (same file system) and renames it over `url`:
    /// readers see the old file or the whole new one, never a part.
    public static func writeAtomically(_ data: Data, to url: URL, tmp: URL) throws {
        let t = temporary(in: tmp, for: url.lastPathComponent)
        do { try data.write(to: t) } catch {
            throw ComputeError.io(path: t.path, reason: "cannot write (\(fileErrorReason(error)))")
        }
        try rename(t, to: url)
    }

    /// rename(2): atomic, and replaces `to`.
    public static func rename(_ from: URL, to: URL) throws {
        guard Foundation.rename(from.path, to.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(from.path)
            throw ComputeError.io(path: to.path, reason: "cannot rename \(from.path) into place (\(reason))")
        }
    }

    /// Appends one line with a single write(2) on an O_APPEND descriptor, so lines from
    /// concurrent workers do not interleave.
    public func appendRunLog(_ line: String) {
        let fd = open(runLog.path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
