import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an MLP, a CNN or a small ResNet (BatchNorm) with SGD on Fashion-MNIST, a digits CSV or .npy data.")

    @Option(help: "The network (default mlp).") var model: ModelKind?
    @Option(help: "fashion-mnist (the default), fashion-mnist:DIR, npy:DIR (X.npy, y.npy[, X_test.npy, y_test.npy]) or csv:FILE (digits).")
    var data: String?
    @Option(name: .customLong("fashion-mnist-dir"), help: "Folder of the Fashion-MNIST .gz files (default: \(DataSource.fashionMNISTDefault)).")
    var fashionMNISTDir: String?
    @Option(help: "Epochs (default 1; with --resume, the checkpoint's).") var epochs: Int?
    @Option(help: "Minibatch size (default 64).") var batch: Int?
    @OptionGroup var optimiser: SGDOptions
    @Option(name: .customLong("train-only"), help: "Parameters trained: all (the default), batchnorm (γ and β) or output (last layer).")
    var trainOnly: ParameterGroup?
    @Option(help: "Weight initialisation (default kaiming).") var initialization: InitScheme?
    @Option(help: "Philox seed (initialisation and shuffling; default 1).") var seed: UInt64?
    @Option(help: "Floating-point type (default f32).") var dtype: DType?
    @Option(name: .customLong("train-limit"), help: "Use only the first N training samples.") var trainLimit: Int?
    @Option(name: .customLong("test-limit"), help: "Use only the first N test samples.") var testLimit: Int?
    @Option(name: .customLong("checkpoint-at"), help: "Comma-separated iterations after which to write a checkpoint (needs --output).", transform: CommaList.parse)
    var checkpointAt: CommaList<PositiveInt>?
    @Option(help: "Resume (or rewind) from a checkpoint folder; its configuration is used, --epochs may extend it.")
    var resume: String?
    @OptionGroup var deviceOptions: DeviceOptions
    @Flag(help: "Print the final metrics as JSON on stdout.") var json = false
    @Option(help: "Write result.json, losses.npy, gamma.npy, gamma_histogram.svg and checkpoints here.") var output: String?

    func run() throws {
        let backend = try deviceOptions.backend()
        let checkpoints = checkpointAt?.ints ?? []
        if !checkpoints.isEmpty && output == nil { throw ValidationError("--checkpoint-at needs --output DIR") }
        do {
            if let resume {
                let fixed: [(String, Bool)] = [
                    ("--model", model != nil), ("--data", data != nil), ("--fashion-mnist-dir", fashionMNISTDir != nil),
                    ("--batch", batch != nil)] + optimiser.given + [("--train-only", trainOnly != nil),
                    ("--initialization", initialization != nil), ("--seed", seed != nil), ("--dtype", dtype != nil),
                    ("--train-limit", trainLimit != nil), ("--test-limit", testLimit != nil),
                ]
                let given = fixed.filter(\.1).map(\.0)
                if !given.isEmpty {
                    throw ValidationError("--resume continues the checkpoint's run with its configuration; drop "
                        + given.joined(separator: ", ") + " (--epochs, --device, --output, --checkpoint-at and --json may be given)")
                }
                let saved = try TrainCheckpoint.config(at: URL(fileURLWithPath: resume))
                let data = try DataSource(parsing: saved.data).load()
                switch saved.dtype {
                case .f32: try train(TrainCheckpoint.resume(Float.self, from: URL(fileURLWithPath: resume), data: data,
                                                            backend: backend, epochs: epochs), resumedFrom: resume)
                case .f64: try train(TrainCheckpoint.resume(Double.self, from: URL(fileURLWithPath: resume), data: data,
                                                            backend: backend, epochs: epochs), resumedFrom: resume)
                }
                return
            }
            let config = try makeConfig(checkpoints)
            Output.note("loading \(config.data)...")
            let data = try DataSource(parsing: config.data).load()
            switch config.dtype {
            case .f32: try train(Trainer<Float>(config: config, data: data, backend: backend), resumedFrom: nil)
            case .f64: try train(Trainer<Double>(config: config, data: data, backend: backend), resumedFrom: nil)
            }
        } catch let e as ComputeError {
            if case .invalidArgument(let s) = e { throw ValidationError(s) }
            throw e
        }
    }

    func makeConfig(_ checkpoints: [Int]) throws -> TrainConfig {
        let kind = model ?? .mlp, group = trainOnly ?? .all, scheme = initialization ?? .kaiming, dt = dtype ?? .f32
        let source = try DataSource(parsing: data ?? "fashion-mnist", fashionMNISTDirectory: fashionMNISTDir)
        let sgd = optimiser.sgd
        let config = TrainConfig(model: kind, data: source.description, epochs: epochs ?? 1, batch: batch ?? 64, sgd: sgd,
                                 trainOnly: group, seed: seed ?? 1, initScheme: scheme, checkpointAt: checkpoints, dtype: dt,
                                 trainLimit: trainLimit, testLimit: testLimit)
        if let problem = config.problem() { throw ValidationError(problem) }
        return config
    }

    func train<T>(_ trainer: Trainer<T>, resumedFrom: String?) throws {
        let c = trainer.config
        Output.note("\(c.model.rawValue) on \(trainer.data.name) (\(trainer.data.train.count) train, \(trainer.data.test.count) test), "
                    + "\(trainer.backend.label), \(c.dtype.rawValue), batch \(c.batch), lr \(c.sgd.lr), train only \(c.trainOnly.rawValue)"
                    + (resumedFrom.map { ", resumed at iteration \(trainer.iteration) from \($0)" } ?? ""))
        let bar = ProgressBar()
        var result = try trainer.run(checkpointDirectory: output.map { URL(fileURLWithPath: $0) },
                                     progress: { bar.update($0) },
                                     onEpoch: { e in
                                         bar.finishLine()
                                         Output.note(String(format: "epoch %d: train loss %.4f, train accuracy %.2f%%, test accuracy %.2f%% (%.1f s)",
                                                            e.epoch, e.trainLoss, 100 * e.trainAccuracy, 100 * e.testAccuracy, e.seconds))
                                     })
        result.resumedFrom = resumedFrom
        for path in result.checkpoints { Output.note("checkpoint: \(path)") }
        if let output { try TrainOutput.write(result, trainer: trainer, to: URL(fileURLWithPath: output)) }
        if json { return try Output.json(result) }
        print(String(format: "test accuracy %.2f%%, train loss %.4f after %d epochs (%d iterations)", 100 * result.testAccuracy,
                     result.trainLoss, result.epochs, result.iterations))
        if let f = result.gammaNearZeroFraction {
            print(String(format: "BatchNorm γ: %d values, %.1f%% with |γ| < %.2f", result.gammaCount, 100 * f,
                         TrainResult.gammaThreshold))
        }
        if let output { print("wrote \(output)/result.json, losses.npy" + (result.gammaCount > 0 ? ", gamma.npy, gamma_histogram.svg" : "")) }
    }
}

/// A one-line progress bar on stderr, redrawn at most ten times a second; where stderr is not
/// a terminal (a log file, a pipe), one plain line every five seconds instead.
final class ProgressBar {
    private var last = 0.0
    private var drawn = false
    private let terminal = isatty(2) != 0

    func update(_ p: TrainProgress) {
        let now = Timing.now()
        guard now - last > (terminal ? 0.1 : 5) || (terminal && p.iteration == p.total) else { return }
        last = now
        let width = 30, filled = p.total > 0 ? width * p.iteration / p.total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = String(format: "[%@] %d/%d epoch %d loss %.4f acc %.2f%%", bar, p.iteration, p.total, p.epoch, p.loss,
                          100 * p.accuracy)
        FileHandle.standardError.write(Data((terminal ? "\r" + line : line + "\n").utf8))
        drawn = terminal
    }

    func finishLine() {
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }
}
