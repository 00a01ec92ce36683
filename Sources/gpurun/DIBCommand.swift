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
            initial weights, shuffles and labelings. With --output DIR: results.json, curves.npy ([runs, iterations, 3]: CE(y), the mean nuisance CE and the objective, in nats) and dib.svg.
            """)

    @Option(help: "fashion-mnist (the default), fashion-mnist:DIR, npy:DIR or csv:FILE (as train --data).") var data = "fashion-mnist"
    @Option(name: .customLong("train-limit"), help: "Use only the first N training samples.") var trainLimit: Int?
    @Option(name: .customLong("test-limit"), help: "Use only the first N test samples.") var testLimit: Int?
    @Option(help: "Epochs of each run.") var epochs = 10
    @Option(help: "Minibatch size.") var batch = 64
    @Option(help: "Adam's learning rate.") var lr = 1e-3
    @Option(help: "Comma-separated β values (one run each).") var beta = "0"
    @Option(help: "Nuisance heads K (one random labeling each).") var heads = 3
    @Option(name: .customLong("labelings-size"), help: "Values k of each random labeling (≥ 2).") var labelingsSize = 2
    @Option(help: "The heads' family: linear or mlp:H.") var head = "linear"
    @Option(help: "Comma-separated hidden widths of the encoder.") var encoder = "256,128"
    @Option(name: .customLong("measure-heads"), help: "Fresh labelings (and heads) of the measure.") var measureHeads = 3
    @Option(name: .customLong("measure-epochs"), help: "Epochs of each measuring head.") var measureEpochs = 30
    @Option(name: .customLong("measure-lr"), help: "Adam's learning rate of the measuring heads.") var measureLR = 1e-2
    @Option(name: .customLong("measure-batch"), help: "Minibatch size of the measuring heads.") var measureBatch = 128
    @Option(help: "Floating-point type.") var dtype: DType = .f32
    @Option(help: "Comma-separated Philox seeds (one sweep each).") var seed = "1"
    @OptionGroup var deviceOptions: DeviceOptions
    @Flag(help: "Print JSON on stdout.") var json = false
    @Option(help: "Folder for results.json, curves.npy and dib.svg (created if needed).") var output: String?

    func settings() throws -> DIBJob.Settings {
        try usageErrors {
            let widths = try encoder.split(separator: ",", omittingEmptySubsequences: false).map {
                guard let w = Int($0.trimmingCharacters(in: .whitespaces)), w >= 1 else {
                    throw InvalidInput(ComputeError.invalidArgument("--encoder takes positive widths separated by commas, got '\($0)'"))
                }
                return w
            }
            let family = try InvalidInput.check { try DIBHeadFamily(parsing: head) }
            let measure = DecodableInformationSettings(heads: measureHeads, epochs: measureEpochs, batch: measureBatch,
                                                       learningRate: measureLR)
            let base = DIBConfig(encoderWidths: widths, head: family, heads: heads, labelingSize: labelingsSize, beta: 0,
                                 epochs: epochs, batch: batch, learningRate: lr, dtype: dtype, measure: measure)
            let s = DIBJob.Settings(data: data, trainLimit: trainLimit, testLimit: testLimit, base: base,
                                    betas: try DIBJob.betas(beta), seeds: try DIBJob.seeds(seed),
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
            try DIBJob.run(s, on: backend) { e in
                switch e {
                case .loading(let d): Output.note("loading \(d)...")
                case .started(let n, let m, let device, let runs):
                    Output.note("dib: \(n) train, \(m) test, \(device), \(runs) runs")
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
