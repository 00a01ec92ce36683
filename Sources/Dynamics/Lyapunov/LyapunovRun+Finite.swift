import Compute

/// Stopping on numbers that are no longer finite (docs/lyapunov.md L14): rather than print
/// finite-looking exponents from a run whose state or tangent block overflowed, the run stops
/// with the step, the phase and the quantity.
extension LyapunovRun {
    /// The state is checked where it is on the host anyway (every accumulated step with the
    /// covariance), else by Σx on the device (non-finite iff an entry is, short of |x| ~ 10³⁰⁸) at
    /// each QR, progress line and phase end, and every step on the CPU engine.
    /// Models whose Jacobian does not depend on the state are not checked.
    func checkState(_ values: [M.T]?, _ phaseName: String) throws {
        guard model.jacobianDependsOnState else {
            finiteAt = t
            return
        }
        let finite: Bool
        if let values { finite = values.allSatisfy { $0.double.isFinite } } else {
            finite = try phase("transfers") { try model.backend.sum(states) }.isFinite
        }
        guard finite else {
            let when = finiteAt == t - 1 ? "at step \(t)" : "between steps \(finiteAt) and \(t)"
            throw ComputeError.invalidArgument(
                "lyapunov: the state became non-finite \(when) of the \(phaseName) (|x| overflowed); no exponents")
        }
        finiteAt = t
    }

    /// The reorthonormalisation of every member, stopping where a tangent block is no longer
    /// finite (ln R_ii NaN or ±∞, or LAPACK refusing NaN/Inf entries).
    func qr(_ phaseName: String, flops: Double) throws -> [[Double]] {
        let logs: [[Double]]
        do { logs = try phase("qr", flops: flops) { try orthonormalize() } } catch {
            throw ComputeError.invalidArgument(
                "lyapunov: the tangent block became non-finite at step \(t) of the \(phaseName) (\(error)); no exponents")
        }
        for (m, member) in logs.enumerated() {
            if let i = member.firstIndex(where: { !$0.isFinite }) {
                throw ComputeError.invalidArgument(
                    "lyapunov: the tangent block of member \(m) became non-finite at step \(t) of the \(phaseName) (ln R_\(i + 1)\(i + 1) = \(member[i]): M Q overflowed or lost rank); no exponents")
            }
        }
        return logs
    }
}
