import ArgumentParser
import GPURunApp
import Compute
import Foundation

/// `gpurun theory`: the mean-field predictions of docs/theory.md ("Theory the program overlays on its
/// results") for the rate network and the gated RNN, without simulating (except, for the gated
/// RNN with --n, a trajectory whose units give the Jacobian's support).
struct TheoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theory",
        abstract: "Mean-field predictions for the rate network and the gated RNN (docs/theory.md).",
        discussion: """
            rate: g ≤ 1, the circular law at h = 0 gives the whole spectrum (λ = ln|m(δ(μ − 1))|/δ, μ \
            uniform on the disc of radius g, m the integrator's step factor); g > 1, the flow's DMFT \
            (Δ0, Δ(τ), λ_max from the Schrödinger operator's ground state), or for Euler with --dt 1 the \
            map's closed forms (Δ0, λ_max, mean exponent) and its whole spectrum from free probability \
            (quantiles, D_KY/N, h_KS/N; with --n the N exponents; docs/theory-lyapunov-spectrum.md). gated: the zero fixed point (critical gain \
            1 + e^β_r, its spectrum while stable), constant gates (α_z = α_r = 0: the rate network with \
            gain g_h σ_r(0), slowed by σ_z(0)), and the support of the h-block Jacobian's spectrum with \
            its slow-mode fraction, at the zero fixed point or, with --n, along a simulated trajectory. \
            With α_z = 0 and an active output gate: the DMFT of the chaotic state (C_h, C_r, C_z, λ_max) \
            and the gain at which fixed points proliferate (docs/theory-gated.md); --phase-diagram writes \
            phase.npy, phase.svg and phase.json over g_h and --phase-axis into --out.
            """)

    @Option(help: "rate or gated (theory exists for these).") var model: ModelSpec.Kind = .rate
    @Option(help: "Coupling gain g (g_h for the gated RNN).") var g: Double = 2
    @Option(help: "Step of the flows.") var dt: Double = 0.1
    @Option(help: "The integrator of the flows.") var integrator: Integrator = .euler
    @Option(name: .customLong("alpha-z"), help: "Gated RNN: update-gate gain α_z.") var alphaZ: Double = 1
    @Option(name: .customLong("beta-z"), help: "Gated RNN: update-gate bias β_z.") var betaZ: Double = 0
    @Option(name: .customLong("alpha-r"), help: "Gated RNN: output-gate gain α_r.") var alphaR: Double = 1
    @Option(name: .customLong("beta-r"), help: "Gated RNN: output-gate bias β_r.") var betaR: Double = 0
    @Option(help: "Units N: list the N predicted exponents (stable regime, δ = 1 rate map); gated: sample a trajectory of N units for the Jacobian's support.")
    var n: Int?
    @Option(help: "Philox seed of that trajectory.") var seed: UInt64 = 1
    @Flag(help: "Print JSON on stdout.") var json = false
    @Flag(name: .customLong("phase-diagram"), help: "Gated RNN: write the phase diagram (phase.npy, phase.svg, phase.json) over g_h and --phase-axis into --out (docs/theory-gated.md).")
    var phaseDiagram = false
    @Option(name: .customLong("phase-axis"), help: "The diagram's second axis.") var phaseAxis: GatedPhaseDiagram.Axis = .betaR
    @Option(name: .customLong("g-range"), help: "g_h values of the diagram: min,max,count.") var gRange: String = "1,6,11"
    @Option(name: .customLong("y-range"), help: "Second-axis values of the diagram: min,max,count (default 0,3,4).") var yRange: String = "0,3,4"
    @Option(help: "Directory of the phase diagram's files.") var out: String = "."

    func validate() throws {
        guard model == .rate || model == .gated else { throw ValidationError("--model must be rate or gated (theory exists for these)") }
        guard g > 0 && g.isFinite else { throw ValidationError("--g must be positive, got \(g)") }
        guard dt > 0 && dt.isFinite else { throw ValidationError("--dt must be positive, got \(dt)") }
        if let n, n <= 0 { throw ValidationError("--n must be positive, got \(n)") }
        if phaseDiagram {
            guard model == .gated else { throw ValidationError("--phase-diagram needs --model gated") }
            _ = try phaseSettings()
        }
    }

    var settings: TheoryJob.Settings {
        TheoryJob.Settings(model: model, g: g, dt: dt, integrator: integrator, alphaZ: alphaZ, betaZ: betaZ,
                           alphaR: alphaR, betaR: betaR, n: n, seed: seed)
    }

    func phaseSettings() throws -> TheoryJob.PhaseDiagramSettings {
        try usageErrors {
            try TheoryJob.phaseDiagramSettings(axis: phaseAxis, gRange: gRange, yRange: yRange,
                                               output: URL(fileURLWithPath: out))
        }
    }

    func runPhaseDiagram() throws {
        let grid = try phaseSettings()
        let (d, files) = try usageErrors {
            try TheoryJob.phaseDiagram(settings, grid) { Output.note("theory: \($0)") }
        }
        if json { return try Output.json(d) }
        for (j, y) in grid.y.enumerated() {
            let chaos = d.chaosGain[j].map { String(format: "%.4g", $0) } ?? "—"
            let v = { (x: Double) in String(format: "%.4g", x) }
            print("\(grid.axis.rawValue) = \(v(y)): zero FP unstable at g_h = \(v(d.criticalGain[j])), fixed points proliferate at \(v(d.proliferationGain[j])), λ_max = 0 at \(chaos)")
        }
        for k in files.keys.sorted() { print("wrote \(files[k]!)") }
    }

    func run() throws {
        if phaseDiagram { return try runPhaseDiagram() }
        let report = try usageErrors { try TheoryJob.predict(settings) { Output.note("theory: \($0)") } }
        if json { return try Output.json(report) }
        print(Self.text(report))
    }

    static func text(_ r: TheoryJob.Report) -> String {
        let p = r.prediction
        func f(_ v: Double?) -> String { v.map { String(format: "%.6g", $0) } ?? "—" }
        let unit = "per unit time"
        var rows: [(String, String)] = [
            ("model", "\(p.model), g\(p.model == "gated" ? "_h" : "") = \(f(p.g)), dt = \(f(p.dt)) (\(p.integrator.rawValue))"),
            ("regime", p.regime), ("method", p.method),
            ("λ_max", p.lambdaMax.map { "\(f($0)) \(unit)" } ?? "no mean-field prediction"),
            ("mean exponent", f(p.meanExponent)),
        ]
        if let fl = p.flow, fl.delta0 > 0 {
            rows.append(("Δ0", f(fl.delta0)))
            rows.append(("E0, E1", "\(f(fl.groundStateEnergy)), \(f(fl.firstExcitedEnergy)) (E1 = 0 in exact theory)"))
            rows.append(("κ", "\(f(fl.decayRate)) (Δ(τ) ∝ e^{−κτ} at large τ)"))
        }
        if let m = p.map { rows.append(("Δ0 (map)", f(m.delta0))) }
        if let gp = p.gated {
            rows.append(("σ_z(0), σ_r(0)", "\(f(gp.sigmaZ0)), \(f(gp.sigmaR0))"))
            rows.append(("critical g_h", "\(f(gp.criticalGain)) (zero fixed point \(gp.zeroFixedPointStable ? "stable" : "unstable"))"))
            if let pg = gp.proliferationGain {
                let kind = pg < gp.criticalGain * (1 - 1e-6) ? "below the critical gain: the discontinuous transition" : "at the critical gain"
                rows.append(("fixed points", "nonzero fixed points proliferate from g_h = \(f(pg)) (\(kind))"))
            }
            if let d = gp.dmft, d.state == "chaotic" {
                rows.append(("DMFT", "C_h(0) = \(f(d.deltaH)), C_r(0) = \(f(d.deltaR)), C_z(0) = \(f(d.deltaZ)); \(d.iterations) iterations, change \(f(d.residual))"))
            }
            if gp.constantGates {
                rows.append(("constant gates", "rate network with g = \(f(gp.equivalentRateGain)), time × \(f(gp.timeScale))"))
            }
        }
        if let j = p.jacobian {
            rows.append(("Jacobian", j.description))
            if let s = j.slowModeFraction { rows.append(("slow modes", "\(f(s)) of the units have σ_z < \(f(j.slowModeThreshold))")) }
        }
        if let q = r.quantiles {
            let picks = [0, 10, 25, 50, 75, 90, 100].map { q[$0] }
            rows.append(("quantiles", picks.map { "\(Int(($0[0] * 100).rounded()))%: \(String(format: "%.4f", $0[1]))" }.joined(separator: ", ")))
        }
        if let fs = p.fullSpectrum {
            rows.append(("whole spectrum", fs.method))
            let picks = [1, 20, 50, 100, 150, 180, 199].map { fs.quantiles[$0] }
            rows.append(("λ(t), t from top", picks.map { String(format: "%.3g: %.4f", $0[0], $0[1]) }.joined(separator: ", ")))
            rows.append(("D_KY/N", "\(f(fs.kaplanYorkeDimensionPerN)) (large N, from \(fs.resolution) quantiles)"))
            rows.append(("h_KS/N", "\(f(fs.entropyRatePerN)) per step"))
        } else if let note = p.fullSpectrumNote { rows.append(("whole spectrum", note)) }
        if let e = r.exponents { rows.append(("exponents", e.prefix(8).map { String(format: "%.5f", $0) }.joined(separator: ", ") + (e.count > 8 ? ", … (\(e.count))" : ""))) }
        for note in p.notes { rows.append(("note", note)) }
        let width = rows.map { $0.0.count }.max() ?? 0
        return rows.map { $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
    }
}
