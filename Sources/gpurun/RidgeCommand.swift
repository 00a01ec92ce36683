import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct RidgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ridge",
        abstract: "Test risk of ridge and minimum-norm regression on Gaussian designs, against Marchenko–Pastur theory.",
        discussion: """
            Model y = Xβ + ε, X n×p with N(0, 1) entries, p = round(γ n), ‖β‖² = r², ε ~ N(0, σ² I). Ridge is \
            β̂ = (XᵀX + nλ I)⁻¹ Xᵀy, i.e. it minimises (1/n)‖y − Xβ‖² + λ‖β‖²; 'optimal' is λ* = σ²γ/r². \
            The risk reported is the excess test risk ‖β̂ − β‖² = E[(x·(β̂ − β))²] (add σ² for the prediction \
            risk), averaged over the samples, next to its large-n limit. The minimum-norm risk diverges at γ = 1 \
            (double descent). With --output DIR: ridge.svg (risk against γ, log scale) and ridge.json.
            """)

    @Option(parsing: .unconditional, help: "Number of observations (rows of X).") var n: Int
    @Option(parsing: .unconditional, help: "Aspect ratios γ = p/n: a comma-separated list and/or start:stop:step ranges.") var gamma: String
    @Option(parsing: .unconditional, help: "Noise variance σ².") var sigma2: Double
    @Option(parsing: .unconditional, help: "The ridge λ ≥ 0, or 'optimal' (σ²γ/r² at each γ).", transform: RidgeLambda.parse)
    var lambda: RidgeLambda
    @Option(parsing: .unconditional, help: "Signal strength r² = ‖β‖².") var r2: Double = 1
    @Option(parsing: .unconditional, help: "Draws of (X, β, ε) per γ.") var samples: Int
    @Option(help: "Philox seed.") var seed: UInt64 = 0
    @Flag(help: "Print JSON on stdout.") var json = false
    @Option(help: "Folder for ridge.svg and ridge.json (created if needed).") var output: String?
    @OptionGroup var deviceOptions: DeviceOptions

    func settings() throws -> RidgeSettings {
        try usageErrors {
            try RidgeJob.settings(n: n, gammas: gamma, sigma2: sigma2, lambda: lambda, r2: r2, samples: samples, seed: seed)
        }
    }

    func validate() throws { _ = try settings() }

    func run() throws {
        let s = try settings()
        let backend = try deviceOptions.backend()
        let report = try usageErrors { try RidgeJob.run(s, on: backend, output: output.map { URL(fileURLWithPath: $0) }) }
        if json { return try Output.json(report) }
        Output.note("ridge: n = \(s.n), σ² = \(sigma2), r² = \(r2), λ = \(s.lambda), \(s.samples) samples per γ on "
            + "\(report.device), seed \(seed); risk = ‖β̂ − β‖² (mean ± standard error | MP theory)")
        func cell(_ e: RiskEstimate) -> String {
            String(format: "%.4g ± %.2g | %.4g", e.mean, e.standardError, e.theory)
        }
        Output.table(["γ", "p", "λ", "ridge", "min-norm"], report.points.map {
            [String(format: "%.4g", $0.effectiveGamma), String($0.p), String(format: "%.4g", $0.lambda), cell($0.ridge),
             cell($0.minNorm)]
        })
        for key in ["svg", "json"] { if let f = report.files[key] { Output.note("\(key): \(f)") } }
    }
}
