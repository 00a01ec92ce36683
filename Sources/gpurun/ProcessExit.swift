import ArgumentParser
import Foundation

extension GPURun {
    /// Parses and runs the command as swift-argument-parser's `main()` does, then ends the
    /// process with `_exit` after flushing stdout and stderr. `exit` would also run the C++
    /// static destructors of the libraries, and CLBlast's release the programs it cached
    /// after the OpenCL implementation may have torn itself down: under Oclgrind 21.10 that
    /// aborted every process that had called CLBlast ("malloc(): unsorted double linked list
    /// corrupted" inside clReleaseProgram). Nothing of ours needs work at exit: files are
    /// written and closed before a command returns.
    static func main() {
        let code: Int32
        do {
            var command = try parseAsRoot()
            try command.run()
            code = 0
        } catch {
            code = exitCode(for: error).rawValue
            let message = fullMessage(for: error)
            if !message.isEmpty {
                // Help and version requests (exit code 0) go to stdout, errors to stderr.
                if code == 0 { print(message) } else { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            }
        }
        fflush(nil)  // every C stream, stdout included
        _exit(code)
    }
}
