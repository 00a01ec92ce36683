import Compute
/// The rate network of docs/models.md (M1–M4): dh/dt = −h + J φ(h), φ = tanh, integrated with Euler
/// steps of size δ: h ← (1 − δ) h + δ J φ(h); δ = 1 is the map h_{n+1} = J φ(h_n).
/// Jacobian of one step: M = (1 − δ) I + δ J diag(φ'(h)), φ' = 1/cosh².
/// With `integrator` .rk4 the flow is stepped by RK4 and the tangent map is that step's exact
/// derivative, built from the flow Jacobian A = −I + J diag(φ'(h)) (FlowIntegration).
public final class RateNetwork<T: Scalar>: RecurrentModel, FlowModel, LaunchChainModel {
    public let backend: any Backend
    public let units: Int
    public let networks: Int
    public let dt: Double
    /// J of every network, [networks, N, N], J[i][j] the coupling from unit j to unit i.
    public let couplings: Tensor<T>
    /// Euler (default) or RK4; set it before stepping.
    public var integrator: Integrator
    let ws: Workspace<T>

    public var name: String { "rate" }
    public var segments: Int { 1 }
    public var timeStep: Double { dt }

    public init(backend: any Backend, couplings: [T], units n: Int, networks: Int = 1, dt: Double,
                integrator: Integrator = .euler) throws {
        guard n > 0 else { throw ComputeError.invalidArgument("rate network: N must be positive, got \(n)") }
        guard dt > 0, dt.isFinite else { throw ComputeError.invalidArgument("rate network: dt must be positive, got \(dt)") }
        guard couplings.count == networks * n * n else {
            throw ComputeError.shapeMismatch("rate network: \(couplings.count) couplings for \(networks) networks of \(n) units")
        }
        self.backend = backend
        self.units = n
        self.networks = networks
        self.dt = dt
        self.integrator = integrator
        self.couplings = try backend.tensor(couplings, shape: [networks, n, n])
        ws = Workspace(backend)
    }

    /// J_ij ~ N(0, g²/N) from Philox (seed, stream PhiloxStreams.weights(network: b)), J_ii = 0
    /// unless `zeroDiagonal` is false.
    public convenience init(backend: any Backend, units n: Int, g: Double, dt: Double, seed: UInt64,
                            networks: Int = 1, zeroDiagonal: Bool = true, integrator: Integrator = .euler) throws {
        guard n > 0 else { throw ComputeError.invalidArgument("rate network: N must be positive, got \(n)") }
        var j: [T] = []
        for b in 0..<networks {
            j += ModelWeights.gaussian(n: n, gain: g, seed: seed, stream: PhiloxStreams.weights(network: b),
                                       zeroDiagonal: zeroDiagonal)
        }
        try self.init(backend: backend, couplings: j, units: n, networks: networks, dt: dt, integrator: integrator)
    }

    /// Euler: φ then one GEMM (2 launches); RK4: the fused stages of FusedFlowSteps (8 launches).
    public func step(_ states: Tensor<T>) throws {
        try checkStates(states)
        if integrator == .rk4 { return try FusedFlowSteps.rateRK4(self, states) }
        try eulerStep(states)
    }

    /// The previous launch chain (RK4 through FlowIntegration), for `gpurun bench rnn`.
    package func chainStep(_ states: Tensor<T>) throws {
        try checkStates(states)
        if integrator == .rk4 { return try FlowIntegration.rk4Step(self, states) }
        try eulerStep(states)
    }

    func eulerStep(_ states: Tensor<T>) throws {
        let b = batchSize(states)
        let h = try states.reshaped([b, units])
        let p = try ws.get("phi", [b, units])
        try backend.apply(.tanh, h, into: p)
        // H ← δ φ(H) Jᵀ + (1 − δ) H
        try rowsTimesWeightsT(backend, p, couplings, networks: networks, nOut: units, nIn: units,
                              alpha: T(dt), beta: T(1 - dt), into: h)
    }

    /// Every member at once (docs/lyapunov.md L11): Euler M Q = δ J diag(φ') Q + (1 − δ) Q, RK4
    /// through FlowIntegration; 4 launches per Euler product whatever B (3 with δ = 1).
    public func tangentProducts(_ states: Tensor<T>, member: Int?, _ q: Tensor<T>, into out: Tensor<T>) throws {
        if integrator == .rk4 { return try FlowIntegration.rk4Tangent(self, states, member: member, q, into: out) }
        try couplingProducts(states, member: member, q, alpha: dt, beta: 1 - dt, into: out)
    }

    /// out = α J diag(φ'(h)) Q + β Q for every member (J of the member's network).
    func couplingProducts(_ states: Tensor<T>, member: Int?, _ q: Tensor<T>, alpha: Double, beta: Double,
                          into out: Tensor<T>) throws {
        let t = try TangentBatch(self, states, member: member, q)
        let d = try ws.get("dphi", [t.members, units])
        try backend.apply(.sech2, states.reshaped([t.members, units]), into: d)
        // One segment: row (b, i) of Q [B·N, k] is scaled by φ'(h_b)_i.
        let s = try ws.get("scaledQ", [t.members * units, t.k])
        try backend.scale(rows: true, d, q, cols: t.k, into: s)
        if beta != 0 { try backend.copy(q, into: out) }
        try t.product(couplings, networkStride: units * units, rows: units, t.blocks(s, rows: units), alpha: T(alpha),
                      beta: T(beta), into: t.blocks(out, rows: units))
    }

    // MARK: the flow (FlowModel)

    /// v = −h + J φ(h).
    func velocity(_ x: Tensor<T>, network: Int?, into v: Tensor<T>) throws {
        let b = batchSize(x)
        let (h, out) = (try x.reshaped([b, units]), try v.reshaped([b, units]))
        let p = try ws.get("flow.phi", [b, units])
        try backend.apply(.tanh, h, into: p)
        try backend.copy(h, into: out)
        if let net = network ?? (networks == 1 ? 0 : nil) {
            try rowsTimesWeightsT(backend, p, couplings, networks: 1, nOut: units, nIn: units, alpha: 1, beta: -1,
                                  into: out, weightOffset: net * units * units)
        } else {
            try rowsTimesWeightsT(backend, p, couplings, networks: networks, nOut: units, nIn: units, alpha: 1, beta: -1,
                                  into: out)
        }
    }

    /// A Q = J diag(φ'(h)) Q − Q, every member at once.
    func flowJacobianTimes(_ x: Tensor<T>, member: Int?, _ q: Tensor<T>, into out: Tensor<T>) throws {
        try couplingProducts(x, member: member, q, alpha: 1, beta: -1, into: out)
    }
}
