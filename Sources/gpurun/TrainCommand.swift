import ArgumentParser
import GPURunApp
import Compute
import Foundation

extension ModelChoice: ParsedArgument {
    init(parsingArgument text: String) throws { try self.init(parsing: text) }
    public static var allValueStrings: [String] { ModelKind.allCases.map(\.rawValue) + ["FILE.json"] }
}
extension Augmentation: ParsedArgument {
    init(parsingArgument text: String) throws { try self.init(parsing: text) }
}
extension LossKind: ExpressibleByArgument {}
extension ClutterSpec: ParsedArgument {
    init(parsingArgument text: String) throws { try self.init(parsing: text) }
}
extension Pretraining: ParsedArgument {
    init(parsingArgument text: String) throws { try self.init(parsing: text) }
}

/// What a training run is, as `train` and `lottery` take it (their configuration).
struct TrainingOptions: ParsableArguments {
    @Option(help: "The network: mlp (the default), cnn, resnet, or a JSON model description (a .json file or the text; docs/training.md N11).",
            transform: ModelChoice.parse)
    var model: ModelChoice?
    @Option(help: "fashion-mnist (the default), fashion-mnist:DIR, npy:DIR (X.npy, y.npy[, X_test.npy, y_test.npy]) or csv:FILE (digits).")
    var data: String?
    @Option(name: .customLong("fashion-mnist-dir"), help: "Folder of the Fashion-MNIST .gz files (default: \(DataSource.fashionMNISTDefault)).")
    var fashionMNISTDir: String?
    @Option(help: "Epochs (default 1; with --resume, the checkpoint's).") var epochs: Int?
    @Option(help: "Minibatch size (default 64).") var batch: Int?
    @OptionGroup var optimiser: OptimizerOptions
    @Option(help: "The loss: cross-entropy (the default) or mse (against one-hot labels).") var loss: LossKind?
    @Option(help: "Weight initialisation (default kaiming).") var initialization: InitScheme?
    @Option(help: "Philox seed (initialisation, shuffling, augmentation; default 1).") var seed: UInt64?
    @Option(help: "Floating-point type (default f32).") var dtype: DType?
    @Option(name: .customLong("train-limit"), help: "Use only the first N training samples.") var trainLimit: Int?
    @Option(name: .customLong("test-limit"), help: "Use only the first N test samples.") var testLimit: Int?
    @Option(help: "Augmentations of the training data, comma-separated: crop:PAD, flip, blur:SIGMA, random-labels:FRACTION, bg-rm:P, bg-random:P (one background augmentation at most; docs/backgrounds.md).",
            transform: CommaList.parse)
    var augment: CommaList<Augmentation>?
    @Option(help: "Pre-training before the run: blur:N[:SIGMA], rotation:N (self-supervised) or random-labels:N iterations.",
            transform: Pretraining.parse)
    var pretrain: Pretraining?
    @Option(help: "cluttered or cluttered:RHO: train and test on procedural backgrounds (ρ: the chance an image gets its class's texture family) and report the four Backgrounds-Challenge accuracies (docs/backgrounds.md).",
            transform: ClutterSpec.parse)
    var backgrounds: ClutterSpec?

    /// The configuration flags given (refused with --resume).
    var given: [(String, Bool)] {
        [("--model", model != nil), ("--data", data != nil), ("--fashion-mnist-dir", fashionMNISTDir != nil),
         ("--batch", batch != nil)] + optimiser.given + [
            ("--initialization", initialization != nil), ("--seed", seed != nil), ("--dtype", dtype != nil),
            ("--train-limit", trainLimit != nil), ("--test-limit", testLimit != nil), ("--augment", augment != nil),
            ("--pretrain", pretrain != nil), ("--loss", loss != nil), ("--backgrounds", backgrounds != nil)]
    }

    func config(trainOnly: ParameterGroup = .all, checkpointAt: [Int] = []) throws -> TrainConfig {
        let source = try wrap { try DataSource(parsing: data ?? "fashion-mnist", fashionMNISTDirectory: fashionMNISTDir) }
        return TrainConfig(model: model ?? .builtin(.mlp), data: source.description, epochs: epochs ?? 1, batch: batch ?? 64,
                           optimizer: try optimiser.spec(), trainOnly: trainOnly, seed: seed ?? 1,
                           initScheme: initialization ?? .kaiming, checkpointAt: checkpointAt, dtype: dtype ?? .f32,
                           trainLimit: trainLimit, testLimit: testLimit, augmentations: augment?.values ?? [],
                           pretraining: pretrain, loss: loss ?? .crossEntropy, backgrounds: backgrounds)
    }

    /// Refuses configuration flags next to --resume.
    static func refuse(_ given: [(String, Bool)], allowed: String) throws {
        let names = given.filter(\.1).map(\.0)
        if !names.isEmpty {
            throw ValidationError("--resume continues the checkpoint's run with its configuration; drop "
                + names.joined(separator: ", ") + " (\(allowed) may be given)")
        }
    }
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an MLP, a CNN, a small ResNet or a described network with SGD, Adam or AdamW on Fashion-MNIST, a digits CSV or .npy data.")

    @OptionGroup var training: TrainingOptions
    @Option(name: .customLong("train-only"), help: "Parameters trained: all (the default), batchnorm (γ and β) or output (last layer).")
    var trainOnly: ParameterGroup?
    @Option(name: .customLong("checkpoint-at"), help: "Comma-separated iterations after which to write a checkpoint (needs --output).", transform: CommaList.parse)
    var checkpointAt: CommaList<PositiveInt>?
    @Option(help: "Resume (or rewind) from a checkpoint folder; its configuration is used, --epochs may extend it.")
    var resume: String?
    @Option(help: "A folder of mask-NAME.npy pruning masks (1 keep, 0 prune) set before training.") var masks: String?
    @OptionGroup var deviceOptions: DeviceOptions
    @Flag(help: "Print the final metrics as JSON on stdout.") var json = false
    @Option(help: "Write result.json, losses.npy, gamma.npy, gamma_histogram.svg and checkpoints here.") var output: String?

    func run() throws {
        let checkpoints = checkpointAt?.ints ?? []
        if !checkpoints.isEmpty && output == nil { throw ValidationError("--checkpoint-at needs --output DIR") }
        let start: TrainJob.Start
        if let resume {
            try TrainingOptions.refuse(training.given + [("--train-only", trainOnly != nil)],
                                       allowed: "--epochs, --device, --output, --checkpoint-at, --masks and --json")
            start = .resume(URL(fileURLWithPath: resume), epochs: training.epochs)
        } else {
            start = .fresh(try training.config(trainOnly: trainOnly ?? .all, checkpointAt: checkpoints))
        }
        let backend = try deviceOptions.backend()
        let bar = ProgressBar()
        let settings = TrainJob.Settings(start: start, output: output.map { URL(fileURLWithPath: $0) },
                                         masks: masks.map { URL(fileURLWithPath: $0) })
        let outcome = try usageErrors {
            try TrainJob.run(settings, on: backend, events: { e in
                switch e {
                case .loading(let data): Output.note("loading \(data)...")
                case .started(let s): Output.note(Self.describe(s))
                case .epoch(let e):
                    bar.finishLine()
                    Output.note(String(format: "epoch %d: train loss %.4f, train accuracy %.2f%%, test accuracy %.2f%% (%.1f s)",
                                       e.epoch, e.trainLoss, 100 * e.trainAccuracy, 100 * e.testAccuracy, e.seconds))
                }
            }, progress: { bar.update($0) })
        }
        let result = outcome.result
        for path in result.checkpoints { Output.note("checkpoint: \(path)") }
        if json { return try Output.json(result) }
        print(String(format: "test accuracy %.2f%%, train loss %.4f after %d epochs (%d iterations)", 100 * result.testAccuracy,
                     result.trainLoss, result.epochs, result.iterations))
        if let f = result.gammaNearZeroFraction {
            print(String(format: "BatchNorm γ: %d values, %.1f%% with |γ| < %.2f", result.gammaCount, 100 * f,
                         TrainResult.gammaThreshold))
        }
        if let b = result.backgroundTests {
            print(String(format: "backgrounds: original %.2f%%, only foreground %.2f%%, mixed-same %.2f%%, mixed-random %.2f%%, gap %.2f points",
                         100 * b.original, 100 * b.onlyForeground, 100 * b.mixedSame, 100 * b.mixedRandom, 100 * b.robustnessGap))
        }
        if let output { print("wrote \(output)/result.json, losses.npy" + (result.gammaCount > 0 ? ", gamma.npy, gamma_histogram.svg" : "")) }
    }

    static func describe(_ s: TrainJob.Started) -> String {
        "\(s.model) on \(s.data) (\(s.trainCount) train, \(s.testCount) test), \(s.device), \(s.dtype.rawValue), batch \(s.batch), "
            + "\(s.optimizer) lr \(s.lr), train only \(s.trainOnly.rawValue)"
            + (s.resumedFrom.map { ", resumed at iteration \(s.resumedAt ?? 0) from \($0)" } ?? "")
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
