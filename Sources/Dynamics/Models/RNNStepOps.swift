import Compute
import OpenCLRuntime

/// The pointwise halves of the fused RNN steps (issue 17) as an op family: each sits between
/// GEMMs of the backend's GEMM op. OpenCL: one launch of kernels/rnn_step.cl each; CPU: the
/// same formulas in the same order in Swift (the twins). `gpurun validate` (ModelChecks) holds
/// the two to each other and to the launch chains.
public protocol RNNStepOps: Backend {
    /// A gated cell's update: given G = H W_hhᵀ ([rows, gates·N], one GEMM with the stacked gate
    /// weights) and X = x W_ihᵀ (nil: x = 0), adds the biases, applies every gate nonlinearity
    /// and updates the state in place (docs/models.md M13, M18).
    func gateUpdate<T: Scalar>(_ kind: GateCellKind, _ u: GateUpdate<T>) throws
    /// One rate-network stage (kernels/rnn_step.cl rate_stage; docs/models.md M1, docs/integrators.md I1–I2).
    func rateStage<T: Scalar>(_ s: FlowStage<T>, aLast: Double?) throws
    /// One gated-RNN stage (kernels/rnn_step.cl gated_stage; docs/models.md M7–M8).
    func gatedStage<T: Scalar>(_ s: FlowStage<T>, constants: RNNStepKernels.GatedConstants, interleaved: Bool) throws
}

/// Operands of `gateUpdate`: `gateBias` holds b_ih + b_hh per gate (for the GRU's n gate b_in
/// alone), `biasHH` the GRU's b_hn (inside r ⊙ ·); `perRow`: row b uses network b's biases.
public struct GateUpdate<T: Scalar> {
    public var g: Tensor<T>
    public var x: Tensor<T>?
    public var gateBias: Tensor<T>
    public var biasHH: Tensor<T>
    public var perRow: Bool
    public var h: Tensor<T>
    /// The LSTM's cell state c ([rows, N]); nil for the GRU.
    public var c: Tensor<T>?
    public var units: Int
    public var rows: Int
}

/// Operands of a flow stage: the states x ([segments, rows, N]), the step's start x0 and stage
/// state y (x's shape), the last GEMM's result k and the next GEMM's operand p.
public struct FlowStage<T: Scalar> {
    public var stage: RNNStepKernels.Stage
    public var x: Tensor<T>
    public var x0: Tensor<T>
    public var y: Tensor<T>
    public var k: Tensor<T>
    public var p: Tensor<T>
    public var units: Int
    public var rows: Int
}

// The twins are specialised for both dtypes: called generically from another module, each
// arithmetic op would otherwise go through Scalar's witness table (3-10x slower steps).
extension CPUBackend: RNNStepOps {
    /// CPU twin of kernels/rnn_step.cl gru_update / lstm_update, formula for formula.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func gateUpdate<T: Scalar>(_ kind: GateCellKind, _ u: GateUpdate<T>) throws {
        let n = u.units, gates = kind.gates
        let g = ptr(u.g), gb = ptr(u.gateBias), bhh = ptr(u.biasHH), h = ptr(u.h)
        let x: UnsafeMutablePointer<T>? = u.x.map { ptr($0) }
        let c: UnsafeMutablePointer<T>? = u.c.map { ptr($0) }
        for b in 0..<u.rows {
            let row = b * gates * n, bias = (u.perRow ? b : 0) * gates * n
            for j in 0..<n {
                // Gate q's pre-activation: bias + H W_hhᵀ (+ x W_ihᵀ).
                @inline(__always) func pre(_ q: Int) -> T {
                    gb[bias + q * n + j] + g[row + q * n + j] + (x?[row + q * n + j] ?? 0)
                }
                let e = b * n + j
                if kind == .gru {
                    let ar = pre(0), az = pre(1)
                    let m = bhh[bias + 2 * n + j] + g[row + 2 * n + j]
                    let an = gb[bias + 2 * n + j] + (x?[row + 2 * n + j] ?? 0) + sigmoid(ar) * m
                    let z = sigmoid(az), nn = T.tanh(an)
                    h[e] = nn + z * (h[e] - nn)
                } else if let c {
                    let (ai, af, ag, ao) = (pre(0), pre(1), pre(2), pre(3))
                    let cn = sigmoid(af) * c[e] + sigmoid(ai) * T.tanh(ag)
                    c[e] = cn
                    h[e] = sigmoid(ao) * T.tanh(cn)
                }
            }
        }
    }

    /// CPU twin of rate_stage.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func rateStage<T: Scalar>(_ s: FlowStage<T>, aLast: Double?) throws {
        let x = ptr(s.x), x0 = ptr(s.x0), y = ptr(s.y), k = ptr(s.k), p = ptr(s.p)
        let (aPrev, cNext) = (T(s.stage.aPrev), T(s.stage.cNext))
        for i in 0..<(s.rows * s.units) {
            var yi: T
            if s.stage.mode == 0 {
                yi = x[i]
                x0[i] = yi
            } else {
                let ki = k[i] - y[i]
                x[i] += aPrev * ki
                yi = x0[i] + cNext * ki
            }
            y[i] = yi
            p[i] = T.tanh(yi)
            if let aLast { x[i] -= T(aLast) * yi }
        }
    }

    /// CPU twin of gated_stage.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func gatedStage<T: Scalar>(_ s: FlowStage<T>, constants: RNNStepKernels.GatedConstants,
                                      interleaved: Bool) throws {
        let x = ptr(s.x), x0 = ptr(s.x0), y = ptr(s.y), k = ptr(s.k), p = ptr(s.p)
        let c = constants.values.map { T($0) }
        let (az, bz, ar, br, itz, itr) = (c[0], c[1], c[2], c[3], c[4], c[5])
        let (n, rows) = (s.units, s.rows), seg = s.rows * s.units
        let (aPrev, cNext) = (T(s.stage.aPrev), T(s.stage.cNext))
        func pk(_ g: Int, _ b: Int, _ j: Int) -> Int { interleaved ? (3 * b + g) * n + j : (g * rows + b) * n + j }
        for b in 0..<rows {
            for j in 0..<n {
                let e = b * n + j
                var (yh, yz, yr) = (x[e], x[seg + e], x[2 * seg + e])
                if s.stage.mode == 0 {
                    (x0[e], x0[seg + e], x0[2 * seg + e]) = (yh, yz, yr)
                } else {
                    let (oh, oz, or) = (y[e], y[seg + e], y[2 * seg + e])
                    let sz = sigmoid(az * oz - bz)
                    let kh = sz * (k[pk(0, b, j)] - oh)
                    let kz = (k[pk(1, b, j)] - oz) * itz
                    let kr = (k[pk(2, b, j)] - or) * itr
                    x[e] += aPrev * kh
                    x[seg + e] += aPrev * kz
                    x[2 * seg + e] += aPrev * kr
                    if s.stage.mode == 2 { continue }
                    (yh, yz, yr) = (x0[e] + cNext * kh, x0[seg + e] + cNext * kz, x0[2 * seg + e] + cNext * kr)
                }
                (y[e], y[seg + e], y[2 * seg + e]) = (yh, yz, yr)
                let phi = T.tanh(yh)
                p[pk(0, b, j)] = sigmoid(ar * yr - br) * phi
                p[pk(1, b, j)] = phi
                p[pk(2, b, j)] = phi
            }
        }
    }

    @inline(__always) private func sigmoid<T: Scalar>(_ v: T) -> T { 1 / (1 + T.exp(-v)) }
}

extension OpenCLBackend: RNNStepOps {
    /// One launch of gru_update or lstm_update.
    public func gateUpdate<T: Scalar>(_ kind: GateCellKind, _ u: GateUpdate<T>) throws {
        try checkDType(T.self, "the \(kind.rawValue) update")
        let gates = RNNStepKernels.Gates(g: operand(u.g), x: u.x.map { operand($0) }, gateBias: operand(u.gateBias),
                                         perRow: u.perRow)
        if kind == .gru {
            try cl.run(RNNStepKernels.gru(dtype: T.dtype, fp64: cl.info.fp64, gates: gates, biasHH: operand(u.biasHH),
                                          h: operand(u.h), units: u.units, rows: u.rows))
        } else if let c = u.c {
            try cl.run(RNNStepKernels.lstm(dtype: T.dtype, fp64: cl.info.fp64, gates: gates, h: operand(u.h),
                                           c: operand(c), units: u.units, rows: u.rows))
        }
    }

    public func rateStage<T: Scalar>(_ s: FlowStage<T>, aLast: Double?) throws {
        try checkDType(T.self, "the rate stage")
        try cl.run(RNNStepKernels.rateStage(dtype: T.dtype, fp64: cl.info.fp64, stage: s.stage, aLast: aLast,
                                            x: operand(s.x), x0: whole(s.x0).mem, y: whole(s.y).mem, k: whole(s.k).mem,
                                            p: whole(s.p).mem, count: s.rows * s.units))
    }

    public func gatedStage<T: Scalar>(_ s: FlowStage<T>, constants: RNNStepKernels.GatedConstants,
                                      interleaved: Bool) throws {
        try checkDType(T.self, "the gated stage")
        try cl.run(RNNStepKernels.gatedStage(dtype: T.dtype, fp64: cl.info.fp64, stage: s.stage, constants: constants,
                                             x: operand(s.x), x0: whole(s.x0).mem, y: whole(s.y).mem, k: whole(s.k).mem,
                                             p: whole(s.p).mem, interleaved: interleaved, units: s.units, rows: s.rows))
    }

    /// A workspace tensor's buffer (offset 0: the stage kernels index scratch without offsets).
    private func whole<T>(_ t: Tensor<T>) throws -> Operand {
        let o = operand(t)
        guard o.offset == 0 else { throw ComputeError.invalidArgument("stage scratch must start at offset 0") }
        return o
    }
}

extension Backend {
    /// Kernels this backend has enqueued so far (0 on the CPU engine): the OpenCL runtime's
    /// launch counter, for launches-per-step assertions and `--profile`.
    public var kernelLaunches: Int {
        if case .opencl(let cl) = kind { cl.launchCount } else { 0 }
    }

    /// The fused-step family, or an error naming the backend.
    func rnnStepOps() throws -> any RNNStepOps {
        guard let ops = self as? any RNNStepOps else {
            throw ComputeError.invalidArgument("\(label) has no fused RNN step ops")
        }
        return ops
    }
}
