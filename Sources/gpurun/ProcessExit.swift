import ArgumentParser
import Foundation

extension GPURun {
    /// Parses (after ArgumentNormalization: negative values joined to their option, NaN and
    /// infinity refused) and runs the command as swift-argument-parser's `main()` does, then ends the
    /// process with `_exit` after flushing stdout and stderr. `exit` would also run the C++
    /// static destructors of the libraries, and CLBlast's release the programs it cached
    /// after the OpenCL implementation may have torn itself down: under Oclgrind 21.10 that
    /// aborted every process that had called CLBlast ("malloc(): unsorted double linked list
    /// corrupted" inside clReleaseProgram). Nothing of ours needs work at exit: files are
    /// written and closed before a command returns.
    static func main() {
        let code: Int32
        do {
            let args = ArgumentNormalization.joiningNegativeValues(Array(CommandLine.arguments.dropFirst()))
            if let bad = ArgumentNormalization.nonFiniteValue(in: args) {
                throw ValidationError("\(bad.option) must be finite, got \(bad.value)")
            }
            var command = try parseAsRoot(args)
            try command.run()
            code = 0
        } catch {
            code = exitCode(for: error).rawValue
            let message = fullMessage(for: error)
            if !message.isEmpty {
                // Help and version requests (exit code 0) go to stdout, errors to stderr.
                if code == 0 { print(message) } else { FileHandle.standardError.write(Data((compact(message) + "\n").utf8)) }
            }
        }
        fflush(nil)  // every C stream, stdout included
        _exit(code)
    }

    /// An error as the parser words it, without its usage block: the error's own lines, the
    /// "see --help" hint appended to the first ("Error: … (see 'gpurun lyapunov --help')").
    static func compact(_ message: String) -> String {
        var lines = message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var hint: String?
        if let usage = lines.firstIndex(where: { $0.hasPrefix("Usage:") }) {
            let tail = lines[usage...]
            if let see = tail.first(where: { $0.contains("See '") }), let quote = see.range(of: "See '") {
                hint = "see '" + see[quote.upperBound...].replacingOccurrences(of: "' for more information.", with: "'")
            }
            lines.removeSubrange(usage...)
        }
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        if let hint, !lines.isEmpty { lines[0] += " (\(hint))" }
        return lines.joined(separator: "\n")
    }
}
