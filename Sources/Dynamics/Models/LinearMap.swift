import Compute
/// The linear map of docs/models.md (M5, M6): h_{n+1} = W h_n. Its Lyapunov exponents are ln|μ_i(W)|.
public final class LinearMap<T: Scalar>: RecurrentModel, LaunchChainModel {
    public let backend: any Backend
    public let units: Int
    public let networks: Int
    /// W of every network, [networks, N, N].
    public let matrix: Tensor<T>
    let ws: Workspace<T>

    public var name: String { "linear" }
    public var segments: Int { 1 }
    public var timeStep: Double { 1 }
    /// M = W everywhere: a state that overflows does not spoil the exponents.
    public var jacobianDependsOnState: Bool { false }

    public init(backend: any Backend, matrix: [T], units n: Int, networks: Int = 1) throws {
        guard n > 0 else { throw ComputeError.invalidArgument("linear map: N must be positive, got \(n)") }
        guard matrix.count == networks * n * n else {
            throw ComputeError.shapeMismatch("linear map: \(matrix.count) entries for \(networks) matrices of size \(n)")
        }
        self.backend = backend
        units = n
        self.networks = networks
        self.matrix = try backend.tensor(matrix, shape: [networks, n, n])
        ws = Workspace(backend)
    }

    /// W_ij ~ N(0, g²/N) from Philox (seed, stream PhiloxStreams.weights(network: b)).
    public convenience init(backend: any Backend, units n: Int, g: Double, seed: UInt64, networks: Int = 1) throws {
        guard n > 0 else { throw ComputeError.invalidArgument("linear map: N must be positive, got \(n)") }
        var w: [T] = []
        for b in 0..<networks {
            w += ModelWeights.gaussian(n: n, gain: g, seed: seed, stream: PhiloxStreams.weights(network: b))
        }
        try self.init(backend: backend, matrix: w, units: n, networks: networks)
    }

    /// One GEMM and a copy (2 launches); the chain is the same step.
    package func chainStep(_ states: Tensor<T>) throws { try step(states) }

    public func step(_ states: Tensor<T>) throws {
        try checkStates(states)
        let b = batchSize(states)
        let h = try states.reshaped([b, units])
        let next = try ws.get("next", [b, units])
        try rowsTimesWeightsT(backend, h, matrix, networks: networks, nOut: units, nIn: units,
                              alpha: 1, beta: 0, into: next)
        try backend.copy(next, into: h)
    }

    /// M_b Q_b = W_b Q_b for every member: one strided-batched GEMM.
    public func tangentProducts(_ states: Tensor<T>, member: Int?, _ q: Tensor<T>, into out: Tensor<T>) throws {
        let t = try TangentBatch(self, states, member: member, q)
        try t.product(matrix, networkStride: units * units, rows: units, t.blocks(q, rows: units),
                      into: t.blocks(out, rows: units))
    }
}
