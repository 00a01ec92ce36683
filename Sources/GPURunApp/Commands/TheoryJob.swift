import Compute
import OpenCLRuntime
import Dynamics
import Foundation

/// `gpurun theory`: the mean-field predictions of docs/theory.md for the rate network and the
/// gated RNN, and the gated RNN's phase diagram (docs/theory-gated.md, "Phase diagram").
public enum TheoryJob {
    /// The model and parameters theory is asked about.
    public struct Settings: ValidatedSettings, Sendable {
        /// rate or gated: theory exists for these.
        public var model: ModelSpec.Kind
        /// The coupling gain (g_h for the gated RNN) and the flows' step.
        public var g: Double, dt: Double
        public var integrator: Integrator
        /// The gated RNN's gate gains and biases.
        public var alphaZ: Double, betaZ: Double, alphaR: Double, betaR: Double
        /// Units: list the N predicted exponents (stable regime); gated RNN: sample a trajectory
        /// of N units for the Jacobian's support. nil: neither.
        public var n: Int?
        /// The Philox seed of that trajectory.
        public var seed: UInt64

        public init(model: ModelSpec.Kind, g: Double, dt: Double, integrator: Integrator, alphaZ: Double, betaZ: Double,
                    alphaR: Double, betaR: Double, n: Int?, seed: UInt64) {
            (self.model, self.g, self.dt, self.integrator) = (model, g, dt, integrator)
            (self.alphaZ, self.betaZ, self.alphaR, self.betaR) = (alphaZ, betaZ, alphaR, betaR)
            (self.n, self.seed) = (n, seed)
        }

        /// Throws unless the model has theory and the gain, step and units are positive.
        public func validate() throws {
            func bad(_ s: String) -> ComputeError { .invalidArgument(s) }
            guard model == .rate || model == .gated else {
                throw bad("theory exists for the rate network and the gated RNN, not for \(model.rawValue)")
            }
            guard g > 0 && g.isFinite else { throw bad("the gain must be positive, got \(g)") }
            guard dt > 0 && dt.isFinite else { throw bad("the step must be positive, got \(dt)") }
            if let n, n <= 0 { throw bad("the number of units must be positive, got \(n)") }
        }

        /// The model as the theory module takes it (one unit when `n` is nil).
        public var spec: ModelSpec {
            var spec = ModelSpec(kind: model, n: n ?? 1, g: g, dt: dt, seed: seed)
            (spec.alphaZ, spec.betaZ, spec.alphaR, spec.betaR) = (alphaZ, betaZ, alphaR, betaR)
            spec.integrator = integrator
            return spec
        }
    }

    /// `gpurun theory --json`: the prediction's keys, with the stable regime's quantiles and exponents.
    public struct Report: Encodable, Sendable {
        public var prediction: TheoryPrediction
        /// Stable regime: the distribution of the exponents (p, quantile), 101 points.
        public var quantiles: [[Double]]?
        /// With `n`, where a whole-spectrum theory exists (stable regime; δ = 1 rate map): the N
        /// (or 3N) predicted exponents, descending.
        public var exponents: [Double]?

        public func encode(to encoder: Encoder) throws {
            try prediction.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encodeIfPresent(quantiles, forKey: .quantiles)
            try c.encodeIfPresent(exponents, forKey: .exponents)
        }
        enum Key: String, CodingKey { case quantiles, exponents }
    }

    /// The prediction for `s`, after a sampled trajectory for the gated RNN with `n` (which
    /// `progress` hears about). Wrong settings, and settings theory refuses, are InvalidInput.
    public static func predict(_ s: Settings, progress: (String) -> Void = { _ in }) throws -> Report {
        try InvalidInput.check { try s.validate() }
        let spec = s.spec
        var samples: JacobianUnitSamples?
        if s.model == .gated, s.n != nil {
            let (transient, every) = try InvalidInput.check {
                (try Checked.integer(200 / s.dt, "the trajectory's transient (200 / dt steps)"),
                 max(1, try Checked.integer(1 / s.dt, "the trajectory's sampling interval (1 / dt steps)")))
            }
            let flops = MeanFieldTheory.trajectoryFlops(spec, transient: transient, count: 50, every: every)
            progress(String(format: "sampling a trajectory of the gated RNN, N = %d, seed %llu (CPU, about %.3g GFLOP)",
                            spec.n, s.seed, flops / 1e9))
            samples = try InvalidInput.check {
                try MeanFieldTheory.trajectorySamples(spec, transient: transient, count: 50, every: every)
            }
        }
        let prediction = try InvalidInput.check {
            guard let p = try MeanFieldTheory.predict(spec, samples: samples, progress: progress) else {
                throw ComputeError.invalidArgument("no theory for \(s.model.rawValue)")
            }
            return p
        }
        var report = Report(prediction: prediction)
        if let stable = prediction.stable {
            report.quantiles = (0...100).map { k in
                let p = min(max(Double(k) / 100, 1e-6), 1 - 1e-6)
                return [Double(k) / 100, stable.quantile(p)]
            }
            if s.n != nil { report.exponents = stable.exponents(total: spec.stateSize, leading: spec.stateSize) }
        }
        if prediction.fullSpectrum != nil, let n = s.n {
            // The δ = 1 rate map's N exponents (docs/theory-lyapunov-spectrum.md LS10).
            report.exponents = try InvalidInput.check { try RateMapSpectrum(g: s.g).exponents(n: n) }
        }
        return report
    }
}
