import ArgumentParser
import GPURunApp
import Compute
import Foundation

extension NegativeSelection: ParsedArgument {
    init(parsingArgument text: String) throws { try self.init(parsing: text) }
}
extension BackgroundAugmentation: ParsedArgument {
    init(parsingArgument text: String) throws { try self.init(parsing: text) }
}

/// `gpurun ssl`: MoCo v2 self-supervised training, then linear and k-NN probes (docs/ssl.md).
struct SSLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssl",
        abstract: "Self-supervised MoCo v2 training of an encoder (the small ResNet by default), then linear-probe and k-NN accuracy beside those of the initial encoder.")

    @Option(help: "The encoder: resnet (the default), cnn, mlp or a JSON model description; its final linear layer is dropped.",
            transform: ModelChoice.parse)
    var model: ModelChoice?
    @Option(help: "fashion-mnist (the default), fashion-mnist:DIR, npy:DIR or csv:FILE; image samples.") var data: String?
    @Option(name: .customLong("fashion-mnist-dir"), help: "Folder of the Fashion-MNIST .gz files (default: \(DataSource.fashionMNISTDefault)).")
    var fashionMNISTDir: String?
    @Option(help: "Epochs (default 1; with --resume, the checkpoint's).") var epochs: Int?
    @Option(help: "Minibatch size (default 128; the last partial batch of an epoch is dropped).") var batch: Int?
    @Option(help: "sgd (the default) or adam.") var optimizer: OptimizerOptions.Name?
    @Option(help: "Learning rate (default 0.03 for SGD, 0.001 for Adam).") var lr: Double?
    @Option(name: .customLong("sgd-momentum"), help: "SGD's momentum (default 0.9).") var sgdMomentum: Double?
    @Option(name: .customLong("weight-decay"), help: "Weight decay (default 1e-4 for SGD, 0 for Adam).") var weightDecay: Double?
    @Option(help: "Weight initialisation (default kaiming).") var initialization: InitScheme?
    @Option(help: "Philox seed (initialisation, shuffling, views, queue, probe; default 1).") var seed: UInt64?
    @Option(help: "Floating-point type (default f32).") var dtype: DType?
    @Option(name: .customLong("train-limit"), help: "Use only the first N training samples.") var trainLimit: Int?
    @Option(name: .customLong("test-limit"), help: "Use only the first N test samples.") var testLimit: Int?
    @Option(help: "K, the negatives in the queue (default 4096; at most the training samples).") var queue: Int?
    @Option(help: "τ of InfoNCE (default 0.2).") var temperature: Double?
    @Option(help: "m of the momentum (key) encoder, θk ← m θk + (1 − m) θq (default 0.99).") var momentum: Double?
    @Option(help: "Negatives in the loss: all (the default) or band:LO:HI, similarity percentiles (band:95:100 the hardest 5%).",
            transform: NegativeSelection.parse)
    var negatives: NegativeSelection?
    @Option(name: .customLong("projection-dim"), help: "Size of the embeddings (default 128).") var projectionDim: Int?
    @Option(help: "A background augmentation before each view's steps: bg-rm:P (a grey background), bg-random:P (a random texture) or bg-swaps:P (the positive on another texture, plus a negative: another image's foreground on the query's background); docs/backgrounds.md BG13–BG15.",
            transform: BackgroundAugmentation.parse)
    var background: BackgroundAugmentation?
    @Option(help: "cluttered or cluttered:RHO: train on procedural backgrounds and probe on the four Backgrounds-Challenge test sets (docs/backgrounds.md).",
            transform: ClutterSpec.parse)
    var backgrounds: ClutterSpec?
    @Option(help: "k of the k-NN probe (default 20).") var neighbours: Int?
    @Option(name: .customLong("checkpoint-at"), help: "Comma-separated iterations after which to write a checkpoint (needs --output).",
            transform: CommaList.parse)
    var checkpointAt: CommaList<PositiveInt>?
    @Option(help: "Resume from a checkpoint folder; its configuration is used, --epochs may extend it.") var resume: String?
    @OptionGroup var deviceOptions: DeviceOptions
    @Flag(help: "Print the result as JSON on stdout.") var json = false
    @Option(help: "Write result.json, losses.npy (one loss per step), the final checkpoint and --checkpoint-at ones here.")
    var output: String?

    var given: [(String, Bool)] {
        [("--model", model != nil), ("--data", data != nil), ("--fashion-mnist-dir", fashionMNISTDir != nil), ("--batch", batch != nil),
         ("--optimizer", optimizer != nil), ("--lr", lr != nil), ("--sgd-momentum", sgdMomentum != nil),
         ("--weight-decay", weightDecay != nil), ("--initialization", initialization != nil), ("--seed", seed != nil),
         ("--dtype", dtype != nil), ("--train-limit", trainLimit != nil), ("--test-limit", testLimit != nil), ("--queue", queue != nil),
         ("--temperature", temperature != nil), ("--momentum", momentum != nil), ("--negatives", negatives != nil),
         ("--projection-dim", projectionDim != nil), ("--neighbours", neighbours != nil), ("--background", background != nil),
         ("--backgrounds", backgrounds != nil)]
    }

    func config(checkpointAt: [Int]) throws -> MoCoConfig {
        let source = try wrap { try DataSource(parsing: data ?? "fashion-mnist", fashionMNISTDirectory: fashionMNISTDir) }
        let opt: OptimizerSpec
        switch optimizer ?? .sgd {
        case .sgd: opt = .sgd(SGD(lr: lr ?? 0.03, momentum: sgdMomentum ?? 0.9, weightDecay: weightDecay ?? 1e-4))
        case .adam:
            if sgdMomentum != nil { throw ValidationError("--sgd-momentum is SGD's; the optimizer is adam") }
            opt = .adam(Adam(lr: lr ?? 0.001, weightDecay: weightDecay ?? 0))
        case .adamw: throw ValidationError("ssl takes --optimizer sgd or adam")
        }
        let train = TrainConfig(model: model ?? .builtin(.resnet), data: source.description, epochs: epochs ?? 1, batch: batch ?? 128,
                                optimizer: opt, seed: seed ?? 1, initScheme: initialization ?? .kaiming, checkpointAt: checkpointAt,
                                dtype: dtype ?? .f32, trainLimit: trainLimit, testLimit: testLimit, backgrounds: backgrounds)
        return MoCoConfig(train: train, queue: queue ?? 4096, temperature: temperature ?? 0.2, momentum: momentum ?? 0.99,
                          negatives: negatives ?? .all, projectionDim: projectionDim ?? 128, neighbours: neighbours ?? 20,
                          background: background)
    }

    func run() throws {
        let checkpoints = checkpointAt?.ints ?? []
        if !checkpoints.isEmpty && output == nil { throw ValidationError("--checkpoint-at needs --output DIR") }
        let start: SSLJob.Start
        if let resume {
            try TrainingOptions.refuse(given, allowed: "--epochs, --device, --output, --checkpoint-at and --json")
            start = .resume(URL(fileURLWithPath: resume), epochs: epochs)
        } else {
            start = .fresh(try config(checkpointAt: checkpoints))
        }
        let backend = try deviceOptions.backend()
        let bar = ProgressBar()
        let outcome = try usageErrors {
            try SSLJob.run(SSLJob.Settings(start: start, output: output.map { URL(fileURLWithPath: $0) }), on: backend, events: { e in
                switch e {
                case .loading(let data): Output.note("loading \(data)...")
                case .started(let s): Output.note(s)
                case .probing:
                    bar.finishLine()
                    Output.note("probing the trained and the initial encoder (linear, k-NN)...")
                }
            }, progress: { bar.update($0) })
        }
        let r = outcome.result
        for path in r.checkpoints { Output.note("checkpoint: \(path)") }
        if json { return try Output.json(r) }
        print(String(format: "InfoNCE %.4f (positive top-1 %.2f%%) after %d iterations; linear probe %.2f%% (initial %.2f%%), k-NN %.2f%% (initial %.2f%%)",
                     r.finalLoss, 100 * r.positiveTop1, r.iterations, 100 * r.linearProbeAccuracy, 100 * r.initialLinearProbeAccuracy,
                     100 * r.knnAccuracy, 100 * r.initialKnnAccuracy))
        if let b = r.backgroundTests {
            for (name, a) in [("linear probe", b.linearProbe), ("k-NN", b.knn), ("initial linear probe", b.initialLinearProbe)] {
                print(String(format: "%@ on the backgrounds: original %.2f%%, only foreground %.2f%%, mixed-same %.2f%%, mixed-random %.2f%%, gap %.2f points",
                             name, 100 * a.original, 100 * a.onlyForeground, 100 * a.mixedSame, 100 * a.mixedRandom, 100 * a.robustnessGap))
            }
        }
        for (name, s) in r.bandStatistics.sorted(by: { $0.key < $1.key }) {
            // Above chance compares a band with the whole queue: for the queue itself it says nothing.
            let chance = name == "band" ? String(format: ", same class above chance for %.1f%% of queries", 100 * s.sameClassAboveChance) : ""
            print(String(format: "%@ (%@): mean similarity %.4f", name, s.negatives, s.meanSimilarity) + chance)
        }
        if let output { print("wrote \(output)/result.json, losses.npy, checkpoint/") }
    }
}
