import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// Runs a reference benchmark script (bench/*.py) with the user's Python and returns what it
/// printed on stdout, or a sentence saying why it could not (no script, no interpreter, a
/// failure with the last lines of its stderr).
public enum ReferenceScript {
    public static func run(python: String, script: String, arguments: [String]) -> Result<Data, ReferenceError> {
        guard FileManager.default.fileExists(atPath: script) else { return .failure(ReferenceError("no script at \(script)")) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, script] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return .failure(ReferenceError("cannot run \(python): \(error)")) }
        // Drain stderr on another thread so neither pipe can fill and block the script.
        let errBox = DataBox()
        let reader = Thread { errBox.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let stderr = errBox.wait()
        guard p.terminationStatus == 0 else {
            // The scripts print {"error": "..."} on stdout when a library is missing.
            if let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let why = obj["error"] as? String {
                return .failure(ReferenceError("\(python) \(script): \(why)"))
            }
            let tail = String(decoding: stderr, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: " / ")
            return .failure(ReferenceError("\(python) \(script) failed (exit \(p.terminationStatus))" + (tail.isEmpty ? "" : ": \(tail)")))
        }
        return .success(data)
    }

    public struct ReferenceError: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ s: String) { description = s }
    }

    private final class DataBox: @unchecked Sendable {
        private let cond = NSCondition()
        private var data: Data?
        func set(_ d: Data) { cond.lock(); data = d; cond.signal(); cond.unlock() }
        func wait() -> Data {
            cond.lock()
            while data == nil { cond.wait() }
            defer { cond.unlock() }
            return data!
        }
    }
}
