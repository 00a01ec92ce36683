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

            --information instead reports, for the randomized ridge ŵ = (XᵀX + nλ I)⁻¹Xᵀy + ξ with \
            ξ ~ N(0, (s²/n) I) (s = --noise-scale) and the Gaussian prior w ~ N(0, (r²/p) I), the relevant \
            information I(ŵ; w | X) and the residual information I(ŵ; ε | X, w) in bits, exact per design from \
            the eigenvalues of XᵀX, with their generalised Marchenko–Pastur limits, the optimal algorithm's \
            relevant bits at ridge's residual bits and ridge's efficiency (docs/ridge-information.md). \
            --covariance 1,100:0.5,0.5 gives the features variances 1 and 100 in those fractions (multiple \
            descent). With --output DIR: ridge-information.svg, ridge-information-plane.svg, ridge-information.json.
            """)

    @Option(parsing: .unconditional, help: "Number of observations (rows of X).") var n: Int
    @Option(parsing: .unconditional, help: "Aspect ratios γ = p/n: a comma-separated list and/or start:stop:step ranges.") var gamma: String
    @Option(parsing: .unconditional, help: "Noise variance σ².") var sigma2: Double
    @Option(parsing: .unconditional, help: "The ridge λ ≥ 0, or 'optimal' (σ²γ/r² at each γ).", transform: RidgeLambda.parse)
    var lambda: RidgeLambda
    @Option(parsing: .unconditional, help: "Signal strength r² = ‖β‖².") var r2: Double = 1
    @Option(parsing: .unconditional, help: "Draws of (X, β, ε) per γ.") var samples: Int
    @Option(help: "Philox seed.") var seed: UInt64 = 0
    @Flag(help: "Report the relevant and residual information of randomized ridge instead of the risk.")
    var information = false
    @Option(parsing: .unconditional, help: "With --information: the scale s of the randomizing noise ξ ~ N(0, (s²/n) I).")
    var noiseScale: Double = 1
    @Option(parsing: .unconditional, help: "With --information: the design covariance's scales and their fractions, e.g. 1,100:0.5,0.5.")
    var covariance: String?
    @Flag(help: "Print JSON on stdout.") var json = false
    @Option(help: "Folder for ridge.svg and ridge.json (created if needed).") var output: String?
    @OptionGroup var deviceOptions: DeviceOptions

    func settings() throws -> RidgeSettings {
        try usageErrors {
            try RidgeJob.settings(n: n, gammas: gamma, sigma2: sigma2, lambda: lambda, r2: r2, samples: samples, seed: seed)
        }
    }

    func informationSettings() throws -> RidgeInformationSettings {
        try usageErrors {
            try RidgeInformationJob.settings(n: n, gammas: gamma, sigma2: sigma2, lambda: lambda, r2: r2,
                                             noiseScale: noiseScale, covariance: covariance, samples: samples, seed: seed)
        }
    }

    func validate() throws {
        if information { _ = try informationSettings(); return }
        if covariance != nil { throw ValidationError("--covariance needs --information") }
        _ = try settings()
    }

    func run() throws {
        if information { return try runInformation() }
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

    func runInformation() throws {
        let s = try informationSettings()
        let backend = try deviceOptions.backend()
        let report = try usageErrors {
            try RidgeInformationJob.run(s, on: backend, output: output.map { URL(fileURLWithPath: $0) })
        }
        if json { return try Output.json(report) }
        Output.note("ridge information: n = \(s.n), σ² = \(sigma2), r² = \(r2), λ = \(s.lambda), s = \(noiseScale), "
            + "Σ = \(s.covariance), \(s.samples) designs per γ on \(report.device), seed \(seed); bits per design "
            + "(mean ± standard error | limit)")
        func cell(_ e: RiskEstimate) -> String {
            String(format: "%.4g ± %.2g | %.4g", e.mean, e.standardError, e.theory)
        }
        Output.table(["γ", "p", "λ", "relevant", "residual", "optimal relevant", "efficiency"], report.points.map {
            [String(format: "%.4g", $0.effectiveGamma), String($0.p), String(format: "%.4g", $0.lambda),
             cell($0.relevantInformation), cell($0.residualInformation), cell($0.optimalRelevantInformation),
             cell($0.efficiency)]
        })
        for key in ["svg", "plane", "json"] { if let f = report.files[key] { Output.note("\(key): \(f)") } }
    }
}
