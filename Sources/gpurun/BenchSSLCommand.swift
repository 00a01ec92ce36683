import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct BenchSSL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssl",
        abstract: "A MoCo v2 training step (two views, momentum encoder, queue; the CNN encoder) in images/s, ours against PyTorch CPU.")

    @Option(help: "Minibatch size.") var batch = 128
    @Option(help: "K, the negatives in the queue.") var queue = 4096
    @Option(name: .customLong("projection-dim"), help: "Size of the embeddings.") var projectionDim = 128
    @Option(help: "Engines: cpu, opencl (comma-separated).", transform: CommaList.parse) var engines = CommaList([DeviceSpec.cpu, .opencl(0)])
    @Option(help: "Seconds of repeats per engine.") var minSeconds = 2.0
    @Option(help: "The PyTorch reference script.") var referenceScript = "bench/moco_torch.py"
    @Option(help: "Python interpreter for the reference.") var python = "python3"
    @Flag(help: "Print JSON on stdout.") var json = false

    func run() throws {
        guard batch >= 2 else { throw ValidationError("--batch must be at least 2") }
        guard queue >= batch else { throw ValidationError("--queue must be at least --batch") }
        guard projectionDim >= 1 else { throw ValidationError("--projection-dim must be positive") }
        var rows: [SSLBench.Row] = []
        for be in try BenchRNN.backends(engines, "bench ssl") {
            Output.note("  \(be.label): MoCo step, batch \(batch), queue \(queue)...")
            rows.append(try SSLBench.ours(backend: be, batch: batch, queue: queue, projectionDim: projectionDim, minSeconds: minSeconds))
        }
        Output.note("  PyTorch: MoCo step, batch \(batch), queue \(queue)...")
        let (torch, note) = SSLBench.torch(script: referenceScript, python: python, batch: batch, queue: queue,
                                           projectionDim: projectionDim, minSeconds: minSeconds)
        if let torch { rows.append(torch) }
        struct Report: Encodable { var results: [SSLBench.Row]; var notes: [String] }
        if json { return try Output.json(Report(results: rows, notes: note.map { [$0] } ?? [])) }
        Output.table(["engine", "batch", "queue", "images/s", "ms/batch", "ours / torch"], rows.map { r in
            [r.engine, String(r.batch), String(r.queue), String(format: "%.0f", r.imagesPerSecond), String(format: "%.1f", r.millisecondsPerBatch),
             torch.map { String(format: "%.2f", r.imagesPerSecond / $0.imagesPerSecond) } ?? "-"]
        }, notes: note.map { [$0] } ?? [])
    }
}
