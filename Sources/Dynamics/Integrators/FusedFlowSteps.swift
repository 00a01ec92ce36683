import Compute
import OpenCLRuntime

/// The fused flow steps (issue 17): each Euler step or RK4 stage is one GEMM of the backend's
/// GEMM op and one stage pass of `RNNStepOps` (kernels/rnn_step.cl, or its CPU twin), instead
/// of FlowIntegration's chain of velocity evaluations, copies and axpbys. Same arithmetic as
/// docs/integrators.md I1–I2 up to rounding.
///
/// RK4 coefficients, stage s = 0…3: the stage state y_{s+1} = x0 + δ c_s k_s, c = (½, ½, 1),
/// and the step x ← x0 + δ Σ w_s k_s, w = (1/6, 1/3, 1/3, 1/6).
enum FusedFlowSteps {
    static let toState = [0.5, 0.5, 1.0], weight = [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6]

    /// Scratch of one fused step: the step's start x0, the stage state y, the GEMM result k and
    /// its operand p, of `shape` each.
    static func scratch<T: Scalar>(_ ws: Workspace<T>, _ shape: [Int]) throws
        -> (x0: Tensor<T>, y: Tensor<T>, k: Tensor<T>, p: Tensor<T>)
    {
        (try ws.get("fused.x0", shape), try ws.get("fused.y", shape), try ws.get("fused.k", shape),
         try ws.get("fused.p", shape))
    }

    /// Rate network RK4 (docs/models.md M1): 4 × (stage pass, GEMM) = 8 launches; the last
    /// slope goes straight into x through the last GEMM (β = 1), so nothing follows it.
    static func rateRK4<T: Scalar>(_ m: RateNetwork<T>, _ states: Tensor<T>) throws {
        let ops = try m.backend.rnnStepOps()
        let b = m.batchSize(states), n = m.units, dt = m.dt
        let x = try states.reshaped([b, n])
        let s = try scratch(m.ws, [b, n])
        func product(alpha: T, beta: T, into c: Tensor<T>) throws {
            try rowsTimesWeightsT(m.backend, s.p, m.couplings, networks: m.networks, nOut: n, nIn: n, alpha: alpha,
                                  beta: beta, into: c)
        }
        let aLast = dt * weight[3]
        try ops.rateStage(FlowStage(stage: .init(mode: 0, aPrev: 0, cNext: 0), x: x, x0: s.x0, y: s.y, k: s.k, p: s.p,
                                    units: n, rows: b), aLast: nil)
        for stage in 0..<3 {
            try product(alpha: 1, beta: 0, into: s.k)
            try ops.rateStage(FlowStage(stage: .init(mode: 1, aPrev: dt * weight[stage], cNext: dt * toState[stage]),
                                        x: x, x0: s.x0, y: s.y, k: s.k, p: s.p, units: n, rows: b),
                              aLast: stage == 2 ? aLast : nil)
        }
        try product(alpha: T(aLast), beta: 1, into: x)
    }

    /// The gated RNN's products K = P Jᵀ for the three couplings in one strided-batched GEMM:
    /// P [3, B, N] against J^h, J^z, J^r (one network), or P [B, 3, N] against network b's three
    /// (B = networks), so entry i of the batch is matrix i of `weights`.
    static func gatedProducts<T: Scalar>(_ m: GatedRNN<T>, p: Tensor<T>, into k: Tensor<T>, rows: Int) throws {
        let n = m.units
        var g: GemmParams
        if m.networks == 1 {
            g = GemmParams(m: rows, n: n, k: n, transB: true, batch: 3)
        } else {
            g = GemmParams(m: 1, n: n, k: n, transB: true, batch: 3 * rows)
        }
        g.strideB = n * n
        try m.backend.gemm(g, alpha: 1, p, m.weights, beta: 0, k)
    }

    /// Gated RNN (docs/models.md M7–M8): Euler is stage pass, GEMM, closing pass (3 launches);
    /// RK4 is 4 × (stage pass, GEMM) and the closing pass (9 launches).
    static func gatedStep<T: Scalar>(_ m: GatedRNN<T>, _ states: Tensor<T>) throws {
        let ops = try m.backend.rnnStepOps()
        let b = m.batchSize(states), n = m.units, dt = m.timeStep, o = m.options
        let s = try scratch(m.ws, [3, b, n])
        let constants = RNNStepKernels.GatedConstants(alphaZ: o.alphaZ, betaZ: o.betaZ, alphaR: o.alphaR,
                                                      betaR: o.betaR, tauZ: o.tauZ, tauR: o.tauR)
        func pass(_ mode: Int32, _ aPrev: Double, _ cNext: Double) throws {
            try ops.gatedStage(FlowStage(stage: .init(mode: mode, aPrev: aPrev, cNext: cNext), x: states, x0: s.x0,
                                         y: s.y, k: s.k, p: s.p, units: n, rows: b),
                               constants: constants, interleaved: m.networks > 1)
            if mode != 2 { try gatedProducts(m, p: s.p, into: s.k, rows: b) }
        }
        try pass(0, 0, 0)
        if m.integrator == .rk4 {
            for stage in 0..<3 { try pass(1, dt * weight[stage], dt * toState[stage]) }
            try pass(2, dt * weight[3], 0)
        } else {
            try pass(2, dt, 0)
        }
    }
}
