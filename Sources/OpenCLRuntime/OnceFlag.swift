import Foundation

/// Runs a closure at most once per process (thread-safe): notes that must not repeat.
package final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    package init() {}

    package func once(_ body: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        body()
    }
}

/// One line on stderr: the tool's notes ("gpurun: ..."), never its results.
package func writeStderrLine(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}
