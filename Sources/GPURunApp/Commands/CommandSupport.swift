import Compute
import OpenCLRuntime
import Foundation

/// An error in what a command was given (a value, a file), as opposed to one met while working:
/// the command line shows it as a usage error.
public struct InvalidInput: Error, CustomStringConvertible {
    public var underlying: any Error
    public init(_ underlying: any Error) { self.underlying = underlying }
    public var description: String { "\(underlying)" }

    /// Runs `body`, its errors as InvalidInput.
    public static func check<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as InvalidInput { throw e } catch { throw InvalidInput(error) }
    }

    /// Settings built by `build` and validated, their errors as InvalidInput.
    public static func validated<S: ValidatedSettings>(_ build: () throws -> S) throws -> S {
        try check {
            let s = try build()
            try s.validate()
            return s
        }
    }
}

/// Settings that check their own values before any work.
public protocol ValidatedSettings {
    func validate() throws
}

extension RidgeSettings: ValidatedSettings {}
extension RidgeInformationSettings: ValidatedSettings {}

/// Output folders and report files of the commands.
public enum ReportFiles {
    /// The output folder, created if missing; a path that cannot be one is an error saying why.
    public static func folder(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path, isDirectory: true)
        try InvalidInput.check { try createFolder(at: url) }
        return url
    }

    /// A report as pretty JSON in a file, written atomically.
    public static func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        do {
            try (ReportJSON.encode(value) + Data("\n".utf8)).write(to: url, options: .atomic)
        } catch { throw ComputeError.io(path: url.path, reason: "cannot write the report (\(fileErrorReason(error)))") }
    }

    /// Six significant digits, the numbers of the text reports.
    public static func short(_ v: Double) -> String { String(format: "%.6g", v) }
}

/// A result with the files written next to it, encoded as the result's own keys plus "files"
/// (left out when empty).
public struct WithFiles<R: Encodable>: Encodable {
    public var result: R
    public var files: [String: String]
    public init(_ result: R, files: [String: String]) { (self.result, self.files) = (result, files) }

    public func encode(to encoder: Encoder) throws {
        try result.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        if !files.isEmpty { try c.encode(files, forKey: .files) }
    }
    enum Key: String, CodingKey { case files }
}
