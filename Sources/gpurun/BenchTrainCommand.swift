import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "CNN forward + backward images/s (the `train --model cnn` network): ours against PyTorch CPU.")

    @Option(help: "Minibatch size.") var batch = 128
    @Option(help: "Engines: cpu, opencl (comma-separated).", transform: CommaList.parse) var engines = CommaList([DeviceSpec.cpu, .opencl(0)])
    @Option(help: "Seconds of repeats per engine.") var minSeconds = 2.0
    @Option(help: "The PyTorch reference script.") var referenceScript = "bench/train_torch.py"
    @Option(help: "Python interpreter for the reference.") var python = "python3"
    @Flag(help: "Print JSON on stdout.") var json = false

    func run() throws {
        guard batch >= 2 else { throw ValidationError("--batch must be at least 2") }
        var rows: [TrainBench.Row] = []
        for be in try BenchRNN.backends(engines, "bench train") {
            Output.note("  \(be.label): CNN, batch \(batch)...")
            rows.append(try TrainBench.ours(backend: be, batch: batch, minSeconds: minSeconds))
        }
        Output.note("  PyTorch: CNN, batch \(batch)...")
        let (torch, note) = TrainBench.torch(script: referenceScript, python: python, batch: batch, minSeconds: minSeconds)
        if let torch { rows.append(torch) }
        struct Report: Encodable { var results: [TrainBench.Row]; var notes: [String] }
        if json { return try Output.json(Report(results: rows, notes: note.map { [$0] } ?? [])) }
        Output.table(["engine", "batch", "images/s", "ms/batch", "ours / torch"], rows.map { r in
            [r.engine, String(r.batch), String(format: "%.0f", r.imagesPerSecond), String(format: "%.1f", r.millisecondsPerBatch),
             torch.map { String(format: "%.2f", r.imagesPerSecond / $0.imagesPerSecond) } ?? "-"]
        })
        if let note { print("note: \(note)") }
    }
}
