import Compute
import Foundation

/// What theory says about a Jacobian ensemble (docs/ensembles.md E7–E9): a law for the KS distance
/// where the density is known, and the support for the fraction of eigenvalues outside it.
///
/// - rate: −I + J diag(φ'(h)) is the radial law of `RadialLaw` about −1, with h ~ N(0, Δ0) of
///   the DMFT (the map's mean field for δ = 1; Δ0 = 0 at the fixed point or for g ≤ 1), and
///   its support the disc of radius g √E[φ'²]; an Euler step moves it to 1 − δ + δ(·);
/// - gated: the h block's support from unit samples of an independent trajectory of the same
///   ensemble (or the zero fixed point's disc), with the z and r blocks' point masses;
/// - GRU at h = 0: M = z₀ I + (1 − z₀) r₀ W_hn, the circular law about z₀ = σ(b_z) of radius
///   (1 − z₀) r₀ g, r₀ = σ(b_r);
/// - LSTM at (h, c) = 0: M = [o₀B; B] with B = [i₀W_g, f₀I], so its nonzero eigenvalues are
///   those of B [o₀I; I] = f₀ I + i₀ o₀ W_g: a uniform disc about f₀ = σ(b_f) of radius g/4
///   holding half the spectrum, and N zeros;
/// - GRU and LSTM along trajectories: the `DeformedLaw` of their mean-field unit statistics after
///   the transient (docs/theory-gru-lstm.md GL1–GL11), its support, spectral radius and slow modes.
enum JacobianEnsembleTheory {
    /// The seed of the mean-field process's own Philox draws (independent of the samples').
    static let meanFieldSeed: UInt64 = 0x6772_756d_6674

    /// Within this distance of 1 an eigenvalue is a slow mode (a time scale beyond ~20 steps).
    static let slowModeRadius = 0.05

    static func gatedMap(_ spec: ModelSpec, transient: Int) throws -> (law: SpectralLaw?, support: JacobianSpectrumTheory?) {
        let mf = try GatedMapMeanField(spec, steps: transient, seed: meanFieldSeed)
        let source = "mean field after \(mf.steps) steps" + (transient > mf.steps ? " (taken as stationary)" : "")
        let law = DeformedLaw(form: spec.kind == .gru ? .gru : .lstm, gain: spec.g, units: mf.units, source: source)
        var support = JacobianSpectrumTheory(
            model: spec.kind.rawValue, matrix: .map, integrator: .euler, dt: 1, source: source,
            support: JacobianSupport(law: law), disc: nil, pointMasses: [], slowThreshold: nil)
        support.slowModes = .init(radius: slowModeRadius, fraction: law.mass(within: slowModeRadius, of: 1))
        return (.deformed(law), support)
    }

    static func make(_ spec: ModelSpec, matrix: JacobianSpectrumTheory.Matrix, options: JacobianEnsembleOptions) throws
        -> (law: SpectralLaw?, support: JacobianSpectrumTheory?)
    {
        let atFixedPoint = options.at == .fixedPoint
        let g = spec.g
        switch spec.kind {
        case .rate:
            var delta0 = 0.0, source = "zero fixed point"
            if !atFixedPoint && g > 1 {
                if spec.integrator == .euler && spec.dt == 1 {
                    (delta0, source) = (try RateMapMeanField.solve(g: g).delta0, "mean-field map")
                } else {
                    (delta0, source) = (try RateFlowDMFT.solve(g: g).delta0, "DMFT")
                }
            }
            let flowLaw = RadialLaw.rateJacobian(g: g, delta0: delta0, source: source)
            let radius = flowLaw.outerRadius
            let support = JacobianSpectrumTheory(
                model: "rate", matrix: matrix, integrator: spec.integrator, dt: spec.dt, source: source,
                support: JacobianSupport(gain: radius, samples: JacobianUnitSamples(leak: [1], gain: [1])),
                disc: (-1, radius), pointMasses: [], slowThreshold: nil)
            let law: SpectralLaw?
            switch (matrix, spec.integrator) {
            case (.step, .euler):
                law = .radial(RadialLaw.rateJacobian(g: g, delta0: delta0, center: 1 - spec.dt, scale: spec.dt,
                                                     source: source))
            case (.step, .rk4): law = nil  // m(δA) is not rotation invariant about any centre
            default: law = .radial(flowLaw)
            }
            return (law, support)
        case .gated:
            let o = spec.gatedOptions
            var samples: JacobianUnitSamples?
            if !atFixedPoint {
                samples = try MeanFieldTheory.trajectorySamples(spec, transient: max(options.transientSteps, 500))
            } else if o.alphaZ == 0 && o.alphaR == 0 {
                samples = .gated(h: [0], z: [0], r: [0], options: o)
            }
            return (nil, try MeanFieldTheory.jacobianSpectrumTheory(model: spec, matrix: matrix, samples: samples))
        case .gru:
            guard atFixedPoint else { return try gatedMap(spec, transient: options.transientSteps) }
            let z0 = logistic(spec.biasZ), r0 = logistic(spec.biasR)
            let scale = (1 - z0) * r0
            let law = RadialLaw(center: z0, scale: scale, a: [g * g], weights: [1], source: "zero fixed point")
            let support = JacobianSpectrumTheory(
                model: "gru", matrix: .map, integrator: .euler, dt: 1, source: "zero fixed point",
                support: JacobianSupport(gain: g, samples: JacobianUnitSamples(leak: [-z0], gain: [scale])),
                disc: (z0, g * scale), pointMasses: [], slowThreshold: nil)
            return (.radial(law), support)
        case .lstm:
            guard atFixedPoint else { return try gatedMap(spec, transient: options.transientSteps) }
            let f0 = logistic(spec.biasF), i0 = 0.5, o0 = 0.5
            let support = JacobianSpectrumTheory(
                model: "lstm", matrix: .map, integrator: .euler, dt: 1, source: "zero fixed point",
                support: JacobianSupport(gain: g, samples: JacobianUnitSamples(leak: [-f0], gain: [i0 * o0])),
                disc: (f0, g * i0 * o0), pointMasses: [.init(eigenvalue: 0, weight: 0.5)], slowThreshold: nil)
            return (nil, support)
        case .linear:
            return (nil, nil)
        }
    }

    static func logistic(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
}
