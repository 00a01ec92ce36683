import Compute
/// Parameters of one Lyapunov-spectrum run (docs/lyapunov.md L2).
/// Steps count steps of the model's map; exponents are per unit time: divided by the model's
/// time step δ for flows, per step for the maps (δ = 1: linear map, GRU, LSTM).
public struct LyapunovConfig: Codable, Sendable, Equatable {
    /// Steps over which ln R_ii are accumulated.
    public var steps: Int
    /// Steps of the state alone before Q starts.
    public var transient: Int
    /// Steps of state and Q, reorthonormalised but not accumulated, so Q aligns with the
    /// Oseledets directions first (default: the same as `transient`).
    public var qTransient: Int
    /// Exponents computed: the leading k (k ≤ state size).
    public var k: Int
    /// Steps between QR reorthonormalisations.
    public var reorth: Int
    /// Philox seed of initial states and Q.
    public var seed: UInt64
    /// Trajectories (or networks) run together; exponents are averaged over them.
    public var batch: Int
    /// Convergence series points kept (thinned evenly).
    public var maxConvergencePoints: Int
    /// QR method; nil picks TangentQR.Method.preferred for the backend.
    public var qr: TangentQR.Method?

    public init(steps: Int, transient: Int, qTransient: Int? = nil, k: Int, reorth: Int = 1, seed: UInt64 = 1,
                batch: Int = 1, maxConvergencePoints: Int = 400, qr: TangentQR.Method? = nil) {
        self.qr = qr == .auto ? nil : qr
        self.steps = steps
        self.transient = transient
        self.qTransient = qTransient ?? transient
        self.k = k
        self.reorth = reorth
        self.seed = seed
        self.batch = batch
        self.maxConvergencePoints = maxConvergencePoints
    }

    /// Clear errors before any work starts.
    public func validate(stateSize: Int) throws {
        func bad(_ s: String) -> ComputeError { .invalidArgument("lyapunov: " + s) }
        if steps <= 0 { throw bad("the accumulated steps must be positive, got \(steps)") }
        if transient < 0 || qTransient < 0 { throw bad("transients must be ≥ 0") }
        if k <= 0 { throw bad("the number of exponents k must be positive, got \(k)") }
        if k > stateSize { throw bad("k = \(k) exponents is larger than the state (\(stateSize) numbers)") }
        if reorth <= 0 { throw bad("the reorthonormalisation interval must be positive, got \(reorth)") }
        if batch <= 0 { throw bad("the batch must be positive, got \(batch)") }
    }

    /// Bytes a run needs on its backend: weights are the model's; here the states and their
    /// scratch, Q and its image ([B, S, k] each) and the scratch of the batched Jacobian products
    /// and QR (docs/lyapunov.md L11: RK4's stage blocks, the gate products — at most 6 more
    /// [B, S, k] — and the QR's copy).
    public func workingBytes(stateSize: Int, elementSize: Int) -> Int {
        // In Double, saturating: a huge batch must be refused for its size, not trap.
        let bytes = Double(batch) * Double(stateSize) * (4 + 9 * Double(k)) * Double(elementSize)
        return bytes >= Double(Int.max) ? .max : Int(bytes)
    }
}
