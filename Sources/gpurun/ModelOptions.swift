import ArgumentParser
import GPURunApp
import Compute

/// The model options `step`, `lyapunov` and `spectrum` share (docs/models.md).
struct ModelOptions: ParsableArguments {
    @Option(help: "The model.") var model: ModelSpec.Kind = .rate
    @Option(help: "Units N (weights files decide N when given).") var n: Int?
    @Option(help: "Coupling gain g (g_h for the gated RNN).") var g: Double = 2
    @Option(help: "Step of the flows (rate, gated).") var dt: Double = 0.1
    @Option(help: "Integrator of the flows (RK4 with its exact tangent map).") var integrator: Integrator = .euler
    @Option(help: "Philox seed.") var seed: UInt64 = 1
    @Option(help: "Directory of .npy weights (J.npy, W.npy, Jh/Jz/Jr.npy, PyTorch state_dict names) or one .npy file.")
    var weights: String?
    @Flag(help: "Keep the diagonal of the random couplings (default: J_ii = 0).") var keepDiagonal = false
    @Option(name: .customLong("alpha-z"), help: "Gated RNN: update-gate gain α_z.") var alphaZ: Double = 1
    @Option(name: .customLong("beta-z"), help: "Gated RNN: update-gate bias β_z (positive closes it).") var betaZ: Double = 0
    @Option(name: .customLong("alpha-r"), help: "Gated RNN: output-gate gain α_r.") var alphaR: Double = 1
    @Option(name: .customLong("beta-r"), help: "Gated RNN: output-gate bias β_r.") var betaR: Double = 0
    @Option(name: .customLong("bias-z"), help: "GRU: update-gate bias b_z.") var biasZ: Double = 0
    @Option(name: .customLong("bias-r"), help: "GRU: reset-gate bias b_r.") var biasR: Double = 0
    @Option(name: .customLong("bias-f"), help: "LSTM: forget-gate bias b_f.") var biasF: Double = 0

    /// The model, validated by the library.
    func spec(networks: Int = 1) throws -> ModelSpec {
        guard n != nil || weights != nil else { throw ValidationError("give --n N (or --weights PATH)") }
        var s = ModelSpec(kind: model, n: n ?? 0, g: g, dt: dt, seed: seed, weights: weights, networks: networks,
                          zeroDiagonal: !keepDiagonal)
        (s.alphaZ, s.betaZ, s.alphaR, s.betaR) = (alphaZ, betaZ, alphaR, betaR)
        (s.biasZ, s.biasR, s.biasF) = (biasZ, biasR, biasF)
        s.integrator = integrator
        try wrap { try s.validate() }
        return s
    }
}
