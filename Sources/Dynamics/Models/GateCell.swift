import Compute

/// Which gated cell a fused update computes (docs/models.md M13,
/// M18): the GRU's 3 gates r, z, n or the LSTM's 4 gates i, f, g, o, in PyTorch's order.
public enum GateCellKind: String, Sendable {
    case gru, lstm
    public var gates: Int { self == .gru ? 3 : 4 }
    /// Segments of the state: h (GRU), h and c (LSTM).
    public var segments: Int { self == .gru ? 1 : 2 }
}

/// The GRU and LSTM of docs/models.md (M13–M21): the parameters and
/// step machinery they share, parametrised by the gate count. Weights [networks, gates·N, nIn] and
/// biases [networks, gates·N] are stacked gate by gate in PyTorch's layout (block g, rows
/// g·N..<(g+1)·N, belonging to gate g). `step` is the fused step; `chainStep` keeps the previous
/// launch chain (per-gate GEMMs, rank-1 bias GEMMs, one launch per elementwise op) for the
/// benchmark comparison. Each cell's own forward chain and Jacobian live in GRU.swift and LSTM.swift.
public class GatedCell<T: Scalar>: InputDrivenModel, LaunchChainModel {
    public let backend: any Backend
    public let units: Int
    public let inputSize: Int
    public let networks: Int
    /// [networks, gates·N, N] (PyTorch weight_hh_l0 of each network).
    public let weightHH: Tensor<T>
    /// [networks, gates·N, inputSize]; nil when inputSize is 0.
    public let weightIH: Tensor<T>?
    /// [networks, gates·N] each.
    public let biasIH: Tensor<T>
    public let biasHH: Tensor<T>
    let kind: GateCellKind
    /// [networks, gates·N]: b_ih + b_hh for every gate but the GRU's n, which keeps b_in alone
    /// (its b_hn sits inside r ⊙ ·).
    let gateBias: Tensor<T>
    let blocks: GateBlocks<T>
    let ws: Workspace<T>

    public var name: String { kind.rawValue }
    public var segments: Int { kind.segments }
    public var timeStep: Double { 1 }
    var gates: Int { kind.gates }

    /// Given parameters, PyTorch's tensors of each network flattened and concatenated; nil
    /// biases are zeros.
    init(_ kind: GateCellKind, backend: any Backend, units n: Int, inputSize: Int, networks: Int, weightHH: [T],
         weightIH: [T], biasIH: [T]?, biasHH: [T]?) throws {
        let name = kind.rawValue, gates = kind.gates
        guard n > 0, networks > 0, inputSize >= 0 else {
            throw ComputeError.invalidArgument("\(name): N and networks must be positive, got \(n), \(networks)")
        }
        let zeros = [T](repeating: 0, count: networks * gates * n)
        let (bi, bh) = (biasIH ?? zeros, biasHH ?? zeros)
        try GateBlocks<T>.check(name, weights: [("weight_hh", weightHH.count, n), ("weight_ih", weightIH.count, inputSize)],
                                biases: [("bias_ih", bi.count), ("bias_hh", bh.count)], units: n, gates: gates,
                                networks: networks)
        self.kind = kind
        self.backend = backend
        units = n
        self.inputSize = inputSize
        self.networks = networks
        self.weightHH = try backend.tensor(weightHH, shape: [networks, gates * n, n])
        self.weightIH = inputSize == 0 ? nil : try backend.tensor(weightIH, shape: [networks, gates * n, inputSize])
        self.biasIH = try backend.tensor(bi, shape: [networks, gates * n])
        self.biasHH = try backend.tensor(bh, shape: [networks, gates * n])
        let summed = kind == .gru ? 2 * n : gates * n
        var gb = bi
        for i in gb.indices where i % (gates * n) < summed { gb[i] += bh[i] }
        gateBias = try backend.tensor(gb, shape: [networks, gates * n])
        blocks = GateBlocks(backend: backend, gates: gates, units: n, networks: networks)
        ws = Workspace(backend)
    }

    /// Gaussian recurrent weights of a random cell (docs/models.md, GRU and LSTM sections):
    /// W_h· ~ N(0, g²/N) from Philox (seed, PhiloxStreams.weights(network: b, matrix: gate)),
    /// diagonals zeroed unless `zeroDiagonal` is false; `biasHH` is each network's b_hh.
    static func randomWeights(gates: Int, units n: Int, g: Double, seed: UInt64, networks: Int, zeroDiagonal: Bool,
                              biasHH: [T]) throws -> (weights: [T], biasHH: [T]) {
        guard n > 0 else { throw ComputeError.invalidArgument("gated cell: N must be positive, got \(n)") }
        var w: [T] = [], bh: [T] = []
        for b in 0..<networks {
            for gate in 0..<gates {
                w += ModelWeights.gaussian(n: n, gain: g, seed: seed, stream: PhiloxStreams.weights(network: b, matrix: gate),
                                           zeroDiagonal: zeroDiagonal)
            }
            bh += biasHH
        }
        return (w, bh)
    }

    public func step(_ states: Tensor<T>) throws {
        try checkStates(states)
        try fusedAdvance(states, input: nil)
    }

    public func step(_ states: Tensor<T>, input: Tensor<T>) throws {
        try checkStates(states)
        try checkInput(input, batch: batchSize(states))
        try fusedAdvance(states, input: input)
    }

    /// The previous launch chain, for `gpurun bench rnn`'s comparison and the tests.
    package func chainStep(_ states: Tensor<T>) throws { try chainStep(states, input: nil) }

    package func chainStep(_ states: Tensor<T>, input: Tensor<T>?) throws {
        try checkStates(states)
        if let input { try checkInput(input, batch: batchSize(states)) }
        let x = try input.map { try $0.reshaped([batchSize(states), inputSize]) }
        switch kind {
        case .gru: try gruChainAdvance(states, input: x)
        case .lstm: try lstmChainAdvance(states, input: x)
        }
    }

    /// Every member at once (docs/lyapunov.md L11): GRU.swift and LSTM.swift.
    public func tangentProducts(_ states: Tensor<T>, member: Int?, _ q: Tensor<T>, into out: Tensor<T>) throws {
        switch kind {
        case .gru: try gruJacobianTimes(states, member: member, q, into: out)
        case .lstm: try lstmJacobianTimes(states, member: member, q, into: out)
        }
    }

    func checkInput(_ input: Tensor<T>, batch: Int) throws {
        guard input.backend === backend, input.count == batch * inputSize else {
            throw ComputeError.shapeMismatch("\(name): input must be [\(batch), \(inputSize)] on \(backend.label), got \(input.shape)")
        }
    }

    /// The fused step (issue 17): G = H W_hhᵀ for all gates at once (one GEMM with the stacked
    /// [gates·N, N] weights, or one strided batch over networks), X = x W_ihᵀ likewise when
    /// driven, then one `gateUpdate` pass. Launches per step on OpenCL: 2, or 3 with input.
    func fusedAdvance(_ states: Tensor<T>, input: Tensor<T>?) throws {
        let b = batchSize(states), width = gates * units
        let h = try segment(states, 0), c = segments > 1 ? try segment(states, 1) : nil
        let g = try ws.get("fused.G", [b, width])
        try rowsTimesWeightsT(backend, h, weightHH, networks: networks, nOut: width, nIn: units, alpha: 1, beta: 0,
                              into: g)
        var xw: Tensor<T>?
        if inputSize > 0, let input, let w = weightIH {
            let t = try ws.get("fused.X", [b, width])
            try rowsTimesWeightsT(backend, input.reshaped([b, inputSize]), w, networks: networks, nOut: width,
                                  nIn: inputSize, alpha: 1, beta: 0, into: t)
            xw = t
        }
        let ops = try backend.rnnStepOps()
        try ops.gateUpdate(kind, GateUpdate(g: g, x: xw, gateBias: gateBias, biasHH: biasHH, perRow: networks > 1,
                                            h: h, c: c, units: units, rows: b))
    }

    /// G_b = W_hh Q_h,b ([B, gates·N, k], one strided-batched GEMM with each member's stacked
    /// gate weights) for the tangent products (docs/models.md M16, M21).
    func gateProducts(_ qh: RowBlocks<T>, _ t: TangentBatch<T>) throws -> Tensor<T> {
        let rows = gates * units
        let g = try ws.get("j.G", [t.members, rows, t.k])
        try t.product(weightHH, networkStride: rows * units, rows: rows, qh, into: t.blocks(g, rows: rows))
        return g
    }

    /// Block j (N rows) of every member's G.
    func gateBlock(_ g: Tensor<T>, _ j: Int, _ t: TangentBatch<T>) -> RowBlocks<T> {
        RowBlocks(g, offset: j * units * t.k, stride: gates * units * t.k)
    }

    /// Ones ([rows, 1]) for the rank-1 bias GEMMs of the launch chain.
    func ones(_ tag: String, rows: Int) throws -> Tensor<T> {
        let ones = try ws.get(tag + "ones", [rows, 1])
        try backend.fill(ones, with: 1)
        return ones
    }
}
