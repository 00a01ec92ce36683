import Compute
/// A recurrent model that can also be driven by an input sequence (the GRU and LSTM of
/// docs/models.md M13, M18). `step(_:)` and `jacobianTimes` are the autonomous map (x = 0); `step(_:input:)`
/// advances with input rows x ([B, inputSize]), as torch.nn.GRUCell / LSTMCell do.
public protocol InputDrivenModel: RecurrentModel {
    var inputSize: Int { get }
    func step(_ states: Tensor<T>, input: Tensor<T>) throws
}

/// Parameters stacked gate by gate in PyTorch's layout: weights [networks, gates·N, nIn] and
/// biases [networks, gates·N], block g (rows g·N..<(g+1)·N) belonging to gate g.
struct GateBlocks<T: Scalar> {
    let backend: any Backend
    let gates: Int
    let units: Int
    let networks: Int

    /// The one network every row uses: `single`, or 0 when there is one network; nil when row
    /// b uses network b.
    func shared(_ single: Int?) -> Int? { single ?? (networks == 1 ? 0 : nil) }

    /// Y = α X W_gᵀ + βY for rows X ([R, nIn]) and Y ([R, N]).
    func times(_ x: Tensor<T>, _ w: Tensor<T>, nIn: Int, gate g: Int, single: Int?, alpha: T = 1, beta: T,
               into y: Tensor<T>) throws {
        let size = gates * units * nIn
        if let b = shared(single) {
            try rowsTimesWeightsT(backend, x, w, networks: 1, nOut: units, nIn: nIn, alpha: alpha, beta: beta, into: y,
                                  weightOffset: b * size + g * units * nIn, ldw: nIn)
        } else {
            try rowsTimesWeightsT(backend, x, w, networks: networks, nOut: units, nIn: nIn, alpha: alpha, beta: beta,
                                  into: y, weightOffset: g * units * nIn, ldw: nIn, strideW: size)
        }
    }

    /// Y = (bias_g of each row's network, broadcast along the rows) + βY, as a rank-1 GEMM with
    /// `ones` ([R, 1], all ones).
    func bias(_ bias: Tensor<T>, gate g: Int, single: Int?, ones: Tensor<T>, beta: T, into y: Tensor<T>) throws {
        let rows = y.count / units
        var p: GemmParams
        if let b = shared(single) {
            p = GemmParams(m: rows, n: units, k: 1)
            p.offsetB = (b * gates + g) * units
        } else {
            p = GemmParams(m: 1, n: units, k: 1, batch: rows)
            p.strideB = gates * units
            p.offsetB = g * units
        }
        try backend.gemm(p, alpha: 1, ones, bias, beta: beta, y)
    }

    /// Checks parameter arrays against [networks, gates·N, nIn] and [networks, gates·N].
    static func check(_ model: String, weights: [(String, Int, Int)], biases: [(String, Int)], units n: Int,
                      gates: Int, networks: Int) throws {
        for (name, count, nIn) in weights where count != networks * gates * n * nIn {
            throw ComputeError.shapeMismatch("\(model): \(name) has \(count) entries, expected \(networks) × [\(gates * n), \(nIn)]")
        }
        for (name, count) in biases where count != networks * gates * n {
            throw ComputeError.shapeMismatch("\(model): \(name) has \(count) entries, expected \(networks) × [\(gates * n)]")
        }
    }
}

/// y = σ(−x) = 1 − σ(x) without cancellation.
func sigmoidComplement<T: Scalar>(_ be: any Backend, _ x: Tensor<T>, into y: Tensor<T>) throws {
    try be.axpby(-1, x, 0, y)
    try be.apply(.sigmoid, y, into: y)
}

/// The GRU of docs/models.md (M13) in PyTorch's convention (torch.nn.GRU / GRUCell):
///   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz),
///   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h.
/// Rows of weight_hh / weight_ih / the biases are the gates r, z, n in that order (gate index
/// 0, 1, 2, also the matrix index of PhiloxStreams.weights when drawn). The state is h alone
/// (1 segment). The autonomous map and its Jacobian use x = 0.
///
/// Jacobian (docs/models.md M15, M16), with a_r, a_z the gate pre-activations, m = W_hn h + b_hn,
/// a_n = W_in x + b_in + r ⊙ m, n = tanh(a_n):
///   ∂z/∂h = diag(z(1−z)) W_hz,  ∂r/∂h = diag(r(1−r)) W_hr,
///   ∂n/∂h = diag(1−n²) [diag(r) W_hn + diag(m) ∂r/∂h],
///   ∂h'/∂h = diag(z) + diag(1−z) ∂n/∂h + diag(h−n) ∂z/∂h, so with G = W_hh Q ([3N, k], one GEMM):
///   M Q = diag(c_n) G_n + diag(c_r) G_r + diag(c_z) G_z + diag(z) Q,
///   c_n = (1−z)(1−n²) r,  c_r = (1−z)(1−n²) m r(1−r),  c_z = (h−n) z(1−z).
/// 1 − n² is computed as sech²(a_n), 1 − z as σ(−a_z), 1 − r as σ(−a_r) (no cancellation).
public final class GRU<T: Scalar>: GatedCell<T> {
    /// Given parameters, PyTorch's tensors of each network flattened and concatenated; nil
    /// biases are zeros.
    public init(backend: any Backend, units n: Int, inputSize: Int = 0, networks: Int = 1, weightHH: [T],
                weightIH: [T] = [], biasIH: [T]? = nil, biasHH: [T]? = nil) throws {
        try super.init(.gru, backend: backend, units: n, inputSize: inputSize, networks: networks, weightHH: weightHH,
                       weightIH: weightIH, biasIH: biasIH, biasHH: biasHH)
    }

    /// Random GRU for dynamics studies (docs/models.md M14): W_hr, W_hz, W_hn ~ N(0, g²/N) from Philox
    /// (seed, PhiloxStreams.weights(network: b, matrix: 0, 1, 2)), diagonals zeroed unless
    /// `zeroDiagonal` is false; b_hz = bZ, b_hr = bR, every other bias 0; no input.
    public convenience init(backend: any Backend, units n: Int, g: Double, bZ: Double = 0, bR: Double = 0,
                            seed: UInt64, networks: Int = 1, zeroDiagonal: Bool = true) throws {
        let bias = [T](repeating: T(bR), count: n) + [T](repeating: T(bZ), count: n) + [T](repeating: 0, count: n)
        let p = try Self.randomWeights(gates: 3, units: n, g: g, seed: seed, networks: networks,
                                       zeroDiagonal: zeroDiagonal, biasHH: bias)
        try self.init(backend: backend, units: n, networks: networks, weightHH: p.weights, biasHH: p.biasHH)
    }
}

extension GatedCell {
    /// GRU pre-activations for rows h ([R, N]) and input rows x (nil: x = 0): a_r, a_z, r = σ(a_r),
    /// m = W_hn h + b_hn and a_n = W_in x + b_in + r ⊙ m, in workspace tensors tagged `tag`
    /// (the launch chain: one GEMM per gate, biases as rank-1 GEMMs).
    func gruForward(_ h: Tensor<T>, input x: Tensor<T>?, single: Int?, tag: String) throws
        -> (ar: Tensor<T>, az: Tensor<T>, r: Tensor<T>, m: Tensor<T>, an: Tensor<T>)
    {
        let shape = [h.count / units, units]
        let ones = try ones(tag, rows: shape[0])
        let (ar, az, r) = (try ws.get(tag + "ar", shape), try ws.get(tag + "az", shape), try ws.get(tag + "r", shape))
        let (m, an) = (try ws.get(tag + "m", shape), try ws.get(tag + "an", shape))
        let wx = inputSize > 0 ? x.flatMap { x in weightIH.map { (x, $0) } } : nil
        for (g, y) in [(0, ar), (1, az), (2, an)] {
            try blocks.bias(gateBias, gate: g, single: single, ones: ones, beta: 0, into: y)
            if g < 2 { try blocks.times(h, weightHH, nIn: units, gate: g, single: single, beta: 1, into: y) }
            if let wx { try blocks.times(wx.0, wx.1, nIn: inputSize, gate: g, single: single, beta: 1, into: y) }
        }
        try blocks.bias(biasHH, gate: 2, single: single, ones: ones, beta: 0, into: m)
        try blocks.times(h, weightHH, nIn: units, gate: 2, single: single, beta: 1, into: m)
        try backend.apply(.sigmoid, ar, into: r)
        let rm = try ws.get(tag + "rm", shape)
        try backend.binary(.mul, r, m, into: rm)
        try backend.axpby(1, rm, 1, an)
        return (ar, az, r, m, an)
    }

    /// The GRU step as the launch chain (16 launches without input).
    func gruChainAdvance(_ states: Tensor<T>, input: Tensor<T>?) throws {
        let b = batchSize(states)
        let h = try states.reshaped([b, units])
        let f = try gruForward(h, input: input, single: nil, tag: "s.")
        let n = try ws.get("s.n", [b, units]), d = try ws.get("s.d", [b, units])
        try backend.apply(.sigmoid, f.az, into: f.az)
        try backend.apply(.tanh, f.an, into: n)
        // h' = n + z ⊙ (h − n)
        try backend.binary(.sub, h, n, into: d)
        try backend.binary(.mul, f.az, d, into: d)
        try backend.binary(.add, n, d, into: h)
    }

    /// Every member at once: the factors are [B, N], G one strided-batched GEMM.
    func gruJacobianTimes(_ states: Tensor<T>, member: Int?, _ q: Tensor<T>, into out: Tensor<T>) throws {
        let t = try TangentBatch(self, states, member: member, q)
        let h = try segment(states, 0)
        let f = try gruForward(h, input: nil, single: t.shared, tag: "j.")
        let vec = { (name: String) in try self.ws.get("j." + name, [t.members, self.units]) }
        let (z, zc, rc, sn, n) = (try vec("z"), try vec("zc"), try vec("rc"), try vec("sn"), try vec("n"))
        let (cn, cr, cz) = (try vec("cn"), try vec("cr"), try vec("cz"))
        try backend.apply(.sigmoid, f.az, into: z)
        try sigmoidComplement(backend, f.az, into: zc)
        try sigmoidComplement(backend, f.ar, into: rc)
        try backend.apply(.sech2, f.an, into: sn)
        try backend.apply(.tanh, f.an, into: n)
        // c_n = (1−z)(1−n²) r;  c_r = (1−z)(1−n²) m r(1−r);  c_z = (h−n) z(1−z)
        try backend.binary(.mul, zc, sn, into: sn)
        try backend.binary(.mul, sn, f.r, into: cn)
        try backend.binary(.mul, sn, f.m, into: cr)
        try backend.binary(.mul, cr, f.r, into: cr)
        try backend.binary(.mul, cr, rc, into: cr)
        try backend.binary(.sub, h, n, into: cz)
        try backend.binary(.mul, cz, z, into: cz)
        try backend.binary(.mul, cz, zc, into: cz)
        // G = W_hh Q, then M Q = diag(z) Q + diag(c_r) G_r + diag(c_z) G_z + diag(c_n) G_n
        let g = try gateProducts(t.segment(q, 0), t)
        try t.scale(z, t.segment(q, 0), into: t.segment(out, 0))
        for (i, c) in [cr, cz, cn].enumerated() {
            try t.scale(c, gateBlock(g, i, t), into: t.segment(out, 0), beta: 1)
        }
    }
}
