import Foundation

/// SIGINT/SIGTERM ask a long run to save a checkpoint and stop between two steps.
enum StopSignal {
    nonisolated(unsafe) static var received: Int32 = 0

    static func install() {
        signal(SIGINT) { StopSignal.received = $0 }
        signal(SIGTERM) { StopSignal.received = $0 }
    }

    static var requested: Bool { received != 0 }
}
