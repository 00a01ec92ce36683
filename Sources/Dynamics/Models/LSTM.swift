import Compute
/// The LSTM of docs/models.md (M18) in PyTorch's convention (torch.nn.LSTM / LSTMCell):
///   i, f, o = σ(W_i· x + b_i· + W_h· h + b_h·),  g = tanh(W_ig x + b_ig + W_hg h + b_hg),
///   c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c').
/// The state is (h, c): 2 segments. Rows of weight_hh / weight_ih / the biases are the gates
/// i, f, g, o in that order (gate index 0…3, also the matrix index of PhiloxStreams.weights when
/// drawn). The autonomous map and its Jacobian use x = 0.
///
/// Jacobian (docs/models.md M20, M21), with a_· the pre-activations and G = W_hh Q_h ([4N, k], one GEMM):
///   ∂c'/∂h = diag(c f(1−f)) W_hf + diag(g i(1−i)) W_hi + diag(i (1−g²)) W_hg,  ∂c'/∂c = diag(f),
///   ∂h'/∂h = diag(tanh(c') o(1−o)) W_ho + diag(o (1−tanh²c')) ∂c'/∂h,
///   ∂h'/∂c = diag(o (1−tanh²c') f), so
///   (MQ)_c = diag(f) Q_c + diag(g i(1−i)) G_i + diag(c f(1−f)) G_f + diag(i sech²a_g) G_g,
///   (MQ)_h = diag(o sech²c') (MQ)_c + diag(tanh(c') o(1−o)) G_o.
/// 1 − g² and 1 − tanh²c' are computed as sech², 1 − σ(a) as σ(−a) (no cancellation).
public final class LSTM<T: Scalar>: GatedCell<T> {
    /// Given parameters, PyTorch's tensors of each network flattened and concatenated; nil
    /// biases are zeros.
    public init(backend: any Backend, units n: Int, inputSize: Int = 0, networks: Int = 1, weightHH: [T],
                weightIH: [T] = [], biasIH: [T]? = nil, biasHH: [T]? = nil) throws {
        try super.init(.lstm, backend: backend, units: n, inputSize: inputSize, networks: networks, weightHH: weightHH,
                       weightIH: weightIH, biasIH: biasIH, biasHH: biasHH)
    }

    /// Random LSTM for dynamics studies: W_hi, W_hf, W_hg, W_ho ~ N(0, g²/N) from Philox (seed,
    /// PhiloxStreams.weights(network: b, matrix: 0…3)), diagonals zeroed unless `zeroDiagonal` is
    /// false; forget-gate bias b_hf = bF (default 0: f = ½ at h = 0; a positive bF lengthens the
    /// memory of c), every other bias 0; no input.
    public convenience init(backend: any Backend, units n: Int, g: Double, bF: Double = 0, seed: UInt64,
                            networks: Int = 1, zeroDiagonal: Bool = true) throws {
        let bias = [T](repeating: 0, count: n) + [T](repeating: T(bF), count: n) + [T](repeating: 0, count: 2 * n)
        let p = try Self.randomWeights(gates: 4, units: n, g: g, seed: seed, networks: networks,
                                       zeroDiagonal: zeroDiagonal, biasHH: bias)
        try self.init(backend: backend, units: n, networks: networks, weightHH: p.weights, biasHH: p.biasHH)
    }
}

extension GatedCell {
    /// LSTM pre-activations a_i, a_f, a_g, a_o for rows h ([R, N]) and input rows x (nil: x = 0),
    /// by the launch chain (one GEMM per gate, biases as rank-1 GEMMs).
    func lstmForward(_ h: Tensor<T>, input x: Tensor<T>?, single: Int?, tag: String) throws -> [Tensor<T>] {
        let shape = [h.count / units, units]
        let ones = try ones(tag, rows: shape[0])
        return try (0..<4).map { g in
            let y = try ws.get(tag + "a\(g)", shape)
            try blocks.bias(gateBias, gate: g, single: single, ones: ones, beta: 0, into: y)
            try blocks.times(h, weightHH, nIn: units, gate: g, single: single, beta: 1, into: y)
            if inputSize > 0, let x, let w = weightIH {
                try blocks.times(x, w, nIn: inputSize, gate: g, single: single, beta: 1, into: y)
            }
            return y
        }
    }

    /// The LSTM step as the launch chain (18 launches without input).
    func lstmChainAdvance(_ states: Tensor<T>, input: Tensor<T>?) throws {
        let b = batchSize(states)
        let (h, c) = (try segment(states, 0), try segment(states, 1))
        let a = try lstmForward(h, input: input, single: nil, tag: "s.")
        let t = try ws.get("s.t", [b, units])
        for gate in [0, 1, 3] { try backend.apply(.sigmoid, a[gate], into: a[gate]) }
        try backend.apply(.tanh, a[2], into: a[2])
        // c' = f c + i g;  h' = o tanh(c')
        try backend.binary(.mul, a[1], c, into: c)
        try backend.binary(.mul, a[0], a[2], into: t)
        try backend.binary(.add, c, t, into: c)
        try backend.apply(.tanh, c, into: t)
        try backend.binary(.mul, a[3], t, into: h)
    }

    /// Every member at once: the factors are [B, N], G one strided-batched GEMM.
    func lstmJacobianTimes(_ states: Tensor<T>, member: Int?, _ q: Tensor<T>, into out: Tensor<T>) throws {
        let t = try TangentBatch(self, states, member: member, q)
        let (h, c) = (try segment(states, 0), try segment(states, 1))
        let a = try lstmForward(h, input: nil, single: t.shared, tag: "j.")
        let vec = { (name: String) in try self.ws.get("j." + name, [t.members, self.units]) }
        let (i, ic, f, fc, g, sg) = (try vec("i"), try vec("ic"), try vec("f"), try vec("fc"), try vec("g"), try vec("sg"))
        let (o, oc, cn, tc, sc) = (try vec("o"), try vec("oc"), try vec("cn"), try vec("tc"), try vec("sc"))
        let (di, df) = (try vec("di"), try vec("df"))
        for (x, y, yc) in [(a[0], i, ic), (a[1], f, fc), (a[3], o, oc)] {
            try backend.apply(.sigmoid, x, into: y)
            try sigmoidComplement(backend, x, into: yc)
        }
        try backend.apply(.tanh, a[2], into: g)
        try backend.apply(.sech2, a[2], into: sg)
        // c' = f c + i g, its tanh and sech²
        try backend.binary(.mul, f, c, into: cn)
        try backend.binary(.mul, i, g, into: tc)
        try backend.binary(.add, cn, tc, into: cn)
        try backend.apply(.tanh, cn, into: tc)
        try backend.apply(.sech2, cn, into: sc)
        // d_i = g i(1−i), d_f = c f(1−f), d_g = i sech²(a_g) (in sg)
        try backend.binary(.mul, i, ic, into: di)
        try backend.binary(.mul, di, g, into: di)
        try backend.binary(.mul, f, fc, into: df)
        try backend.binary(.mul, df, c, into: df)
        try backend.binary(.mul, sg, i, into: sg)
        // e_o = tanh(c') o(1−o) (in oc), κ = o sech²(c') (in sc)
        try backend.binary(.mul, oc, o, into: oc)
        try backend.binary(.mul, oc, tc, into: oc)
        try backend.binary(.mul, sc, o, into: sc)

        let gm = try gateProducts(t.segment(q, 0), t)
        let (oh, oc2) = (t.segment(out, 0), t.segment(out, 1))
        try t.scale(f, t.segment(q, 1), into: oc2)
        for (j, d) in [(0, di), (1, df), (2, sg)] {
            try t.scale(d, gateBlock(gm, j, t), into: oc2, beta: 1)
        }
        try t.scale(sc, oc2, into: oh)
        try t.scale(oc, gateBlock(gm, 3, t), into: oh, beta: 1)
    }
}
