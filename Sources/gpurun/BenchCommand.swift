import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Time our engines against the reference engines in one run.",
        subcommands: [BenchMatmul.self, BenchRNN.self, BenchLyapunov.self, BenchSpectrum.self, BenchConv.self, BenchTrain.self, BenchSSL.self])
}

/// A benchmark's progress on stderr: "  what...".
func benchProgress(_ what: String) { Output.note("  \(what)...") }

struct BenchMatmul: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matmul", abstract: "GFLOP/s of our OpenCL GEMM, CLBlast and OpenBLAS, side by side.")

    @Option(help: "Comma-separated square sizes.") var sizes = CommaList(256, 1024, 2048)
    @Option(help: "Floating-point type.") var dtype: DType = .f32
    @OptionGroup var deviceOptions: OpenCLDeviceOptions
    @Flag(help: "Print JSON on stdout.") var json = false

    func run() throws {
        let cl = try wrap { try DeviceSelection.openCL(device: deviceOptions.device) }
        let report = try usageErrors {
            try MatmulBench.run(MatmulBench.Settings(sizes: sizes.ints, dtype: dtype), device: cl, progress: benchProgress)
        }
        if json { return try Output.json(report) }
        print("device: \(cl?.label ?? "none (OpenBLAS only)"); OpenBLAS kernels: \(CPUBackend.blasDescription.core)")
        if let w = BLASSetup.adjustment { print("note: \(w)") }
        var rows: [[String]] = []
        for n in sizes.ints {
            let r = report.results.filter { $0.size == n }
            func g(_ e: String) -> Double? { r.first { $0.engine == e }?.gflops }
            let ratio = { (a: Double?, b: Double?) in a.flatMap { x in b.map { String(format: "%.2f", x / $0) } } ?? "-" }
            let best = [g("tiled"), g("own")].compactMap { $0 }.max()
            rows.append([String(n), dtype.rawValue] + ["tiled", "own", "clblast", "openblas"].map { g($0).map { String(format: "%.1f", $0) } ?? "-" }
                        + [ratio(best, g("clblast")), ratio(best, g("openblas"))])
        }
        Output.table(["size", "dtype", "tiled (GPU-shaped)", "own (CPU-shaped)", "CLBlast", "OpenBLAS",
                      "best own/CLBlast", "best own/OpenBLAS"], rows)
    }
}

struct BenchLyapunov: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lyapunov",
        abstract: "Full Lyapunov spectrum of the rate network: our engines against numpy and PyTorch CPU, in one run.")

    @Option(help: "Comma-separated N.") var sizes = CommaList(500, 1000)
    @Option(help: "Steps accumulated (after 100 transient steps).") var steps = 2000
    @Option(help: "Comma-separated reorthonormalisation intervals.") var reorth = CommaList(1, 10)
    @Option(help: "Leading exponents (default: all, k = N).") var k: Int?
    @Option(help: "Engines: cpu, opencl (comma-separated).", transform: CommaList.parse) var engines = CommaList([DeviceSpec.cpu])
    @Option(help: "QR methods tried on OpenCL engines: householder, cholesky2, auto (comma-separated).", transform: CommaList.parse)
    var qr = CommaList([TangentQR.Method.householder, .cholesky2])
    @Option(name: [.customLong("reference-script"), .customLong("numpy-script")],
            help: "The reference script (numpy and PyTorch).") var referenceScript = "bench/lyapunov_reference.py"
    @Option(help: "Python interpreter for the reference.") var python = "python3"
    @Flag(help: "Print JSON on stdout.") var json = false

    func run() throws {
        let ns = sizes.ints, rs = reorth.ints
        let backends = try wrap { try DeviceSelection.backends(engines.values, strict: true) }
        let settings = LyapunovBench.Settings(sizes: ns, steps: steps, reorth: rs, k: k, qr: qr.values,
                                              referenceScript: referenceScript, python: python)
        let report = try usageErrors { try LyapunovBench.run(settings, on: backends, progress: benchProgress) }
        if json { return try Output.json(report) }
        var table: [[String]] = []
        for n in ns {
            for r in rs {
                let group = report.results.filter { $0.n == n && $0.reorth == r }
                let numpy = group.first { $0.qr == "numpy" }, torch = group.first { $0.qr == "torch" }
                for row in group {
                    table.append([String(n), String(row.k), String(r), row.engine, row.qr, String(format: "%.2f", row.seconds),
                                  String(format: "%.4f", row.lambda1),
                                  numpy.map { String(format: "%.2f", row.seconds / $0.seconds) } ?? "-",
                                  torch.map { String(format: "%.2f", row.seconds / $0.seconds) } ?? "-",
                                  row.floorSeconds.map { String(format: "%.2f", row.seconds / $0) } ?? "-"])
                }
            }
        }
        Output.table(["N", "k", "reorth", "engine", "QR", "seconds", "λ1", "time / numpy", "time / torch", "time / dgemm floor"], table,
                     notes: report.notes)
    }
}

/// A conv2d path of `bench conv --paths`: auto (the library's choice) or a forced one.
enum ConvPathChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, direct, im2col
    var path: Conv2dPath? { self == .auto ? nil : Conv2dPath(rawValue: rawValue) }
}

struct BenchRNN: ParsableCommand {
    /// The engines' backends; those that cannot be opened are skipped with a note.
    static func backends(_ engines: CommaList<DeviceSpec>, _ command: String) throws -> [any Backend] {
        try DeviceSelection.backends(engines.values) { spec, error in Output.note("\(command): skipping \(spec): \(error)") }
    }

    static let configuration = CommandConfiguration(
        commandName: "rnn",
        abstract: "Rate-network steps/s and Jacobian products/s against numpy and PyTorch CPU; every model's fused step against the previous launch chain (launches/step, steps/s).")

    @Option(help: "Comma-separated N.") var sizes = CommaList(256, 512, 1024, 2048)
    @Option(help: "Comma-separated batch sizes B (states stepped; columns of Q).") var batches = CommaList(1, 8, 64)
    @Option(help: "Engines: cpu, opencl (comma-separated).", transform: CommaList.parse) var engines = CommaList([DeviceSpec.cpu, .opencl(0)])
    @Option(help: "The reference script.") var referenceScript = "bench/rnn_reference.py"
    @Option(help: "Python interpreter for the reference.") var python = "python3"
    @Flag(help: "Print JSON on stdout.") var json = false

    func run() throws {
        let ns = sizes.ints, bs = batches.ints
        let backends = try Self.backends(engines, "bench rnn")
        let settings = RNNBench.Settings(sizes: ns, batches: bs, referenceScript: referenceScript, python: python)
        let report = try usageErrors { try RNNBench.run(settings, on: backends, progress: benchProgress) }
        if json { return try Output.json(report) }
        Output.table(["N", "B", "engine", "model", "path", "launches/step", "steps/s", "GEMM GFLOP/step", "GFLOP/s", "vs torch cell"],
                     report.models.map { r in
                         // GRU and LSTM against PyTorch's GRUCell / LSTMCell at the same N and B.
                         let cell = report.models.first { $0.engine == "torch" && $0.model == r.model && $0.n == r.n && $0.b == r.b }
                         return [String(r.n), String(r.b), r.engine.hasPrefix("opencl") ? "opencl" : r.engine, r.model, r.path,
                                 String(r.launchesPerStep), String(format: "%.0f", r.stepsPerSecond),
                                 String(format: "%.4g", r.gemmFlopsPerStep / 1e9),
                                 String(format: "%.3g", r.gemmFlopsPerStep * r.stepsPerSecond / 1e9),
                                 cell.map { String(format: "%.2f", r.stepsPerSecond / $0.stepsPerSecond) } ?? "-"]
                     })
        let table = Output.grouped(report.results, keys: ns.flatMap { n in bs.map { [n, $0] } }, key: { [$0.n, $0.b] }) { r, group in
            let np = group.first { $0.engine == "numpy" }, torch = group.first { $0.engine == "torch" }
            func ratio(_ ref: RNNBench.Row?, _ k: KeyPath<RNNBench.Row, Double>) -> String {
                ref.map { String(format: "%.2f", r[keyPath: k] / $0[keyPath: k]) } ?? "-"
            }
            return [String(r.n), String(r.b), r.engine.hasPrefix("opencl") ? "opencl" : r.engine,
                    String(format: "%.0f", r.stepsPerSecond), String(format: "%.0f", r.productsPerSecond),
                    ratio(np, \.stepsPerSecond) + " / " + ratio(np, \.productsPerSecond),
                    ratio(torch, \.stepsPerSecond) + " / " + ratio(torch, \.productsPerSecond)]
        }
        Output.table(["N", "B", "engine", "steps/s", "J·Q/s", "vs numpy (step / J·Q)", "vs torch (step / J·Q)"], table,
                     notes: report.notes)
    }
}

struct BenchConv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "conv2d forward + backward on ResNet-like layers: our engines against PyTorch CPU.")

    @Option(help: "Batch size of every layer of the default set.") var batch = 64
    @Option(help: "Layers instead of the ResNet set: name:N,C,H,W,O,k,stride,padding,dilation,groups;...")
    var layers: String?
    @Option(help: "Engines: cpu, opencl (comma-separated).", transform: CommaList.parse) var engines = CommaList([DeviceSpec.cpu, .opencl(0)])
    @Option(help: "Paths: auto, or any of direct, im2col (comma-separated).", transform: CommaList.parse)
    var paths = CommaList([ConvPathChoice.auto])
    @Option(help: "Floating-point type.") var dtype: DType = .f32
    @Option(help: "Minimum seconds of repeats per measurement.") var minSeconds = 1.0
    @Option(help: "The PyTorch reference script.") var torchScript = "bench/conv_torch.py"
    @Option(help: "Python interpreter for the reference (uses its PyTorch).") var python = "python3"
    @Flag(help: "Print JSON on stdout.") var json = false

    func validate() throws {
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
        _ = try settings()
    }

    func settings() throws -> ConvBench.Settings {
        let layers = try usageErrors { try ConvBench.layers(self.layers, batch: batch) }
        return ConvBench.Settings(layers: layers, paths: paths.values.map(\.path), dtype: dtype, minSeconds: minSeconds,
                                  torchScript: torchScript, python: python)
    }

    func run() throws {
        let settings = try settings()
        let backends = try BenchRNN.backends(engines, "bench conv")
        let report = try usageErrors { try ConvBench.run(settings, on: backends, progress: benchProgress) }
        if json { return try Output.json(report) }
        print("\(self.layers == nil ? "batch \(batch), " : "")\(dtype.rawValue); OpenBLAS kernels: \(CPUBackend.blasDescription.core)")
        let table = Output.grouped(report.results, keys: settings.layers.map(\.name), key: \.layer) { r, group in
            let ref = group.first { $0.engine.hasPrefix("torch") }
            return [r.layer, r.engine, String(format: "%.1f", r.forwardMs), String(format: "%.1f", r.totalMs),
                    String(format: "%.1f", r.gflops), ref.map { String(format: "%.2f", $0.totalMs / r.totalMs) } ?? "-"]
        }
        Output.table(["layer", "engine", "forward ms", "fwd+bwd ms", "GFLOP/s", "speed vs torch"], table, notes: report.notes)
    }
}
