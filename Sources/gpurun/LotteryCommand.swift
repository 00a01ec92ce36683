import ArgumentParser
import GPURunApp
import Compute
import Foundation

extension Perturbation: ParsedArgument {
    init(parsingArgument text: String) throws { try self.init(parsing: text) }
}
extension MagnitudePruning.Scope: ExpressibleByArgument {}

struct LotteryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lottery",
        abstract: "Iterative magnitude pruning with rewinding (lottery tickets; docs/training.md N19).",
        discussion: "Round 0 trains the dense network and saves its state at --rewind-iteration K (K = 0: the initialisation, "
            + "the original lottery ticket). Each of the --rounds rounds after it prunes --prune-fraction of the "
            + "remaining convolution and linear weights by magnitude, rewinds the survivors (and the optimiser, "
            + "BatchNorm statistics and iteration) to K, applies --perturb if given, and trains to the end. Per round, "
            + "DIR/round-R holds mask-*.npy, result.json, losses.npy and the starting state (start/, the weights at K); "
            + "DIR/lottery.json holds the settings and finished rounds, and --resume DIR continues after the last.")

    @OptionGroup var training: TrainingOptions
    @Option(help: "Rounds of pruning after the dense round 0 (default 3; with --resume, extends the run).") var rounds: Int?
    @Option(name: .customLong("prune-fraction"), help: "Fraction of the remaining weights pruned each round, in (0, 1) (default 0.2).")
    var pruneFraction: Double?
    @Option(name: .customLong("rewind-iteration"), help: "Iteration K the survivors are rewound to (default 0).") var rewindIteration: Int?
    @Option(name: .customLong("prune-scope"), help: "global (the default) or layerwise magnitude pruning.") var pruneScope: MagnitudePruning.Scope?
    @Option(help: "Perturbation at the rewind point: reinit, reinit-sign, shuffle, shuffle-keep-sign or noise:SCALE.",
            transform: Perturbation.parse)
    var perturb: Perturbation?
    @Option(name: .customLong("early-phase"), help: "Measure the first N iterations of round 0 (distance from initialisation, signs changed, test accuracy).")
    var earlyPhase: Int?
    @Option(name: .customLong("early-phase-every"), help: "Iterations between early-phase measurements (default 1).") var earlyPhaseEvery: Int?
    @Option(help: "Continue the lottery run in this folder after its last finished round.") var resume: String?
    @OptionGroup var deviceOptions: DeviceOptions
    @Flag(help: "Print the rounds as JSON on stdout.") var json = false
    @Option(help: "The run's folder (needed unless --resume).") var output: String?

    func run() throws {
        let bar = ProgressBar()
        let events: (LotteryJob.Event) -> Void = { e in
            switch e {
            case .loading(let data): Output.note("loading \(data)...")
            case .round(let r, let density): Output.note(String(format: "round %d: density %.4f", r, density))
            case .epoch(let r, let e):
                bar.finishLine()
                Output.note(String(format: "round %d epoch %d: train loss %.4f, test accuracy %.2f%% (%.1f s)", r, e.epoch, e.trainLoss,
                                   100 * e.testAccuracy, e.seconds))
            case .finished(let r):
                bar.finishLine()
                Output.note(String(format: "round %d: density %.4f, test accuracy %.2f%%", r.round, r.density, 100 * r.testAccuracy))
            }
        }
        let report: LotteryJob.Report
        if let resume {
            try TrainingOptions.refuse(training.given + [
                ("--prune-fraction", pruneFraction != nil), ("--rewind-iteration", rewindIteration != nil),
                ("--prune-scope", pruneScope != nil), ("--perturb", perturb != nil), ("--early-phase", earlyPhase != nil),
                ("--early-phase-every", earlyPhaseEvery != nil), ("--output", output != nil), ("--epochs", training.epochs != nil)],
                allowed: "--rounds, --device and --json")
            let backend = try deviceOptions.backend()
            report = try usageErrors {
                try LotteryJob.resume(URL(fileURLWithPath: resume), rounds: rounds, on: backend, events: events,
                                      progress: { bar.update($0) })
            }
        } else {
            guard let output else { throw ValidationError("give --output DIR (or --resume DIR)") }
            let settings = LotteryJob.Settings(
                config: try training.config(), rounds: rounds ?? 3, pruneFraction: pruneFraction ?? 0.2,
                rewindIteration: rewindIteration ?? 0, scope: pruneScope ?? .global, perturbation: perturb,
                earlyPhase: earlyPhase, earlyPhaseEvery: earlyPhaseEvery ?? 1)
            let backend = try deviceOptions.backend()
            report = try usageErrors {
                try LotteryJob.run(settings, output: URL(fileURLWithPath: output), on: backend, events: events,
                                   progress: { bar.update($0) })
            }
        }
        if json { return try Output.json(report) }
        Output.table(["round", "density", "test accuracy", "rewound accuracy", "seconds"], report.rounds.map { r in
            [String(r.round), String(format: "%.4f", r.density), String(format: "%.2f%%", 100 * r.testAccuracy),
             r.rewoundTestAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "-", String(format: "%.1f", r.seconds)]
        })
        print("wrote \(resume ?? output ?? "")/lottery.json and round-*/")
    }
}
