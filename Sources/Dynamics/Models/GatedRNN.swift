import Compute
import Foundation

/// Options of the gated RNN (docs/models.md M7, M8), in the sign convention of the gated-RNN paper:
/// σ_z(x) = 1/(1 + exp(−α_z x + β_z)), so a positive β closes the gate.
public struct GatedRNNOptions: Sendable, Equatable {
    /// Gain of J^h ~ N(0, g_h²/N) when drawn; for loaded weights only the normalisation of μ in
    /// the zero-fixed-point formula.
    public var gH: Double
    public var alphaZ: Double
    public var betaZ: Double
    public var alphaR: Double
    public var betaR: Double
    public var tauZ: Double
    public var tauR: Double
    /// Euler step δ.
    public var dt: Double
    /// J^h_ii = 0 (the default, docs/models.md M0, M9); J^z and J^r keep their diagonals.
    public var zeroDiagonal: Bool
    /// Euler (the default, docs/integrators.md I1) or RK4 (I2, I3) with its exact tangent map.
    public var integrator: Integrator

    public init(gH: Double = 2, alphaZ: Double = 1, betaZ: Double = 0, alphaR: Double = 1, betaR: Double = 0,
                tauZ: Double = 1, tauR: Double = 1, dt: Double = 0.1, zeroDiagonal: Bool = true,
                integrator: Integrator = .euler) {
        self.gH = gH
        self.alphaZ = alphaZ
        self.betaZ = betaZ
        self.alphaR = alphaR
        self.betaR = betaR
        self.tauZ = tauZ
        self.tauR = tauR
        self.dt = dt
        self.zeroDiagonal = zeroDiagonal
        self.integrator = integrator
    }

    func validate() throws {
        for (name, v) in [("dt", dt), ("tauZ", tauZ), ("tauR", tauR)] where !(v > 0 && v.isFinite) {
            throw ComputeError.invalidArgument("gated RNN: \(name) must be positive, got \(v)")
        }
        for (name, v) in [("gH", gH), ("alphaZ", alphaZ), ("betaZ", betaZ), ("alphaR", alphaR), ("betaR", betaR)]
        where !v.isFinite {
            throw ComputeError.invalidArgument("gated RNN: \(name) must be finite, got \(v)")
        }
    }

    /// σ_z(0) = 1/(1 + e^{β_z}) and σ_r(0) = 1/(1 + e^{β_r}).
    public var sigmaZ0: Double { 1 / (1 + exp(betaZ)) }
    public var sigmaR0: Double { 1 / (1 + exp(betaR)) }

    /// The g_h at which the zero fixed point loses stability: 1/σ_r(0) = 1 + e^{β_r}.
    public static func criticalGain(betaR: Double) -> Double { 1 + exp(betaR) }
    public var criticalGain: Double { Self.criticalGain(betaR: betaR) }

    /// Eigenvalues of the flow Jacobian A at h = z = r = 0 (docs/models.md M12): σ_z(0)(−1 + g_h σ_r(0) μ_i)
    /// for the given eigenvalues μ of J^h/g_h, then −1/τ_z and −1/τ_r, each N times.
    /// (A is block lower triangular there: ∂ḣ/∂z and ∂ḣ/∂r vanish because h = φ(h) = 0.)
    public func zeroFixedPointEigenvalues(muRe: [Double], muIm: [Double]) -> (re: [Double], im: [Double]) {
        let (sz, sr) = (sigmaZ0, sigmaR0)
        let n = muRe.count
        let re = muRe.map { sz * (-1 + gH * sr * $0) } + Array(repeating: -1 / tauZ, count: n)
            + Array(repeating: -1 / tauR, count: n)
        let im = muIm.map { sz * gH * sr * $0 } + Array(repeating: 0, count: 2 * n)
        return (re, im)
    }
}

/// The gated RNN of docs/models.md (M7): state (h, z, r), 3 segments,
///   dh/dt = σ_z(z) ⊙ [−h + J^h (σ_r(r) ⊙ φ(h))],  τ_z dz/dt = −z + J^z φ(h),  τ_r dr/dt = −r + J^r φ(h),
/// integrated with Euler steps of size δ; the Jacobian of one step is M = I + δA with the flow
/// Jacobian A of docs/models.md (M10), applied to Q block by block without forming M. With
/// `options.integrator` .rk4 the step is RK4 and its tangent map is built from the same A Q
/// products (FlowIntegration).
///
/// Weights: `weights` is [networks, 3, N, N] holding J^h, J^z, J^r of each network, which are
/// matrix 0, 1, 2 of PhiloxStreams.weights(network: b, matrix:) when drawn.
public final class GatedRNN<T: Scalar>: RecurrentModel, FlowModel, LaunchChainModel {
    public typealias Options = GatedRNNOptions
    /// Scratch of the steps and tangent products.
    let ws: Workspace<T>
    public let backend: any Backend
    public let units: Int
    public let networks: Int
    public let options: Options
    /// [networks, 3, N, N]: J^h, J^z, J^r of each network, J[i][j] the coupling from unit j to i.
    public let weights: Tensor<T>

    var integrator: Integrator { options.integrator }
    public var name: String { "gated" }
    public var segments: Int { 3 }
    public var timeStep: Double { options.dt }

    /// Given couplings, each [networks, N, N] flattened.
    public init(backend: any Backend, jh: [T], jz: [T], jr: [T], units n: Int, networks: Int = 1,
                options: Options = Options()) throws {
        guard n > 0, networks > 0 else {
            throw ComputeError.invalidArgument("gated RNN: N and networks must be positive, got \(n), \(networks)")
        }
        try options.validate()
        let nn = n * n
        for (label, m) in [("J^h", jh), ("J^z", jz), ("J^r", jr)] where m.count != networks * nn {
            throw ComputeError.shapeMismatch("gated RNN: \(label) has \(m.count) entries, \(networks) networks of \(n) units need \(networks * nn)")
        }
        var w: [T] = []
        w.reserveCapacity(3 * networks * nn)
        for b in 0..<networks {
            for m in [jh, jz, jr] { w += m[(b * nn)..<((b + 1) * nn)] }
        }
        self.backend = backend
        units = n
        self.networks = networks
        self.options = options
        weights = try backend.tensor(w, shape: [networks, 3, n, n])
        ws = Workspace(backend)
    }

    /// J^h ~ N(0, g_h²/N) (J^h_ii = 0 unless `options.zeroDiagonal` is false), J^z, J^r ~ N(0, 1/N),
    /// from Philox (seed, PhiloxStreams.weights(network: b, matrix: 0, 1, 2)).
    public convenience init(backend: any Backend, units n: Int, options: Options = Options(), seed: UInt64,
                            networks: Int = 1) throws {
        guard n > 0 else { throw ComputeError.invalidArgument("gated RNN: N must be positive, got \(n)") }
        var jh: [T] = [], jz: [T] = [], jr: [T] = []
        for b in 0..<networks {
            jh += ModelWeights.gaussian(n: n, gain: options.gH, seed: seed,
                                        stream: PhiloxStreams.weights(network: b, matrix: 0),
                                        zeroDiagonal: options.zeroDiagonal)
            jz += ModelWeights.gaussian(n: n, gain: 1, seed: seed, stream: PhiloxStreams.weights(network: b, matrix: 1))
            jr += ModelWeights.gaussian(n: n, gain: 1, seed: seed, stream: PhiloxStreams.weights(network: b, matrix: 2))
        }
        try self.init(backend: backend, jh: jh, jz: jz, jr: jr, units: n, networks: networks, options: options)
    }

    /// Eigenvalues of the flow Jacobian at the zero fixed point (see GatedRNNOptions).
    public func zeroFixedPointEigenvalues(muRe: [Double], muIm: [Double]) -> (re: [Double], im: [Double]) {
        options.zeroFixedPointEigenvalues(muRe: muRe, muIm: muIm)
    }

    /// y = σ(α x − β); `complement` (if given) = σ(−(α x − β)) = 1 − y without cancellation.
    func gate(_ x: Tensor<T>, alpha: Double, beta: Double, into y: Tensor<T>, complement: Tensor<T>? = nil) throws {
        try backend.fill(y, with: T(-beta))
        try backend.axpby(T(alpha), x, 1, y)
        if let c = complement {
            try backend.axpby(-1, y, 0, c)
            try backend.apply(.sigmoid, c, into: c)
        }
        try backend.apply(.sigmoid, y, into: y)
    }

    /// Y = α X (J^matrix)ᵀ + βY for a batch of rows (row b uses network b when networks > 1), or
    /// with network `single` for every row.
    func times(_ x: Tensor<T>, matrix: Int, single: Int? = nil, alpha: T, beta: T, into y: Tensor<T>) throws {
        let nn = units * units
        if let b = single ?? (networks == 1 ? 0 : nil) {
            try rowsTimesWeightsT(backend, x, weights, networks: 1, nOut: units, nIn: units, alpha: alpha, beta: beta,
                                  into: y, weightOffset: (3 * b + matrix) * nn, ldw: units)
        } else {
            try rowsTimesWeightsT(backend, x, weights, networks: networks, nOut: units, nIn: units, alpha: alpha,
                                  beta: beta, into: y, weightOffset: matrix * nn, ldw: units, strideW: 3 * nn)
        }
    }

    /// The fused step (FusedFlowSteps): 3 launches for Euler, 9 for RK4.
    public func step(_ states: Tensor<T>) throws {
        try checkStates(states)
        try FusedFlowSteps.gatedStep(self, states)
    }

    /// The previous launch chain (14 launches per Euler step; RK4 through FlowIntegration),
    /// for `gpurun bench rnn`.
    package func chainStep(_ states: Tensor<T>) throws {
        try checkStates(states)
        if integrator == .rk4 { return try FlowIntegration.rk4Step(self, states) }
        let b = batchSize(states), n = units, o = options
        let (h, z, r) = (try segment(states, 0), try segment(states, 1), try segment(states, 2))
        let phi = try ws.get("phi", [b, n]), sz = try ws.get("sz", [b, n]), sr = try ws.get("sr", [b, n])
        let v = try ws.get("v", [b, n])
        try backend.apply(.tanh, h, into: phi)
        try gate(z, alpha: o.alphaZ, beta: o.betaZ, into: sz)
        try gate(r, alpha: o.alphaR, beta: o.betaR, into: sr)
        // v = σ_z ⊙ (−h + J^h (σ_r ⊙ φ)): the h velocity
        try backend.binary(.mul, sr, phi, into: sr)
        try times(sr, matrix: 0, alpha: 1, beta: 0, into: v)
        try backend.axpby(-1, h, 1, v)
        try backend.binary(.mul, sz, v, into: v)
        // z ← (1 − δ/τ_z) z + (δ/τ_z) J^z φ(h), likewise r; φ is that of the old h
        let (cz, cr) = (o.dt / o.tauZ, o.dt / o.tauR)
        try times(phi, matrix: 1, alpha: T(cz), beta: T(1 - cz), into: z)
        try times(phi, matrix: 2, alpha: T(cr), beta: T(1 - cr), into: r)
        try backend.axpby(T(o.dt), v, 1, h)
    }

    /// M Q = Q + δ A Q (Euler) or the RK4 step's tangent map, from `flowJacobianTimes`, for every
    /// member at once.
    public func tangentProducts(_ states: Tensor<T>, member: Int?, _ q: Tensor<T>, into out: Tensor<T>) throws {
        if integrator == .rk4 { return try FlowIntegration.rk4Tangent(self, states, member: member, q, into: out) }
        try flowJacobianTimes(states, member: member, q, into: out)
        try backend.axpby(1, q, T(options.dt), out)
    }

    // MARK: the flow (FlowModel)

    /// v = (σ_z ⊙ (−h + J^h(σ_r ⊙ φ(h))), (−z + J^z φ(h))/τ_z, (−r + J^r φ(h))/τ_r).
    func velocity(_ x: Tensor<T>, network: Int?, into out: Tensor<T>) throws {
        let b = batchSize(x), n = units, o = options
        let (h, z, r) = (try segment(x, 0), try segment(x, 1), try segment(x, 2))
        let (vh, vz, vr) = (try segment(out, 0), try segment(out, 1), try segment(out, 2))
        let phi = try ws.get("flow.phi", [b, n]), sz = try ws.get("flow.sz", [b, n]), sr = try ws.get("flow.sr", [b, n])
        try backend.apply(.tanh, h, into: phi)
        try gate(z, alpha: o.alphaZ, beta: o.betaZ, into: sz)
        try gate(r, alpha: o.alphaR, beta: o.betaR, into: sr)
        try backend.binary(.mul, sr, phi, into: sr)
        try times(sr, matrix: 0, single: network, alpha: 1, beta: 0, into: vh)
        try backend.axpby(-1, h, 1, vh)
        try backend.binary(.mul, sz, vh, into: vh)
        for (m, tau, src, dst) in [(1, o.tauZ, z, vz), (2, o.tauR, r, vr)] {
            try backend.copy(src, into: dst)
            try times(phi, matrix: m, single: network, alpha: T(1 / tau), beta: T(-1 / tau), into: dst)
        }
    }

    /// A Q with Q = [Q_h; Q_z; Q_r] (docs/models.md M11):
    ///   (AQ)_h = Σ_z (−Q_h + J^h [diag(σ_r φ') Q_h + diag(φ σ_r') Q_r]) + diag(σ_z' ⊙ v) Q_z,
    ///            v = −h + J^h(σ_r ⊙ φ);
    ///   (AQ)_z = (J^z diag(φ') Q_h − Q_z)/τ_z;  (AQ)_r likewise with J^r, τ_r.
    /// Every member at once (docs/lyapunov.md L11): the gate factors are [B, N] rows of the
    /// segment-major states, the products strided-batched GEMMs, the scalings `scaleBlocks`.
    func flowJacobianTimes(_ states: Tensor<T>, member: Int?, _ q: Tensor<T>, into out: Tensor<T>) throws {
        let t = try TangentBatch(self, states, member: member, q)
        let n = units, o = options
        let h = try segment(states, 0)
        let vec = { (name: String) in try self.ws.get("j." + name, [t.members, n]) }
        let (phi, dphi, sz, szc, sr, src) = (try vec("phi"), try vec("dphi"), try vec("sz"), try vec("szc"),
                                             try vec("sr"), try vec("src"))
        let (v, a1, a2, wz) = (try vec("v"), try vec("a1"), try vec("a2"), try vec("wz"))
        try backend.apply(.tanh, h, into: phi)
        try backend.apply(.sech2, h, into: dphi)
        try gate(segment(states, 1), alpha: o.alphaZ, beta: o.betaZ, into: sz, complement: szc)
        try gate(segment(states, 2), alpha: o.alphaR, beta: o.betaR, into: sr, complement: src)
        // v = −h + J^h (σ_r φ)
        try backend.binary(.mul, sr, phi, into: a1)
        try times(a1, matrix: 0, single: t.shared, alpha: 1, beta: 0, into: v)
        try backend.axpby(-1, h, 1, v)
        // wz = σ_z' ⊙ v = α_z σ_z (1 − σ_z) v
        try backend.binary(.mul, sz, szc, into: wz)
        try backend.binary(.mul, wz, v, into: wz)
        try backend.axpby(T(o.alphaZ), wz, 0, wz)
        // a1 = σ_r φ', a2 = φ σ_r' = α_r φ σ_r (1 − σ_r)
        try backend.binary(.mul, sr, dphi, into: a1)
        try backend.binary(.mul, sr, src, into: a2)
        try backend.binary(.mul, a2, phi, into: a2)
        try backend.axpby(T(o.alphaR), a2, 0, a2)

        let (qh, qz, qr) = (t.segment(q, 0), t.segment(q, 1), t.segment(q, 2))
        let (oh, oz, or) = (t.segment(out, 0), t.segment(out, 1), t.segment(out, 2))
        let s = t.blocks(try ws.get("j.S", [t.members, n, t.k]), rows: n)
        let tb = t.blocks(try ws.get("j.T", [t.members, n, t.k]), rows: n)
        let nn = n * n
        // T = J^h (diag(a1) Q_h + diag(a2) Q_r) − Q_h
        try t.scale(a1, qh, into: s)
        try t.scale(a2, qr, into: s, beta: 1)
        try t.product(weights, networkStride: 3 * nn, rows: n, s, into: tb)
        try t.scale(nil, qh, into: tb, alpha: -1, beta: 1)
        // out_h = diag(σ_z) T + diag(wz) Q_z
        try t.scale(sz, tb, into: oh)
        try t.scale(wz, qz, into: oh, beta: 1)
        // out_z, out_r from S = diag(φ') Q_h
        try t.scale(dphi, qh, into: s)
        for (m, tau, qb, ob) in [(1, o.tauZ, qz, oz), (2, o.tauR, qr, or)] {
            try t.scale(nil, qb, into: ob)
            try t.product(weights, weightOffset: m * nn, networkStride: 3 * nn, rows: n, s, alpha: T(1 / tau),
                          beta: T(-1 / tau), into: ob)
        }
    }
}
