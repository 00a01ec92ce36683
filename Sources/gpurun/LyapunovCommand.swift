import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct LyapunovCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lyapunov",
        abstract: "Lyapunov spectrum of a recurrent network by the QR method (MODELS.md).",
        discussion: """
        --steps and --transient count steps of size dt. Exponents are per unit time for the
        flows (rate, gated: divided by dt) and per step for the maps (gru, lstm, linear).
        Where mean-field theory exists for the model and regime (MODELS.md), the JSON has a
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
    @Option(help: "f64 (default) or f32.") var dtype: String = "f64"
    @Option(help: "QR method on OpenCL devices: host (LAPACK after a transfer) or cholesky (CholeskyQR2 on the device); default: host on CPU devices, cholesky on GPUs.")
    var qr: String?
    @OptionGroup var deviceOptions: DeviceOptions
    @Option(help: "Checkpoint file.") var checkpoint: String?
    @Flag(help: "Continue from --checkpoint.") var resume = false
    @Option(name: .customLong("checkpoint-every"), help: "Seconds of work between checkpoints.")
    var checkpointEvery: Double = 5
    @Flag(help: "Print JSON on stdout.") var json = false
    @Option(help: "Write exponents.npy, convergence.npy and SVG plots here.") var output: String?

    func run() throws {
        let spec = try modelOptions.spec(networks: modelOptions.weights == nil ? batch : 1)
        if resume && checkpoint == nil { throw ValidationError("--resume needs --checkpoint FILE") }
        if let c = checkpoint, resume, !FileManager.default.fileExists(atPath: c) {
            throw ValidationError("--resume: no checkpoint at \(c)")
        }
        let backend = try deviceOptions.backend()
        switch try parseDType(dtype) {
        case .f64: try go(spec, backend, Double.self)
        case .f32: try go(spec, backend, Float.self)
        }
    }

    func go<T: Scalar>(_ spec: ModelSpec, _ backend: any Backend, _: T.Type) throws {
        let model: any RecurrentModel<T>
        do {
            let states = spec.n * (spec.kind == .gated ? 3 : spec.kind == .lstm ? 2 : 1)
            let config = LyapunovConfig(steps: steps, transient: transient, k: k ?? states, reorth: reorth, batch: batch)
            if spec.weights == nil { try config.validate(stateSize: states) }
            try spec.checkMemory(on: backend, elementSize: MemoryLayout<T>.stride,
                                 workingBytes: config.workingBytes(stateSize: states, elementSize: MemoryLayout<T>.stride))
            model = try spec.make(on: backend, as: T.self)
        } catch { throw ValidationError("\(error)") }
        try runModel(model, spec)
    }

    func runModel<M: RecurrentModel>(_ model: M, _ spec: ModelSpec) throws {
        guard qr == nil || TangentQR.Method(rawValue: qr!) != nil else {
            throw ValidationError("--qr must be host or cholesky")
        }
        let config = LyapunovConfig(steps: steps, transient: transient, qTransient: qTransient, k: k ?? model.stateSize,
                                    reorth: reorth, seed: spec.seed, batch: batch, qr: qr.flatMap(TangentQR.Method.init))
        var initial: [M.T]?
        if let x0 {
            do { initial = try Trajectory.loadStates(x0, model: model, batch: batch) } catch { throw ValidationError("--x0: \(error)") }
        }
        var identity = spec.identity
        if let x0 { identity["x0"] = x0 }
        let run: LyapunovRun<M>
        do { run = try LyapunovRun(model: model, config: config, identity: identity, initialStates: initial) } catch {
            throw ValidationError("\(error)")
        }
        if resume, let c = checkpoint {
            try run.resume(from: URL(fileURLWithPath: c))
            Output.note("lyapunov: resumed from \(c)")
        }
        StopSignal.install()
        let cp = checkpoint.map {
            LyapunovRun<M>.Checkpointing(url: URL(fileURLWithPath: $0), intervalSeconds: checkpointEvery)
        }
        Output.note("lyapunov: \(model.name), N = \(model.units), k = \(config.k), \(M.T.dtype.rawValue), on \(model.backend.label)")
        let outcome = try run.run(checkpointing: cp, shouldStop: { StopSignal.requested }) { p in
            var line = "  \(p.phase): step \(p.step)/\(p.total)"
            if let l = p.lambda1 { line += String(format: ", λ1 %.5f", l) }
            if p.phase == "accumulating", p.step > 0 {
                line += String(format: ", %.0f s left", p.elapsed / Double(p.step) * Double(p.total - p.step))
            }
            Output.note(line)
        }
        switch outcome {
        case .stopped(let step):
            Output.note("lyapunov: stopped at step \(step)" + (checkpoint.map { "; checkpoint saved to \($0), continue with --resume" } ?? " (no --checkpoint: progress lost)"))
            throw ExitCode(StopSignal.received == SIGINT ? 130 : 143)
        case .finished(var result):
            do { try result.attachTheory(for: spec) } catch { Output.note("lyapunov: no theory overlay (\(error))") }
            var paths: [String: String] = [:]
            if let output { paths = try LyapunovOutput.write(result, to: URL(fileURLWithPath: output)) }
            if json {
                try Output.json(Report(result: result, files: paths))
            } else {
                print(Self.summary(result))
                for (name, path) in paths.sorted(by: { $0.key < $1.key }) { print("  wrote \(name): \(path)") }
            }
        }
    }

    struct Report: Encodable {
        var result: LyapunovResult
        var files: [String: String]

        func encode(to encoder: Encoder) throws {
            try result.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            if !files.isEmpty { try c.encode(files, forKey: .files) }
        }
        enum Key: String, CodingKey { case files }
    }

    static func summary(_ r: LyapunovResult) -> String {
        let top = r.exponents.prefix(5).map { String(format: "%.5f", $0) }.joined(separator: ", ")
        var extra = ""
        if let pr = r.participationRatio {
            extra += String(format: "\n  participation ratio = %.3f (%.4f·N)", pr, pr / Double(r.n))
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
