import ArgumentParser
import GPURunApp
import Compute
import Foundation

extension TrainBench.Step: ExpressibleByArgument {}

struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "CNN training steps in images/s (the `train --model cnn` network): forward + backward, an Adam step and a masked SGD step, ours against PyTorch CPU.")

    @Option(help: "Minibatch size.") var batch = 128
    @Option(help: "Engines: cpu, opencl (comma-separated).", transform: CommaList.parse) var engines = CommaList([DeviceSpec.cpu, .opencl(0)])
    @Option(help: "Steps timed: fwd+bwd, adam, masked-sgd (comma-separated).", transform: CommaList.parse)
    var steps = CommaList(TrainBench.Step.allCases)
    @Option(help: "Seconds of repeats per engine and step.") var minSeconds = 2.0
    @Option(help: "The PyTorch reference script.") var referenceScript = "bench/train_torch.py"
    @Option(help: "Python interpreter for the reference.") var python = "python3"
    @Flag(help: "Print JSON on stdout.") var json = false

    func run() throws {
        guard batch >= 2 else { throw ValidationError("--batch must be at least 2") }
        var rows: [TrainBench.Row] = []
        for be in try BenchRNN.backends(engines, "bench train") {
            for step in steps.values {
                Output.note("  \(be.label): CNN \(step.rawValue), batch \(batch)...")
                rows.append(try TrainBench.ours(backend: be, step: step, batch: batch, minSeconds: minSeconds))
            }
        }
        Output.note("  PyTorch: CNN \(steps), batch \(batch)...")
        let (torch, note) = TrainBench.torch(script: referenceScript, python: python, batch: batch, minSeconds: minSeconds,
                                             steps: steps.values)
        rows += torch
        struct Report: Encodable { var results: [TrainBench.Row]; var notes: [String] }
        if json { return try Output.json(Report(results: rows, notes: note.map { [$0] } ?? [])) }
        Output.table(["engine", "step", "batch", "images/s", "ms/batch", "ours / torch"], rows.map { r in
            let reference = torch.first { $0.step == r.step }
            return [r.engine, r.step, String(r.batch), String(format: "%.0f", r.imagesPerSecond), String(format: "%.1f", r.millisecondsPerBatch),
                    reference.map { String(format: "%.2f", r.imagesPerSecond / $0.imagesPerSecond) } ?? "-"]
        }, notes: note.map { [$0] } ?? [])
    }
}
