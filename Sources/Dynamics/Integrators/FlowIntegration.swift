import Compute
/// A flow of docs/models.md (rate network M1, gated RNN M7): dx/dt = f(x) with the flow Jacobian A(x),
/// evaluated with the backend's ops (GEMMs, diagonal scalings) on segment-major states.
protocol FlowModel: RecurrentModel {
    var integrator: Integrator { get }
    var ws: Workspace<T> { get }
    /// v = f(x) for every state of x ([segments, B, N]); row b uses network `network`, or its own
    /// network b when nil (B = networks > 1). `v` must not alias `x`.
    func velocity(_ x: Tensor<T>, network: Int?, into v: Tensor<T>) throws
    /// out_b = A(x_b) Q_b for every state of x at once, Q [B, stateSize, k]; `member` as in
    /// `tangentProducts` (nil: x is the batch, state b with network b; m: x is member m's state
    /// alone). `out` must not alias Q.
    func flowJacobianTimes(_ x: Tensor<T>, member: Int?, _ q: Tensor<T>, into out: Tensor<T>) throws
}

extension FlowModel {
    /// out = A(x_member) Q with network `network` (Q [stateSize, k]): the member's state alone.
    func flowJacobianTimes(_ x: Tensor<T>, member: Int, network: Int, _ q: Tensor<T>, into out: Tensor<T>) throws {
        try flowJacobianTimes(memberState(x, member), member: network, q, into: out)
    }
}

/// The classical fourth-order Runge–Kutta step and its exact tangent map.
///
/// Step: k1 = f(x), k2 = f(x + δ/2 k1), k3 = f(x + δ/2 k2), k4 = f(x + δ k3),
/// x ← x + δ/6 (k1 + 2k2 + 2k3 + k4).
/// Tangent (the derivative of that step, not an Euler Jacobian): with the stage states
/// x1 = x, x2 = x + δ/2 k1, x3 = x + δ/2 k2, x4 = x + δ k3,
/// d1 = A(x1) Q, d2 = A(x2)(Q + δ/2 d1), d3 = A(x3)(Q + δ/2 d2), d4 = A(x4)(Q + δ d3),
/// M Q = Q + δ/6 (d1 + 2d2 + 2d3 + d4): four Jacobian products per step.
enum FlowIntegration {
    static func rk4Step<M: FlowModel>(_ m: M, _ x: Tensor<M.T>) throws {
        let shape = x.shape
        let be = m.backend
        let k = try m.ws.get("rk4.k", shape), y = try m.ws.get("rk4.y", shape)
        let dt = m.timeStep
        // Each stage's slope goes into x at once, so one slope buffer suffices; y holds the
        // stage state, built from a copy of the state taken first.
        let x0 = try m.ws.get("rk4.x0", shape)
        try be.copy(x, into: x0)
        for (stage, (toState, weight)) in [(0.5, 1.0 / 6), (0.5, 1.0 / 3), (1.0, 1.0 / 3), (0.0, 1.0 / 6)].enumerated() {
            try m.velocity(stage == 0 ? x0 : y, network: nil, into: k)
            try be.axpby(M.T(dt * weight), k, 1, x)
            if stage < 3 {
                try be.copy(x0, into: y)
                try be.axpby(M.T(dt * toState), k, 1, y)
            }
        }
    }

    /// The tangent map of the RK4 step for every member at once (Q [B, stateSize, k]); `member`
    /// as in `tangentProducts`.
    static func rk4Tangent<M: FlowModel>(_ m: M, _ states: Tensor<M.T>, member: Int?, _ q: Tensor<M.T>,
                                         into out: Tensor<M.T>) throws {
        let be = m.backend
        let net: Int? = m.networks == 1 ? 0 : member
        let y = try m.ws.get("rk4t.y", states.shape), k = try m.ws.get("rk4t.k", states.shape)
        let p = try m.ws.get("rk4t.p", q.shape), d = try m.ws.get("rk4t.d", q.shape)
        let dt = m.timeStep
        try be.copy(q, into: out)
        // Stage i: d = A(x_i) P_i with P_1 = Q; then P_{i+1} = Q + c_{i+1} δ d, x_{i+1} = x + c_{i+1} δ k_i.
        for (stage, (next, weight)) in [(0.5, 1.0 / 6), (0.5, 1.0 / 3), (1.0, 1.0 / 3), (0.0, 1.0 / 6)].enumerated() {
            let xi = stage == 0 ? states : y
            try m.flowJacobianTimes(xi, member: member, stage == 0 ? q : p, into: d)
            try be.axpby(M.T(dt * weight), d, 1, out)
            if stage < 3 {
                try m.velocity(xi, network: net, into: k)
                try be.copy(states, into: y)
                try be.axpby(M.T(dt * next), k, 1, y)
                try be.copy(q, into: p)
                try be.axpby(M.T(dt * next), d, 1, p)
            }
        }
    }
}
