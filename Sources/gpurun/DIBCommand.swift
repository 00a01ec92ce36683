import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct DIBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dib",
        abstract: "Decodable information bottleneck: a β sweep of encoders trained against heads decoding random labelings, with each network's decodable information beside its generalisation gap.",
        discussion: """
            An MLP encoder (--encoder widths, Linear + ReLU each) with a classifier head of the family --head (linear \
            or mlp:H) is trained by Adam on CE(y) − β · mean CE of --heads nuisance heads of the same family, each \
            decoding its own random labeling of the training examples into --labelings-size values (gradient \
            reversal; docs/dib.md D3–D5). After training the encoder is frozen and fresh heads are trained on fresh \
            labelings: the decodable information log₂ k − CE/ln 2 (bits; D7). One run per seed and β, from the same \
            initial weights, shuffles and labelings. With --output DIR: results.json, curves.npy ([runs, iterations, 3]: \
            CE(y), the mean nuisance CE and the objective, in nats), dib.svg, and DIR/checkpoint, rewritten after every \
            epoch: `gpurun dib --resume DIR` continues an interrupted sweep to the same numbers (D9).
            """)

    @Option(help: "fashion-mnist (the default), fashion-mnist:DIR, npy:DIR or csv:FILE (as train --data).") var data: String?
    @Option(name: .customLong("train-limit"), help: "Use only the first N training samples.") var trainLimit: Int?
    @Option(name: .customLong("test-limit"), help: "Use only the first N test samples.") var testLimit: Int?
    @Option(help: "Epochs of each run (default 10).") var epochs: Int?
    @Option(help: "Minibatch size (default 64).") var batch: Int?
    @Option(help: "Adam's learning rate (default 0.001).") var lr: Double?
    @Option(help: "Comma-separated β values, one run each (default 0).") var beta: String?
    @Option(help: "Nuisance heads K, one random labeling each (default 3).") var heads: Int?
    @Option(name: .customLong("labelings-size"), help: "Values k of each random labeling, ≥ 2 (default 2).") var labelingsSize: Int?
    @Option(help: "The heads' family: linear (the default) or mlp:H.") var head: String?
    @Option(help: "Comma-separated hidden widths of the encoder (default 256,128).") var encoder: String?
    @Option(name: .customLong("measure-heads"), help: "Fresh labelings (and heads) of the measure (default 3).") var measureHeads: Int?
    @Option(name: .customLong("measure-epochs"), help: "Epochs of each measuring head (default 30).") var measureEpochs: Int?
    @Option(name: .customLong("measure-lr"), help: "Adam's learning rate of the measuring heads (default 0.01).") var measureLR: Double?
    @Option(name: .customLong("measure-batch"), help: "Minibatch size of the measuring heads (default 128).") var measureBatch: Int?
    @Option(help: "Floating-point type (default f32).") var dtype: DType?
    @Option(help: "Comma-separated Philox seeds, one sweep each (default 1).") var seed: String?
    @OptionGroup var deviceOptions: DeviceOptions
    @Flag(help: "Print JSON on stdout.") var json = false
    @Option(help: "Folder for results.json, curves.npy, dib.svg and the sweep's checkpoint (created if needed).") var output: String?
    @Option(help: "Resume the sweep whose --output folder this is, with its settings (--device and --json may be given).")
    var resume: String?

    /// The sweep's options, and whether each was given (refused beside --resume).
    var given: [(String, Bool)] {
        [("--data", data != nil), ("--train-limit", trainLimit != nil), ("--test-limit", testLimit != nil),
         ("--epochs", epochs != nil), ("--batch", batch != nil), ("--lr", lr != nil), ("--beta", beta != nil),
         ("--heads", heads != nil), ("--labelings-size", labelingsSize != nil), ("--head", head != nil),
         ("--encoder", encoder != nil), ("--measure-heads", measureHeads != nil), ("--measure-epochs", measureEpochs != nil),
         ("--measure-lr", measureLR != nil), ("--measure-batch", measureBatch != nil), ("--dtype", dtype != nil),
         ("--seed", seed != nil), ("--output", output != nil)]
    }

    func settings() throws -> DIBJob.Settings {
        if let resume {
            try TrainingOptions.refuse(given, allowed: "--device and --json")
            return try usageErrors { try DIBJob.savedSettings(in: URL(fileURLWithPath: resume)) }
        }
        return try usageErrors {
            let widths = try (encoder ?? "256,128").split(separator: ",", omittingEmptySubsequences: false).map {
                guard let w = Int($0.trimmingCharacters(in: .whitespaces)), w >= 1 else {
                    throw InvalidInput(ComputeError.invalidArgument("--encoder takes positive widths separated by commas, got '\($0)'"))
                }
                return w
            }
            let family = try InvalidInput.check { try DIBHeadFamily(parsing: head ?? "linear") }
            let measure = DecodableInformationSettings(heads: measureHeads ?? 3, epochs: measureEpochs ?? 30,
                                                       batch: measureBatch ?? 128, learningRate: measureLR ?? 1e-2)
            let base = DIBConfig(encoderWidths: widths, head: family, heads: heads ?? 3, labelingSize: labelingsSize ?? 2, beta: 0,
                                 epochs: epochs ?? 10, batch: batch ?? 64, learningRate: lr ?? 1e-3, dtype: dtype ?? .f32,
                                 measure: measure)
            let s = DIBJob.Settings(data: data ?? "fashion-mnist", trainLimit: trainLimit, testLimit: testLimit, base: base,
                                    betas: try DIBJob.betas(beta ?? "0"), seeds: try DIBJob.seeds(seed ?? "1"),
                                    output: output.map { URL(fileURLWithPath: $0) })
            try s.validate()
            return s
        }
    }

    func validate() throws { _ = try settings() }

    func run() throws {
        let s = try settings()
        let backend = try deviceOptions.backend()
        let report = try usageErrors {
            try DIBJob.run(s, resume: resume != nil, on: backend) { e in
                switch e {
                case .loading(let d): Output.note("loading \(d)...")
                case .started(let n, let m, let device, let runs):
                    Output.note("dib: \(n) train, \(m) test, \(device), \(runs) runs")
                case .resumed(let finished, let epochs):
                    Output.note("dib: resuming after \(finished) finished runs and \(epochs) epochs of the next")
                case .epoch(let seed, let beta, let epoch, let of, let objective):
                    Output.note(String(format: "seed %llu, β = %g: epoch %d/%d, objective %.4f", seed, beta, epoch, of, objective))
                case .finished(let r):
                    Output.note(String(format: "seed %llu, β = %g: train %.2f%%, test %.2f%%, gap %.2f%%, decodable %.4f bits (%.1f s)",
                                       r.seed, r.beta, 100 * r.trainAccuracy, 100 * r.testAccuracy, 100 * r.generalisationGap,
                                       r.decodableInformation.bits, r.wallSeconds))
                }
            }
        }
        if json { return try Output.json(report) }
        let f = ReportFiles.short
        Output.table(["seed", "β", "train acc", "test acc", "gap", "decodable bits", "of log₂ k", "seconds"], report.runs.map {
            [String($0.seed), f($0.beta), f($0.trainAccuracy), f($0.testAccuracy), f($0.generalisationGap),
             f($0.decodableInformation.bits), f($0.decodableInformation.ofMaximum), String(format: "%.1f", $0.wallSeconds)]
        })
        let c = report.correlation
        print("decodable information against the gap over \(c.pairs) networks: Pearson \(c.pearson.map(f) ?? "-"), "
            + "Spearman \(c.spearman.map(f) ?? "-")")
        for (k, v) in report.files.sorted(by: { $0.key < $1.key }) { Output.note("\(k): \(v)") }
    }
}
