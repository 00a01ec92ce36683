import Compute
import OpenCLRuntime
import Foundation

/// What theory predicts for a model (docs/theory.md):
/// `gpurun theory` prints it, `gpurun lyapunov` puts it beside the simulation.
public struct TheoryPrediction: Codable, Sendable {
    public var model: String
    public var g: Double
    public var dt: Double
    public var integrator: Integrator
    /// "stable", "critical", "chaotic", or "linear" (the linear map).
    public var regime: String
    /// Where the numbers come from, in words.
    public var method: String
    /// The largest exponent, per unit time (per step for maps); nil where theory has none.
    public var lambdaMax: Double?
    /// (1/n) Σ λ_i over the whole spectrum.
    public var meanExponent: Double?
    public var flow: RateFlowDMFT?
    public var map: RateMapMeanField?
    public var stable: StableSpectrum?
    public var gated: GatedPrediction?
    public var jacobian: JacobianSpectrumTheory?
    /// The whole spectrum beyond the stable regime (docs/theory-lyapunov-spectrum.md): the
    /// δ = 1 rate map's free-probability spectrum, D_KY/N and h_KS/N; nil elsewhere, with
    /// `fullSpectrumNote` saying why.
    public var fullSpectrum: FullSpectrumTheory?
    public var fullSpectrumNote: String?
    public var notes: [String]

    /// The gated RNN's exact facts (docs/models.md M12, docs/theory.md T8, T9).
    public struct GatedPrediction: Codable, Sendable {
        public var sigmaZ0: Double
        public var sigmaR0: Double
        /// g_h at which the zero fixed point loses stability: 1/σ_r(0) = 1 + e^{β_r}.
        public var criticalGain: Double
        public var zeroFixedPointStable: Bool
        /// α_z = α_r = 0: the h dynamics are the rate network's with gain g_h σ_r(0), slowed by σ_z(0).
        public var constantGates: Bool
        public var equivalentRateGain: Double
        public var timeScale: Double
        public var slowModeThreshold: Double
        /// The smallest g_h with nonzero solutions of the static equations (G2): fixed points
        /// other than 0 proliferate above it (docs/theory-gated.md, G3). Below criticalGain: the
        /// discontinuous transition.
        public var proliferationGain: Double?
        /// The static solution (G1–G2) at these parameters, if any.
        public var fixedPoints: GatedStaticMFT?
        /// The DMFT of the chaotic state (G4–G7), α_z = 0 with an active output gate.
        public var dmft: GatedDMFT?
    }
}

/// The theory module's entry points (Sources/Compute/Theory): predictions for a model spec,
/// and the Jacobian spectrum's support for `gpurun spectrum`.
public enum MeanFieldTheory {
    /// σ_z below this counts as a slow mode.
    public static let slowModeThreshold = 0.05

    /// The predictions for `spec`, or nil for models without theory (GRU, LSTM) and for loaded
    /// weights (the theory is for the random couplings of docs/models.md M0, M9). `samples` (gated RNN)
    /// are unit values along a trajectory for the Jacobian's support.
    /// `progress` gets lines from the solvers that can take long (the gated DMFT's iteration).
    public static func predict(_ spec: ModelSpec, samples: JacobianUnitSamples? = nil,
                               progress: (String) -> Void = { _ in }) throws -> TheoryPrediction? {
        guard spec.weights == nil else { return nil }
        switch spec.kind {
        case .rate: return try rate(g: spec.g, dt: spec.dt, integrator: spec.integrator)
        case .linear:
            let s = StableSpectrum(discCenter: -1, discRadius: spec.g, dt: 1, integrator: .euler)
            return TheoryPrediction(model: "linear", g: spec.g, dt: 1, integrator: .euler, regime: "linear",
                                    method: "circular law: λ = ln|μ|, μ uniform on the disc of radius g",
                                    lambdaMax: s.lambdaMax, meanExponent: s.meanExponent, stable: s, notes: [])
        case .gated: return try gated(spec, samples: samples, progress: progress)
        case .gru, .lstm: return nil
        }
    }

    /// The rate network at gain g, step δ.
    public static func rate(g: Double, dt: Double, integrator: Integrator) throws -> TheoryPrediction {
        var p = TheoryPrediction(model: "rate", g: g, dt: dt, integrator: integrator, regime: "chaotic", method: "",
                                 notes: [])
        let isMap = integrator == .euler && dt == 1
        if g <= 1 {
            let s = StableSpectrum(discCenter: -1, discRadius: g, dt: dt, integrator: integrator)
            p.regime = g == 1 ? "critical" : "stable"
            p.method = "circular law at the fixed point h = 0: λ = ln|m(δ(μ − 1))|/δ, μ uniform on the disc of radius g"
            (p.stable, p.lambdaMax, p.meanExponent) = (s, s.lambdaMax, s.meanExponent)
            if !isMap { p.notes.append("the flow's limit δ → 0: λ_max = g − 1 = \(short(g - 1)), mean exponent −1") }
            p.flow = try RateFlowDMFT.solve(g: g)
        } else if isMap {
            let m = try RateMapMeanField.solve(g: g)
            p.method = "mean-field theory of the map h ← J φ(h) (δ = 1)"
            (p.map, p.lambdaMax, p.meanExponent) = (m, m.lambdaMax, m.meanExponent)
            // The whole spectrum is 2200 root solves over a quadrature of about 576·√Δ0 nodes:
            // past √Δ0 = 40 (g ≈ 40) it is not computed here (seconds per call), and a solver
            // failure is reported in the note, never as numbers (λ_max and the mean stand).
            if m.delta0 > 1600 {
                p.fullSpectrumNote = "the whole spectrum is not computed at g = \(short(g)) (Δ0 = \(short(m.delta0)) > 1600: its quadrature would need over 23 000 nodes per root); λ_max and the mean exponent are the mean field's"
            } else {
                do { p.fullSpectrum = try FullSpectrumTheory.rateMap(g: g) } catch {
                    p.fullSpectrumNote = "the whole-spectrum solver failed (\(error)); λ_max and the mean exponent are the mean field's"
                }
            }
        } else {
            let f = try RateFlowDMFT.solve(g: g)
            p.method = "dynamical mean-field theory of the flow (Sompolinsky–Crisanti–Sommers)"
            (p.flow, p.lambdaMax, p.meanExponent) = (f, f.lambdaMax, f.meanExponent)
            p.fullSpectrumNote = "no theory for the whole spectrum of the chaotic flow or of steps δ < 1: only λ_max (DMFT) and the mean exponent; the δ = 1 map's free-probability spectrum does not carry over (docs/theory-lyapunov-spectrum.md, \"The flow\")"
            if integrator == .euler {
                p.notes.append("the DMFT is the flow's (δ → 0); Euler steps of δ = \(short(dt)) differ from it by O(δ): use the RK4 integrator or a smaller dt to compare")
            }
        }
        let d0 = p.map?.delta0 ?? p.flow?.delta0 ?? 0
        // E[φ'(h)²] = E[sech⁴]: the centred rule resolves it at any Δ0 (docs/theory.md T1b).
        let rule = GaussHermite.centred(scale: d0.squareRoot(), cache: GaussHermiteCache())
        let meanSquareGain = rule.expectation { let s = TanhFamily.at(d0.squareRoot() * $0).s; return s * s }
        let radius = g * meanSquareGain.squareRoot()
        p.jacobian = JacobianSpectrumTheory(
            model: "rate", matrix: .flow, integrator: integrator, dt: dt, source: g <= 1 ? "zero fixed point" : "DMFT",
            support: JacobianSupport(gain: radius, samples: JacobianUnitSamples(leak: [1], gain: [1])),
            disc: (-1, radius), pointMasses: [], slowThreshold: nil)
        return p
    }

    static func gated(_ spec: ModelSpec, samples: JacobianUnitSamples?, progress: (String) -> Void) throws -> TheoryPrediction {
        let o = spec.gatedOptions
        let (sz, sr) = (o.sigmaZ0, o.sigmaR0)
        let geff = o.gH * sr
        let constant = o.alphaZ == 0 && o.alphaR == 0
        var p = TheoryPrediction(model: "gated", g: o.gH, dt: o.dt, integrator: spec.integrator, regime: "chaotic",
                                 method: "", notes: [])
        // The h block's disc without samples: the zero fixed point's, or with constant gates in
        // the chaotic state σ_z(0) times the equivalent rate network's DMFT disc.
        var disc = (center: -sz, radius: o.gH * sz * sr), discSource = "zero fixed point"
        p.gated = .init(sigmaZ0: sz, sigmaR0: sr, criticalGain: o.criticalGain, zeroFixedPointStable: geff < 1,
                        constantGates: constant, equivalentRateGain: geff, timeScale: sz,
                        slowModeThreshold: slowModeThreshold)
        let zMass = StableSpectrum.PointMass(eigenvalue: -1 / o.tauZ, weight: 1.0 / 3)
        let rMass = StableSpectrum.PointMass(eigenvalue: -1 / o.tauR, weight: 1.0 / 3)
        if geff <= 1 {
            let s = StableSpectrum(discCenter: -sz, discRadius: o.gH * sz * sr, discWeight: 1.0 / 3,
                                   pointMasses: [zMass, rMass], dt: o.dt, integrator: spec.integrator)
            p.regime = geff == 1 ? "critical" : "stable"
            p.method = "zero fixed point (docs/models.md M12): h-block eigenvalues σ_z(0)(−1 + g_h σ_r(0) μ), μ on the unit disc; −1/τ_z, −1/τ_r"
            (p.stable, p.lambdaMax, p.meanExponent) = (s, s.lambdaMax, s.meanExponent)
            if !constant {
                p.notes.append("linear stability of h = z = r = 0; a chaotic attractor coexisting with it (strong gates) is not excluded")
            }
        } else if constant {
            // ḣ = σ_z(0)(−h + g_h σ_r(0) J φ(h)): the rate network in time σ_z(0) t; an Euler or RK4
            // step δ of it is the rate network's step σ_z(0) δ.
            let r = try rate(g: geff, dt: o.dt * sz, integrator: spec.integrator)
            p.method = "constant gates (α_z = α_r = 0): the rate network with gain g_h σ_r(0) = \(short(geff)), slowed by σ_z(0) = \(short(sz)); " + r.method
            p.flow = r.flow
            p.map = r.map
            p.lambdaMax = r.lambdaMax.map { $0 * sz }
            let zr = [zMass, rMass].map { m -> Double in
                let a = spec.integrator.amplification(re: o.dt * m.eigenvalue, im: 0)
                return Foundation.log(Swift.abs(a.re)) / o.dt
            }
            p.meanExponent = r.meanExponent.map { ($0 * sz + zr[0] + zr[1]) / 3 }
            p.notes += r.notes
            if let rateRadius = r.jacobian?.discRadius { (disc, discSource) = ((-sz, sz * rateRadius), "DMFT, constant gates") }
        } else if o.alphaZ == 0 {
            // An active output gate with a constant update gate: the DMFT of GatedDMFT (G4–G7).
            let d = try GatedDMFT.solve(o, progress: progress)
            p.gated?.dmft = d
            p.method = "DMFT of the gated RNN with a constant update gate σ_z(0) = \(short(sz)) and an active output gate (docs/theory-gated.md, G4–G7)"
            p.lambdaMax = d.lambdaMax
            p.regime = d.lambdaMax > 0 ? "chaotic" : "stable"
            if spec.integrator == .euler {
                p.notes.append("the DMFT is the flow's (δ → 0); Euler steps of δ = \(short(o.dt)) differ from it by O(δ)")
            }
        } else {
            p.method = "above the zero fixed point's instability (g_h σ_r(0) > 1): the DMFT with an active update gate (α_z ≠ 0) makes h non-Gaussian and is not solved here (docs/theory-gated.md, \"Limits\")"
        }
        let pg = GatedStaticMFT.proliferationGain(alphaR: o.alphaR, betaR: o.betaR)
        p.gated?.proliferationGain = pg.gain
        p.gated?.fixedPoints = GatedStaticMFT.solve(gH: o.gH, alphaR: o.alphaR, betaR: o.betaR)
        let support: JacobianSupport
        if let samples {
            support = JacobianSupport(gain: o.gH, samples: samples)
        } else {
            // g_h a/|λ + s| ≥ 1 with a single unit (s, a) is the disc |λ + s| ≤ g_h a.
            support = JacobianSupport(gain: o.gH, samples: JacobianUnitSamples(leak: [-disc.center],
                                                                              gain: [o.gH == 0 ? 0 : disc.radius / o.gH]))
        }
        p.jacobian = JacobianSpectrumTheory(model: "gated", matrix: .flow, integrator: spec.integrator, dt: o.dt,
                                            source: samples == nil ? discSource : "trajectory samples",
                                            support: support, disc: samples == nil ? disc : nil,
                                            pointMasses: [zMass, rMass], slowThreshold: slowModeThreshold)
        return p
    }

    /// The support of a model's Jacobian spectrum, for `gpurun spectrum --ensemble
    /// rate-jacobian|gated-jacobian`: `matrix` .flow for the flow Jacobian A, .step for one
    /// step's tangent map; `samples` the unit values of the states the Jacobians were taken at
    /// (gated; nil: the zero fixed point). Nil for models without theory.
    public static func jacobianSpectrumTheory(model spec: ModelSpec, matrix: JacobianSpectrumTheory.Matrix = .flow,
                                              samples: JacobianUnitSamples? = nil) throws -> JacobianSpectrumTheory? {
        var s = spec
        s.weights = nil
        guard var j = try predict(s, samples: samples)?.jacobian else { return nil }
        if matrix == .step {
            j = JacobianSpectrumTheory(model: j.model, matrix: .step, integrator: j.integrator, dt: j.dt, source: j.source,
                                       support: j.support!, disc: j.discRadius.map { (j.discCenter!, $0) },
                                       pointMasses: j.pointMasses, slowThreshold: j.slowModeThreshold)
        }
        return j
    }

    /// Unit samples along a trajectory of `spec` (CPU, float64): after `transient` steps, the
    /// units of the state every `every` steps, `count` times.
    /// Floating-point work of `trajectorySamples`: each step is about (2 × weight matrices) N² flops.
    public static func trajectoryFlops(_ spec: ModelSpec, transient: Int, count: Int, every: Int) -> Double {
        let n = Double(spec.n), matrices: Double = spec.kind == .gated ? 3 : 1
        return (Double(transient) + Double(count) * Double(every)) * 2 * matrices * n * n
    }

    public static func trajectorySamples(_ spec: ModelSpec, transient: Int = 2000, count: Int = 50, every: Int = 10) throws
        -> JacobianUnitSamples
    {
        var one = spec
        one.networks = 1
        // Bounded work: at most 10⁷ steps and 10¹³ flops (about a quarter of an hour on one core).
        let flops = trajectoryFlops(one, transient: transient, count: count, every: every)
        let steps = Double(transient) + Double(count) * Double(every)
        guard flops <= 1e13, steps <= 1e7 else {
            throw ComputeError.invalidArgument(String(
                format: "the trajectory of %d units over %.3g steps would need about %.3g GFLOP (bounds: 10⁷ steps, 10⁴ GFLOP); use fewer units or a larger step",
                one.n, steps, flops / 1e9))
        }
        try one.checkMemory(on: CPUBackend.shared, elementSize: 8,
                            workingBytes: try Checked.bytes(try Checked.product([one.stateSize, count + 8], "the trajectory's samples"),
                                                            8, "the trajectory's samples"))
        let model = try one.make(on: CPUBackend.shared, as: Double.self)
        let x = try JacobianCheck.randomStates(model, batch: 1, seed: spec.seed)
        for _ in 0..<transient { try model.step(x) }
        var h: [Double] = [], z: [Double] = [], r: [Double] = []
        let n = model.units
        for _ in 0..<count {
            for _ in 0..<every { try model.step(x) }
            let v = try x.toArray()
            h += v[0..<n]
            if spec.kind == .gated {
                z += v[n..<2 * n]
                r += v[2 * n..<3 * n]
            }
        }
        return spec.kind == .gated ? .gated(h: h, z: z, r: r, options: spec.gatedOptions) : .rate(h: h)
    }
}
