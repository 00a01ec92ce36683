import Compute
/// How the flows of docs/models.md (rate network M1, gated RNN M7) are stepped: `euler`, the
/// contract's default, x ← x + δ f(x) with tangent map M = I + δA; or `rk4`, the classical
/// fourth-order Runge–Kutta step whose tangent map is the exact derivative of that step
/// (FlowIntegration). The maps (linear, GRU, LSTM) have no integrator.
public enum Integrator: String, Codable, Sendable, CaseIterable {
    case euler
    case rk4

    /// The step's factor for the linear flow ẋ = a x, at z = δa (re, im): 1 + z for Euler,
    /// 1 + z + z²/2 + z³/6 + z⁴/24 for RK4. A flow Jacobian eigenvalue a at a fixed point becomes
    /// the step's eigenvalue m(δa), the exponent ln|m(δa)|/δ.
    public func amplification(re: Double, im: Double) -> (re: Double, im: Double) {
        switch self {
        case .euler: return (1 + re, im)
        case .rk4:
            // Horner: 1 + z(1 + z/2(1 + z/3(1 + z/4)))
            var (pr, pi) = (1.0, 0.0)
            for k in [4.0, 3, 2, 1] {
                let (zr, zi) = (re / k, im / k)
                (pr, pi) = (1 + zr * pr - zi * pi, zr * pi + zi * pr)
            }
            return (pr, pi)
        }
    }
}
