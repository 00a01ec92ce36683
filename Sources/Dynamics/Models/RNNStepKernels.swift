import Compute
import OpenCLRuntime
import COpenCL

/// Launchers for kernels/rnn_step.cl: the pointwise half of a fused GRU or LSTM step, one
/// work-item per (unit, row).
public enum RNNStepKernels {
    /// The stacked-gate operands of one update: G = H W_hhᵀ ([rows, gates·N]), X = x W_ihᵀ (nil:
    /// no input), the biases ([networks, gates·N]) and whether row b uses network b.
    public struct Gates {
        public var g: Operand
        public var x: Operand?
        public var gateBias: Operand
        public var perRow: Bool
        public init(g: Operand, x: Operand?, gateBias: Operand, perRow: Bool) {
            self.g = g
            self.x = x
            self.gateBias = gateBias
            self.perRow = perRow
        }
        var args: [KernelArg] {
            g.args + (x ?? g).args + [.int32(x == nil ? 0 : 1), .buffer(gateBias.mem)]
        }
    }

    public static func gru(dtype: DType, fp64: Bool, gates: Gates, biasHH: Operand, h: Operand, units: Int,
                           rows: Int) -> KernelInvocation {
        KernelInvocation(
            file: "rnn_step.cl", name: "gru_update", options: dtype.kernelOptions(deviceHasFP64: fp64),
            args: gates.args + [.buffer(biasHH.mem), .int32(gates.perRow ? 1 : 0)] + h.args
                + [.uint32(UInt32(units)), .uint32(UInt32(rows))],
            global: [units, rows], local: nil, needsFP64: dtype == .f64)
    }

    public static func lstm(dtype: DType, fp64: Bool, gates: Gates, h: Operand, c: Operand, units: Int,
                            rows: Int) -> KernelInvocation {
        KernelInvocation(
            file: "rnn_step.cl", name: "lstm_update", options: dtype.kernelOptions(deviceHasFP64: fp64),
            args: gates.args + [.int32(gates.perRow ? 1 : 0)] + h.args + c.args
                + [.uint32(UInt32(units)), .uint32(UInt32(rows))],
            global: [units, rows], local: nil, needsFP64: dtype == .f64)
    }

    /// Coefficients of one flow stage kernel: `mode` 0 begins a step, 1 finishes a stage and
    /// begins the next, 2 finishes the last; aPrev = δ·(weight of the finished stage), cNext =
    /// δ·(offset of the next stage state).
    public struct Stage {
        public var mode: Int32
        public var aPrev: Double
        public var cNext: Double
        public init(mode: Int32, aPrev: Double, cNext: Double) {
            self.mode = mode
            self.aPrev = aPrev
            self.cNext = cNext
        }
    }

    /// kernels/rnn_step.cl rate_stage over `count` elements; `aLast` > 0 folds the step's last
    /// slope into the final GEMM (x −= aLast y here).
    public static func rateStage(dtype: DType, fp64: Bool, stage: Stage, aLast: Double?, x: Operand, x0: cl_mem?,
                                 y: cl_mem?, k: cl_mem?, p: cl_mem?, count: Int) -> KernelInvocation {
        let s = { ElementwiseKernels.scalar($0, dtype) }
        return KernelInvocation(
            file: "rnn_step.cl", name: "rate_stage", options: dtype.kernelOptions(deviceHasFP64: fp64),
            args: [.int32(stage.mode), .int32(aLast == nil ? 0 : 1), s(stage.aPrev), s(stage.cNext), s(aLast ?? 0)]
                + x.args + [.buffer(x0), .buffer(y), .buffer(k), .buffer(p), .uint64(UInt64(count))],
            global: [count], local: [64], needsFP64: dtype == .f64)
    }

    /// The gated RNN's gate constants: α_z, β_z, α_r, β_r, 1/τ_z, 1/τ_r.
    public struct GatedConstants {
        public var values: [Double]
        public init(alphaZ: Double, betaZ: Double, alphaR: Double, betaR: Double, tauZ: Double, tauR: Double) {
            values = [alphaZ, betaZ, alphaR, betaR, 1 / tauZ, 1 / tauR]
        }
    }

    /// kernels/rnn_step.cl gated_stage over (unit, row).
    public static func gatedStage(dtype: DType, fp64: Bool, stage: Stage, constants: GatedConstants, x: Operand,
                                  x0: cl_mem?, y: cl_mem?, k: cl_mem?, p: cl_mem?, interleaved: Bool, units: Int,
                                  rows: Int) -> KernelInvocation {
        let s = { ElementwiseKernels.scalar($0, dtype) }
        return KernelInvocation(
            file: "rnn_step.cl", name: "gated_stage", options: dtype.kernelOptions(deviceHasFP64: fp64),
            args: [.int32(stage.mode), s(stage.aPrev), s(stage.cNext)] + constants.values.map(s) + x.args
                + [.buffer(x0), .buffer(y), .buffer(k), .buffer(p), .int32(interleaved ? 1 : 0),
                   .uint32(UInt32(units)), .uint32(UInt32(rows))],
            global: [units, rows], local: nil, needsFP64: dtype == .f64)
    }
}
