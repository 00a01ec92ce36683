import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct SpectrumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectrum",
        abstract: "Eigenvalue spectra of random-matrix ensembles against theory, or of one matrix from a .npy file.",
        discussion: """
            Ensembles: \(Ensembles.all.map { "\n  \($0.name): \($0.summary)" }.joined())

            Sample k of a run is drawn from Philox (seed, k) on the chosen device, so a spectrum does not \
            depend on the device or the batching. The distance to theory is the Kolmogorov–Smirnov statistic \
            of the 1-D spectrum (semicircle, Marchenko–Pastur), of |λ| against the radial CDF r²/g² (circular \
            law), or of the elliptic radius (elliptic law). With --output DIR: eigenvalues.npy (complex128, or \
            float64 for symmetric matrices; samples × matrix order), spectrum.svg and spectrum.json.

            Jacobian ensembles: sample k is the Jacobian of its own random network (seed from Philox (seed, k)) \
            at the state --at names: `trajectory` (after --transient steps from a random state, default \
            \(JacobianEnsembleOptions.defaultTransient)) or `fixed-point` (h = 0, which every model here has). \
            --jacobian flow (the flow Jacobian A of the rate and gated networks, their default), step (one \
            Euler or RK4 step's tangent map, --dt, --integrator) or map (GRU, LSTM: the default). The theory \
            object holds the predicted support; JSON "support" gives the fraction of eigenvalues outside it \
            and the rightmost real parts, and "distance" the KS distance where a density law exists (rate; \
            GRU and LSTM at the fixed point and along trajectories, from their mean-field theory: \
            docs/theory-gru-lstm.md). --bias-z, --bias-r (GRU) and --bias-f (LSTM) set the gate biases; \
            for the maps the support's spectral radius and the fraction of slow modes (within 0.05 of 1) \
            are set beside the simulated ones.
            """)

    @Option(help: "The ensemble.") var ensemble: Ensembles.Entry?
    @Option(help: "A square matrix in a .npy file, instead of an ensemble.") var matrix: String?
    @Option(parsing: .unconditional, help: "Matrix size (for wishart: rows of X).") var n: Int?
    @Option(parsing: .unconditional, help: "Number of matrices.") var samples = 1
    @Option(parsing: .unconditional, help: "Gain g (ginibre, complex-ginibre, goe, elliptic; default 1).") var g: Double?
    @Option(parsing: .unconditional, help: "Aspect ratio γ = p/n (wishart; default 0.5).") var gamma: Double?
    @Option(parsing: .unconditional, help: "Correlation τ in [-1, 1] (elliptic; default 0.5).") var tau: Double?
    @Option(help: "Jacobian ensembles: where the Jacobian is taken (default trajectory).") var at: JacobianEnsembleOptions.Place?
    @Option(parsing: .unconditional, help: "Jacobian ensembles: steps before the Jacobian is taken (--at trajectory).")
    var transient: Int?
    @Option(parsing: .unconditional, help: "Jacobian ensembles: step δ of the rate and gated flows (default 0.1).")
    var dt: Double?
    @Option(help: "Jacobian ensembles: the matrix (default flow for rate and gated, map for gru and lstm).")
    var jacobian: JacobianSpectrumTheory.Matrix?
    @Option(help: "Jacobian ensembles: the integrator (rate, gated).") var integrator: Integrator?
    @Option(name: .customLong("bias-z"), parsing: .unconditional, help: "GRU Jacobians: the update-gate bias b_z.")
    var biasZ: Double?
    @Option(name: .customLong("bias-r"), parsing: .unconditional, help: "GRU Jacobians: the reset-gate bias b_r.")
    var biasR: Double?
    @Option(name: .customLong("bias-f"), parsing: .unconditional, help: "LSTM Jacobians: the forget-gate bias b_f.")
    var biasF: Double?
    @Option(help: "Philox seed.") var seed: UInt64 = 0
    @Flag(help: "Print JSON on stdout.") var json = false
    @Option(help: "Folder for eigenvalues.npy, spectrum.svg and spectrum.json (created if needed).") var output: String?
    @OptionGroup var deviceOptions: DeviceOptions

    func validate() throws {
        switch (ensemble, matrix) {
        case (nil, nil): throw ValidationError("give --ensemble NAME or --matrix FILE.npy")
        case (.some, .some): throw ValidationError("give either --ensemble or --matrix, not both")
        case (nil, .some):
            if n != nil || g != nil || gamma != nil || tau != nil || samples != 1 || jacobianOptionsGiven {
                throw ValidationError("--matrix takes no --n, --samples, --g, --gamma, --tau or Jacobian options")
            }
        case (.some, nil):
            guard n != nil else { throw ValidationError("--ensemble needs --n") }
            guard samples >= 1 else { throw ValidationError("--samples must be at least 1 (got \(samples))") }
            _ = try makeEnsemble()
        }
    }

    var jacobianOptionsGiven: Bool {
        at != nil || transient != nil || dt != nil || jacobian != nil || integrator != nil || biasZ != nil || biasR != nil
            || biasF != nil
    }

    func makeEnsemble() throws -> any MatrixEnsemble {
        var o: JacobianEnsembleOptions?
        if jacobianOptionsGiven {
            o = JacobianEnsembleOptions(transient: transient, dt: dt ?? 0.1)
            if let at { o?.at = at }
            o?.matrix = jacobian
            if let integrator { o?.integrator = integrator }
            o?.biasZ = biasZ ?? 0
            o?.biasR = biasR ?? 0
            o?.biasF = biasF ?? 0
        }
        let options = EnsembleOptions(n: n ?? 0, g: g, gamma: gamma, tau: tau, jacobian: o)
        return try usageErrors { try SpectrumJob.ensemble(ensemble!, options) }
    }

    func run() throws {
        let dir = output.map { URL(fileURLWithPath: $0, isDirectory: true) }
        if let matrix {
            let report = try usageErrors { try SpectrumJob.run(matrix: URL(fileURLWithPath: matrix), output: dir) }
            return try printMatrix(report)
        }
        let e = try makeEnsemble()
        let backend = try deviceOptions.backend()
        let report = try usageErrors { try SpectrumJob.run(e, n: n ?? e.order, samples: samples, seed: seed, on: backend, output: dir) }
        if json { return try Output.json(report) }
        let params = report.parameters.sorted { $0.key < $1.key }.map { "\($0.key) = \(Self.short($0.value))" }
        var rows = [
            ["ensemble", report.ensemble + (params.isEmpty ? "" : " (\(params.joined(separator: ", ")))")],
            ["matrices", "\(samples) of order \(e.order) (\(e.structure.rawValue)) on \(report.device), seed \(seed)"],
            ["theory", report.theory?.description ?? "none for this ensemble"],
        ]
        if let d = report.distance {
            rows.append(["distance", "KS \(String(format: "%.4f", d.value)) on the \(d.on) (\(d.count) eigenvalues)"])
        }
        if let c = report.support {
            rows.append(["support", String(format: "%.3g%% of eigenvalues outside; rightmost Re λ %.4f (theory %.4f)",
                                           100 * c.fractionOutside, c.simulatedRightEdge, c.theoryRightEdge)])
        }
        rows += [
            ["spectral radius", String(format: "%.4f (mean over samples)", report.meanSpectralRadius)],
            ["time", String(format: "%.2f s (generation %.2f s, LAPACK %.2f s summed over %d threads)",
                            report.timing.wallSeconds, report.timing.generateSeconds, report.timing.eigenSeconds,
                            report.timing.workers)],
        ]
        if let atom = report.theory?.atomAtZero {
            rows.append(["at zero", "\(report.histogram?.atZero ?? 0) eigenvalues (theory: fraction \(Self.short(atom)))"])
        }
        for key in ["eigenvalues", "svg", "json"] { if let f = report.files[key] { rows.append([key, f]) } }
        let width = rows.map { $0[0].count }.max() ?? 0
        for r in rows { print(r[0].padding(toLength: width + 2, withPad: " ", startingAt: 0) + r[1]) }
    }

    func printMatrix(_ report: SpectrumJob.MatrixReport) throws {
        if json { return try Output.json(report) }
        let ev = report.eigenvalues
        Output.note("\(report.matrix): \(report.n)×\(report.n) \(report.structure.rawValue) matrix, spectral radius \(Self.short(report.spectralRadius))")
        Output.table(["#", "re", "im", "|λ|"], ev.indices.map { i in
            [String(i), String(format: "% .10e", ev[i][0]), String(format: "% .10e", ev[i][1]),
             String(format: "%.10e", (ev[i][0] * ev[i][0] + ev[i][1] * ev[i][1]).squareRoot())]
        })
        for key in ["eigenvalues", "svg", "json"] { if let f = report.files[key] { Output.note("\(key): \(f)") } }
    }

    static func short(_ v: Double) -> String { ReportFiles.short(v) }
}
