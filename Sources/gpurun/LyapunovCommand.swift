import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct LyapunovCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lyapunov",
        abstract: "Lyapunov spectrum of a recurrent network by the QR method (docs/lyapunov.md).",
        discussion: """
        --steps and --transient count steps of size dt. Exponents are per unit time for the
        flows (rate, gated: divided by dt) and per step for the maps (gru, lstm, linear).
        Where mean-field theory exists for the model and regime (docs/theory.md), the JSON has a
        "theory" object (prediction and gap, simulation − theory) and the plots draw it; the
        participation ratio of the state covariance is reported next to the Kaplan–Yorke
        dimension.
        A checkpoint is written every few seconds with --checkpoint FILE and on SIGINT/SIGTERM;
        --resume continues from it.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Steps accumulated.") var steps: Int = 2000
    @Option(help: "Steps of the state alone first (and of Q, unless --q-transient).") var transient: Int = 500
    @Option(name: .customLong("q-transient"), help: "Steps of Q before accumulating (default: --transient).")
    var qTransient: Int?
    @Option(help: "Leading exponents computed (default: all).") var k: Int?
    @Option(help: "Steps between QR reorthonormalisations.") var reorth: Int = 1
    @Option(help: "Networks (or trajectories, with --weights) run together.") var batch: Int = 1
    @Option(name: .customLong("x0"), help: "Initial state(s) .npy: [stateSize] or [batch, stateSize].") var x0: String?
    @Option(help: "Floating-point type.") var dtype: DType = .f64
    @Option(help: "QR method: householder (LAPACK, after a transfer on OpenCL devices), cholesky2 (CholeskyQR2 on the device) or auto (householder on CPU devices, cholesky2 on GPUs).")
    var qr: TangentQR.Method = .auto
    @OptionGroup var deviceOptions: DeviceOptions
    @Option(help: "Checkpoint file.") var checkpoint: String?
    @Flag(help: "Continue from --checkpoint.") var resume = false
    @Option(name: .customLong("checkpoint-every"), help: "Seconds of work between checkpoints.")
    var checkpointEvery: Double = 5
    @Flag(help: "Print JSON on stdout.") var json = false
    @Flag(help: "Print launches, time and GFLOP/s per phase (step, tangent, qr, transfers); under \"profile\" with --json.")
    var profile = false
    @Option(name: .customLong("block-steps"), help: "Sum ln R_ii over blocks of this many accumulated steps: blocks.npy [blocks, members, k] with --output, batch-means standard errors and the finite-time λ1 distribution in the result (a multiple of --reorth).")
    var blockSteps: Int?
    @Option(name: .customLong("covariant"), help: "Covariant Lyapunov vectors (Ginelli) at the end of accumulation, from a further window of this many steps run backward: covariant.npy [stateSize, k], covariant-angles.npy, covariant-growth.npy with --output; angles, localisation and growth rates in the result.")
    var covariant: Int?
    @Option(help: "Write exponents.npy, convergence.npy and SVG plots here.") var output: String?

    func run() throws {
        let spec = try modelOptions.spec(networks: modelOptions.weights == nil ? batch : 1)
        if resume && checkpoint == nil { throw ValidationError("--resume needs --checkpoint FILE") }
        if let c = checkpoint, resume, !FileManager.default.fileExists(atPath: c) {
            throw ValidationError("--resume: no checkpoint at \(c)")
        }
        let backend = try deviceOptions.backend()
        var settings = LyapunovJob.Settings(
            steps: steps, transient: transient, qTransient: qTransient, k: k, reorth: reorth, batch: batch, x0: x0,
            dtype: dtype, qr: qr, checkpoint: checkpoint.map { URL(fileURLWithPath: $0) }, resume: resume,
            checkpointEvery: checkpointEvery, output: output.map { URL(fileURLWithPath: $0) })
        settings.profile = profile
        settings.blockSteps = blockSteps
        settings.covariantSteps = covariant
        StopSignal.install()
        let outcome = try usageErrors {
            try LyapunovJob.run(spec, settings, on: backend, shouldStop: { StopSignal.requested }, events: { e in
                switch e {
                case .resumed(let url): Output.note("lyapunov: resumed from \(url.path)")
                case .started(let model, let n, let k, let dtype, let device):
                    Output.note("lyapunov: \(model), N = \(n), k = \(k), \(dtype.rawValue), on \(device)")
                case .noTheory(let why): Output.note("lyapunov: no theory overlay (\(why))")
                }
            }, progress: { p in
                var line = "  \(p.phase): step \(p.step)/\(p.total)"
                if let l = p.lambda1 { line += String(format: ", λ1 %.5f", l) }
                if p.phase == "accumulating", p.step > 0 {
                    line += String(format: ", %.0f s left", p.elapsed / Double(p.step) * Double(p.total - p.step))
                }
                Output.note(line)
            })
        }
        switch outcome {
        case .stopped(let step):
            Output.note("lyapunov: stopped at step \(step)" + (checkpoint.map { "; checkpoint saved to \($0), continue with --resume" } ?? " (no --checkpoint: progress lost)"))
            throw ExitCode(StopSignal.received == SIGINT ? 130 : 143)
        case .finished(let result, let paths):
            if json { return try Output.json(WithFiles(result, files: paths)) }
            print(Self.summary(result))
            for (name, path) in paths.sorted(by: { $0.key < $1.key }) { print("  wrote \(name): \(path)") }
            if let p = result.profile {
                ProfileTable.print(p.phases)
                print(String(format: "  launches per step: %.2f", p.launchesPerStep))
            }
        }
    }

    static func summary(_ r: LyapunovResult) -> String {
        let top = r.exponents.prefix(5).map { String(format: "%.5f", $0) }.joined(separator: ", ")
        var extra = ""
        if let pr = r.participationRatio {
            extra += String(format: "\n  participation ratio = %.3f (%.4f·N)", pr, pr / Double(r.n))
        }
        if let b = r.blockStatistics {
            let q = b.lambda1.quantiles.map { String(format: "%.5f", $0) }.joined(separator: ", ")
            extra += "\n  \(b.blocks) blocks of \(b.blockSteps) steps: λ1 batch-means s.e. (member 1) = "
                + String(format: "%.5f", b.standardErrors.first?.first ?? .nan)
                + "; finite-time λ1 quantiles (5, 25, 50, 75, 95 %): \(q)"
        }
        if let c = r.covariant {
            func list(_ x: [Double], _ f: String) -> String {
                x.prefix(5).map { String(format: f, $0) }.joined(separator: ", ") + (x.count > 5 ? ", …" : "")
            }
            extra += "\n  covariant vectors (window of \(c.windowSteps) steps): growth \(list(c.exponents, "%.5f")); "
                + "smallest angles \(list(c.minimumAngles, "%.1f"))°; inverse participation ratios \(list(c.inverseParticipationRatios, "%.4f"))"
        }
        if let th = r.theory { extra += "\n  theory: " + th.summary }
        return """
        \(r.model) N=\(r.n) on \(r.device) (\(r.dtype)), \(r.steps) steps, \(r.members.count) member(s), \(String(format: "%.1f", r.elapsedSeconds)) s
          λ (\(r.timeUnit)): \(top)\(r.exponents.count > 5 ? ", …" : "")
          λ1 = \(String(format: "%.5f", r.exponents.first ?? .nan)) ± \(String(format: "%.5f", r.standardErrors.first ?? 0))
          sum = \(String(format: "%.5f", r.sum)), Kaplan–Yorke dimension = \(String(format: "%.3f", r.kaplanYorkeDimension)), entropy rate = \(String(format: "%.5f", r.entropyRate))\(extra)
        """
    }
}
