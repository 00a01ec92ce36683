import Compute

/// `gpurun lyapunov --profile` (issue 17 point 5; docs/lyapunov.md L12): per phase — "step" (the
/// state's step), "tangent" (the batched Jacobian products), "qr" (the reorthonormalisation, its
/// transfers included for Householder on a device), "transfers" (states, checkpoints and
/// results read back) — launches, time and GEMM GFLOP/s; the first call of each phase, which
/// builds programs and scratch, is "warm-up". Each measured call waits for the device before
/// and after it, so a profiled run is slower than a plain one.
public struct LyapunovProfile: Codable, Sendable {
    public var phases: [PhaseProfile.Phase]
    /// Launches of one step of the loop: the step's and the tangent product's per call, plus
    /// the QR's spread over the tangent steps (reorth > 1 takes it every few steps).
    public var launchesPerStep: Double

    init(_ p: PhaseProfile) {
        phases = p.phases
        let byName = Dictionary(uniqueKeysWithValues: p.phases.map { ($0.name, $0) })
        let tangentCalls = max(byName["tangent"]?.calls ?? 0, 1)
        launchesPerStep = (byName["step"]?.launchesPerCall ?? 0) + (byName["tangent"]?.launchesPerCall ?? 0)
            + Double(byName["qr"]?.launches ?? 0) / Double(tangentCalls)
    }

    /// Floating-point work of one reorthonormalisation of B blocks [S, k]: CholeskyQR2's four
    /// GEMMs per block (2 × (Gram + Q R⁻¹), 8·S·k²), or Householder's LQ factorisation and the
    /// forming of Q (4·S·k² − 4k³/3).
    package static func qrFlops(_ method: TangentQR.Method, members: Int, s: Int, k: Int) -> Double {
        let (sd, kd) = (Double(s), Double(k))
        let one = method == .cholesky2 ? 8 * sd * kd * kd : 4 * sd * kd * kd - 4 * kd * kd * kd / 3
        return Double(members) * one
    }
}
