import Foundation
import XCTest

/// Runs the built `gpurun` binary as a user would, and reads what it printed.
struct GPURunProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Ended by a signal (`status` is then the signal's number).
        var signalled = false
        /// Killed after the timeout of `run`.
        var timedOut = false

        func json() throws -> [String: Any] {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], stdout + stderr)
        }
    }

    /// The gpurun next to this test bundle (same build folder).
    static var binary: URL {
        get throws {
            var dir = Bundle.main.bundleURL
            for _ in 0..<4 {
                let candidate = dir.appendingPathComponent("gpurun")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                dir.deleteLastPathComponent()
            }
            let candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("gpurun")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            throw XCTSkip("gpurun binary not found near \(Bundle.main.bundleURL.path); run `swift build` first")
        }
    }

    /// Starts gpurun; `environment` adds to (and GPURUN_DEVICE is removed from) ours.
    static func start(_ args: [String], binary: URL? = nil, env: [String: String] = [:], cwd: URL? = nil) throws
        -> (Process, Pipe, Pipe)
    {
        let p = Process()
        p.executableURL = try binary ?? Self.binary
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "GPURUN_DEVICE")
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return (p, out, err)
    }

    /// Runs gpurun to its end; with `timeout`, a run still going after that many seconds is
    /// killed (SIGKILL) and reported as timed out.
    static func run(_ args: [String], binary: URL? = nil, env: [String: String] = [:], cwd: URL? = nil,
                    timeout: Double? = nil) throws -> Result {
        let (p, out, err) = try start(args, binary: binary, env: env, cwd: cwd)
        let killer = Killer()
        if let timeout {
            let pid = p.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if killer.armed { killer.fired = true; kill(pid, SIGKILL) }
            }
        }
        // Read stderr on another thread so neither pipe can fill and block the child.
        let box = ErrBox()
        let reader = Thread { box.data = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.armed = false
        while !box.done { usleep(1000) }
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: box.data ?? Data(), as: UTF8.self),
                      signalled: p.terminationReason == .uncaughtSignal, timedOut: killer.fired)
    }

    /// Whether the timeout may still kill the child, and whether it did.
    private final class Killer: @unchecked Sendable {
        private let lock = NSLock()
        private var _armed = true, _fired = false
        var armed: Bool {
            get { lock.lock(); defer { lock.unlock() }; return _armed }
            set { lock.lock(); _armed = newValue; lock.unlock() }
        }
        var fired: Bool {
            get { lock.lock(); defer { lock.unlock() }; return _fired }
            set { lock.lock(); _fired = newValue; lock.unlock() }
        }
    }

    private final class ErrBox: @unchecked Sendable {
        private let lock = NSLock()
        private var _data: Data?
        var data: Data? {
            get { lock.lock(); defer { lock.unlock() }; return _data }
            set { lock.lock(); _data = newValue; lock.unlock() }
        }
        var done: Bool { data != nil }
    }
}
