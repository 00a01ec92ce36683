import Compute

/// The block sums of `--block-steps M` (docs/lyapunov.md L13) over the accumulation phase: each
/// reorthonormalisation's ln R_ii are added to the open block, which closes at every multiple of
/// M accumulated steps (M is a multiple of the reorthonormalisation interval, so blocks hold
/// whole QR intervals). Checkpoints keep the closed blocks and the open one.
package final class BlockLog {
    let blockSteps: Int
    /// [block][member][column] summed ln R_ii.
    package private(set) var blocks: [[[Double]]] = []
    private(set) var open: [[Double]]

    init(blockSteps: Int, members: Int, k: Int) {
        self.blockSteps = blockSteps
        open = Array(repeating: Array(repeating: 0, count: k), count: members)
    }

    /// Checks M against the run before any work: positive, a multiple of `reorth`, ≤ the steps.
    static func validate(_ m: Int, config: LyapunovConfig) throws {
        guard m > 0, m % config.reorth == 0, m <= config.steps else {
            throw ComputeError.invalidArgument(
                "lyapunov: --block-steps \(m) must be positive, a multiple of --reorth \(config.reorth) and at most --steps \(config.steps)")
        }
    }

    /// Adds one reorthonormalisation's ln R_ii ([member][column]) at accumulated step `t`.
    func add(_ logs: [[Double]], at t: Int) {
        for m in open.indices { for i in open[m].indices { open[m][i] += logs[m][i] } }
        if t % blockSteps == 0 {
            blocks.append(open)
            open = open.map { $0.map { _ in 0 } }
        }
    }

    func restore(blocks saved: [[[Double]]], open partial: [[Double]]) throws {
        let shape = { (b: [[Double]]) in b.count == self.open.count && b.allSatisfy { $0.count == self.open[0].count } }
        guard shape(partial), saved.allSatisfy(shape) else {
            throw ComputeError.invalidArgument("the checkpoint's block log does not fit this run")
        }
        blocks = saved
        open = partial
    }
}
