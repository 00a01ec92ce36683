import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct IBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ib",
        abstract: "Information bottleneck: the exact Gaussian IB (Shannon, Rényi, Jeffreys) and the discrete IB with its learning onset.",
        subcommands: [IBGaussianCommand.self, IBDiscreteCommand.self])
}

struct IBGaussianCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaussian",
        abstract: "The Gaussian IB of jointly Gaussian X and Y: critical βs, optimal encoders and the IB curve.",
        discussion: """
            Minimises M(T;X) − β M(T;Y) over T = A X + ξ, ξ ~ N(0, I). For --measure shannon (mutual information) \
            the solution is in closed form (Chechik et al. 2005): λᵢ are the eigenvalues of Σ_{x|y} Σ_x⁻¹, \
            direction i switches on at βᵢ = 1/(1 − λᵢ). For renyi:A and jeffreys the objective is optimised over \
            all encoders A (BFGS), the transitions found on the grid are checked against the Shannon βᵢ and every \
            solution is scored under the Shannon objective. Informations are in nats. With --output DIR: \
            ib.json, betas.npy, curve.npy ([N, 2]: I(T;X), I(T;Y)), encoders.npy ([N, d_x, d_x]), measure.npy \
            (generalised measures), ib-curve.svg and ib-beta.svg.
            """)

    @Option(name: .customLong("cov-x"), help: "Σ_x as a d_x×d_x .npy.") var covX: String?
    @Option(name: .customLong("cov-y"), help: "Σ_y as a d_y×d_y .npy.") var covY: String?
    @Option(name: .customLong("cov-xy"), help: "Σ_xy = E[X Yᵀ] as a d_x×d_y .npy.") var covXY: String?
    @Option(name: .customLong("samples-x"), help: "Samples of X, n×d_x .npy (covariances estimated).") var samplesX: String?
    @Option(name: .customLong("samples-y"), help: "Samples of Y, n×d_y .npy, paired with X by row.") var samplesY: String?
    @Option(help: "shannon, renyi:A (A > 0, A ≠ 1) or jeffreys.", transform: IBMeasure.parse) var measure: IBMeasure = .shannon
    @Option(help: "Comma-separated β values.") var betas: String?
    @Option(name: .customLong("beta-range"), help: "LO:HI:N, N evenly spaced βs (default 1 to 1.5 × the largest finite βᵢ, 60 points).")
    var betaRange: String?
    @Option(help: "Philox seed of the random starts (generalised measures).") var seed: UInt64 = 0
    @Flag(help: "Print JSON on stdout.") var json = false
    @Option(help: "Folder for ib.json, .npy arrays and SVGs (created if needed).") var output: String?

    func validate() throws {
        let cov = [covX, covY, covXY].compactMap { $0 }.count, samples = [samplesX, samplesY].compactMap { $0 }.count
        guard (cov == 3 && samples == 0) || (cov == 0 && samples == 2) else {
            throw ValidationError("give either --cov-x, --cov-y and --cov-xy, or --samples-x and --samples-y")
        }
        _ = try usageErrors { try IBJob.betas(list: betas, range: betaRange) }
    }

    func run() throws {
        let m = measure
        let report = try usageErrors {
            let grid = try IBJob.betas(list: betas, range: betaRange)
            let file = { (path: String?) in URL(fileURLWithPath: path ?? "") }
            let source: IBJob.GaussianSource = covX != nil
                ? .covariances(x: file(covX), y: file(covY), xy: file(covXY)) : .samples(x: file(samplesX), y: file(samplesY))
            let problem = try IBJob.gaussianProblem(source)
            if m != .shannon { Output.note("ib gaussian: optimising \(m.name) encoders on \(grid?.count ?? 60) βs…") }
            return try IBJob.gaussian(problem, measure: m, betas: grid, seed: seed, output: output.map { URL(fileURLWithPath: $0) })
        }
        if json { return try Output.json(report) }
        let s = ReportFiles.short
        Output.note("ib gaussian: d_x = \(report.dx), d_y = \(report.dy) (\(report.source)), measure \(report.measure); "
            + "I(X;Y) = \(s(report.mutualInformation)) nats")
        print("λ of Σ_{x|y}Σ_x⁻¹: " + report.eigenvalues.map(s).joined(separator: ", "))
        print("critical β = 1/(1 − λ): " + report.criticalBetas.map(s).joined(separator: ", "))
        if let g = report.generalized {
            Output.table(["β", "M(T;X)", "M(T;Y)", "I(T;X)", "I(T;Y)", "Shannon gap", "active", "converged"], g.map {
                [s($0.beta), s($0.measureTX), s($0.measureTY), s($0.iTX), s($0.iTY), Output.sci($0.shannonGap),
                 String($0.activeDirections), $0.converged ? "yes" : "NO (gradient \(Output.sci($0.gradientNorm)))"]
            })
            let stalled = g.filter { !$0.converged }
            if !stalled.isEmpty {
                Output.note("ib gaussian: \(stalled.count) of \(g.count) βs did not reach a stationary point; their rows are the best found, not optima")
            }
            for t in report.transitions ?? [] {
                let bracket = "(\(t.lo.map(s) ?? "-"), \(t.hi.map(s) ?? "-")]"
                print("direction \(t.direction + 1): Shannon β = \(s(t.shannonBeta)), \(report.measure) switches on in "
                    + "\(bracket): \(t.matches ? "same" : "DIFFERENT")")
            }
        } else {
            Output.table(["β", "I(T;X)", "I(T;Y)", "I(T;X) − βI(T;Y)", "active"], report.shannon.map {
                [s($0.beta), s($0.iTX), s($0.iTY), s($0.objective), String($0.activeDirections)]
            })
        }
        for (k, v) in report.files.sorted(by: { $0.key < $1.key }) { Output.note("\(k): \(v)") }
    }
}

struct IBDiscreteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discrete",
        abstract: "The discrete IB of a joint table p(x,y): the IB curve over a β grid and the learning onset.",
        discussion: """
            Runs the self-consistent IB iterations for every β of the grid in one batched launch (OpenCL, or the \
            CPU twin), then continuation passes that restart each β from its neighbours' solutions and keep the \
            lower I(T;X) − β I(T;Y). The onset is the smallest grid β with I(T;X) > --onset-threshold, reported \
            next to the theory: 1/ρ² (ρ the second singular value of p(x,y)/√(p(x)p(y))) and 1/η_KL (the strong \
            data-processing constant, by multi-start optimisation). Informations in nats. With --output DIR: \
            ib.json, betas.npy, curve.npy, encoders.npy ([N, |X|, clusters]), ib-curve.svg and ib-beta.svg.
            """)

    @Option(help: "p(x,y) as a 2-D .npy table (rows x, columns y) summing to 1.") var joint: String
    @Option(help: "Number of clusters |T|.") var clusters = 2
    @Option(help: "Comma-separated β values.") var betas: String?
    @Option(name: .customLong("beta-range"), help: "LO:HI:N (default 1 to max(10, 3/ρ²), 40 points).") var betaRange: String?
    @Option(help: "Convergence tolerance on the largest change of p(t|x).") var tolerance = 1e-10
    @Option(name: .customLong("max-iterations"), help: "Iteration cap per β and pass.") var maxIterations = 5000
    @Option(help: "Continuation passes after the random-start pass.") var passes = 4
    @Option(name: .customLong("onset-threshold"), help: "I(T;X) in nats above which a solution has learned.")
    var onsetThreshold = 1e-6
    @Option(help: "Philox seed of the initial encoders.") var seed: UInt64 = 0
    @Flag(help: "Print JSON on stdout.") var json = false
    @Option(help: "Folder for ib.json, .npy arrays and SVGs (created if needed).") var output: String?
    @OptionGroup var deviceOptions: DeviceOptions

    func validate() throws {
        _ = try usageErrors { try IBJob.betas(list: betas, range: betaRange) }
        guard clusters >= 2 else { throw ValidationError("--clusters must be at least 2, got \(clusters)") }
    }

    func run() throws {
        let (p, s) = try usageErrors {
            let p = try IBJob.discreteProblem(URL(fileURLWithPath: joint))
            return (p, try IBJob.discreteSettings(p, clusters: clusters, betas: try IBJob.betas(list: betas, range: betaRange),
                                                  tolerance: tolerance, maxIterations: maxIterations, passes: passes,
                                                  onsetThreshold: onsetThreshold, seed: seed))
        }
        let backend = try deviceOptions.backend()
        Output.note("ib discrete: |X| = \(p.nx), |Y| = \(p.ny), \(clusters) clusters, \(s.betas.count) βs on \(backend.label)")
        let report = try usageErrors { try IBJob.discrete(p, s, on: backend, output: output.map { URL(fileURLWithPath: $0) }) }
        if json { return try Output.json(report) }
        let f = ReportFiles.short
        Output.table(["β", "I(T;X)", "I(T;Y)", "L = I(T;X) − βI(T;Y)", "iterations", "change", "start"], report.points.map {
            [f($0.beta), f($0.iTX), f($0.iTY), f($0.lagrangian), String($0.iterations), Output.sci($0.finalChange), $0.start]
        })
        let o = report.onset
        print("I(X;Y) = \(f(report.mutualInformation)) nats; \(report.convergedPoints)/\(report.points.count) βs converged "
            + "(tolerance \(Output.sci(report.tolerance))), \(report.launches) batched launches")
        print("onset from solutions: \(o.fromSolutions.map(f) ?? "none on the grid") "
            + "(grid bracket from \(o.previousBeta.map(f) ?? "-"), I(T;X) > \(Output.sci(o.threshold)))")
        print("theory: ρ = \(f(o.rho)), 1/ρ² = \(f(o.betaRho)); η_KL = \(f(o.etaKL)), 1/η_KL = \(f(o.betaEta))"
            + (o.etaIsLocalLimit ? " (supremum at q → p)" : ""))
        print("the onset matches: \(o.matches)")
        for (k, v) in report.files.sorted(by: { $0.key < $1.key }) { Output.note("\(k): \(v)") }
    }
}
