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
            GRU at the fixed point).
            """)

    @Option(help: "The ensemble: \(Ensembles.names.joined(separator: ", ")).") var ensemble: String?
    @Option(help: "A square matrix in a .npy file, instead of an ensemble.") var matrix: String?
    @Option(parsing: .unconditional, help: "Matrix size (for wishart: rows of X).") var n: Int?
    @Option(parsing: .unconditional, help: "Number of matrices.") var samples = 1
    @Option(parsing: .unconditional, help: "Gain g (ginibre, complex-ginibre, goe, elliptic; default 1).") var g: Double?
    @Option(parsing: .unconditional, help: "Aspect ratio γ = p/n (wishart; default 0.5).") var gamma: Double?
    @Option(parsing: .unconditional, help: "Correlation τ in [-1, 1] (elliptic; default 0.5).") var tau: Double?
    @Option(help: "Jacobian ensembles: trajectory or fixed-point (default trajectory).") var at: String?
    @Option(parsing: .unconditional, help: "Jacobian ensembles: steps before the Jacobian is taken (--at trajectory).")
    var transient: Int?
    @Option(parsing: .unconditional, help: "Jacobian ensembles: step δ of the rate and gated flows (default 0.1).")
    var dt: Double?
    @Option(help: "Jacobian ensembles: flow, step or map (default flow for rate and gated, map for gru and lstm).")
    var jacobian: String?
    @Option(help: "Jacobian ensembles: euler or rk4 (rate, gated).") var integrator: String?
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

    var jacobianOptionsGiven: Bool { at != nil || transient != nil || dt != nil || jacobian != nil || integrator != nil }

    func jacobianOptions() throws -> JacobianEnsembleOptions? {
        guard jacobianOptionsGiven else { return nil }
        var o = JacobianEnsembleOptions(transient: transient, dt: dt ?? 0.1)
        if let at {
            guard let place = JacobianEnsembleOptions.Place(rawValue: at) else {
                throw ValidationError("--at must be trajectory or fixed-point, got '\(at)'")
            }
            o.at = place
        }
        if let jacobian {
            guard let m = JacobianSpectrumTheory.Matrix(rawValue: jacobian) else {
                throw ValidationError("--jacobian must be flow, step or map, got '\(jacobian)'")
            }
            o.matrix = m
        }
        if let integrator {
            guard let i = Integrator(rawValue: integrator) else {
                throw ValidationError("--integrator must be euler or rk4, got '\(integrator)'")
            }
            o.integrator = i
        }
        return o
    }

    func makeEnsemble() throws -> any MatrixEnsemble {
        let options = EnsembleOptions(n: n ?? 0, g: g, gamma: gamma, tau: tau, jacobian: try jacobianOptions())
        do {
            return try Ensembles.make(ensemble ?? "", options)
        } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let dir = try output.map(Self.outputFolder)
        if let matrix { return try runMatrix(URL(fileURLWithPath: matrix), dir: dir) }
        let e = try makeEnsemble()
        let backend = try deviceOptions.backend()
        let spectrum = try SpectrumRun.run(e, samples: samples, seed: seed, on: backend)
        var report = SpectrumReport(spectrum, n: n ?? e.order)
        if let dir {
            let npy = dir.appendingPathComponent("eigenvalues.npy"), svg = dir.appendingPathComponent("spectrum.svg")
            let js = dir.appendingPathComponent("spectrum.json")
            report.files = ["eigenvalues": npy.path, "svg": svg.path, "json": js.path]
            try SpectrumFiles.writeEigenvalues(re: spectrum.re, im: spectrum.im, shape: [samples, e.order],
                                               real: e.structure == .symmetric, to: npy)
            try SpectrumFiles.plot(spectrum, report: report).write(to: svg)
            try Self.writeJSON(report, to: js)
        }
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

    struct MatrixReport: Encodable {
        var matrix: String
        var n: Int
        var structure: MatrixStructure
        /// Sorted by decreasing modulus.
        var eigenvalues: [[Double]]
        var spectralRadius: Double
        var files: [String: String]
    }

    func runMatrix(_ url: URL, dir: URL?) throws {
        let s = try MatrixSpectrum.compute(file: url)
        let radius = zip(s.re, s.im).map { ($0 * $0 + $1 * $1).squareRoot() }.max() ?? 0
        var report = MatrixReport(matrix: s.path, n: s.n, structure: s.structure,
                                  eigenvalues: zip(s.re, s.im).map { [$0, $1] }, spectralRadius: radius, files: [:])
        if let dir {
            let npy = dir.appendingPathComponent("eigenvalues.npy"), svg = dir.appendingPathComponent("spectrum.svg")
            let js = dir.appendingPathComponent("spectrum.json")
            report.files = ["eigenvalues": npy.path, "svg": svg.path, "json": js.path]
            try SpectrumFiles.writeEigenvalues(re: s.re, im: s.im, shape: [s.n], real: s.structure == .symmetric, to: npy)
            try SpectrumFiles.plot(re: s.re, im: s.im, title: "\(url.lastPathComponent): \(s.n)×\(s.n), \(s.structure.rawValue)")
                .write(to: svg)
            try Self.writeJSON(report, to: js)
        }
        if json { return try Output.json(report) }
        Output.note("\(s.path): \(s.n)×\(s.n) \(s.structure.rawValue) matrix, spectral radius \(Self.short(radius))")
        Output.table(["#", "re", "im", "|λ|"], s.re.indices.map { i in
            [String(i), String(format: "% .10e", s.re[i]), String(format: "% .10e", s.im[i]),
             String(format: "%.10e", (s.re[i] * s.re[i] + s.im[i] * s.im[i]).squareRoot())]
        })
        for key in ["eigenvalues", "svg", "json"] { if let f = report.files[key] { Output.note("\(key): \(f)") } }
    }

    /// The output folder, created if missing; an existing non-folder is an error.
    static func outputFolder(_ path: String) throws -> URL {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw ValidationError("--output \(path) exists and is not a folder") }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch { throw ValidationError("--output: cannot create the folder \(path) (\(error.localizedDescription))") }
        }
        return URL(fileURLWithPath: path, isDirectory: true)
    }

    /// A report as pretty JSON in a file, written atomically, with the encoding of `Output.json`.
    static func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        enc.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            try (enc.encode(value) + Data("\n".utf8)).write(to: url, options: .atomic)
        } catch { throw ComputeError.io(path: url.path, reason: "cannot write the report (\(error.localizedDescription))") }
    }

    static func short(_ v: Double) -> String { String(format: "%.6g", v) }
}
