import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Time our engines against the reference engines in one run.",
        subcommands: [BenchMatmul.self, BenchRNN.self, BenchLyapunov.self, BenchSpectrum.self, BenchConv.self, BenchTrain.self])
}

struct BenchMatmul: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matmul", abstract: "GFLOP/s of our OpenCL GEMM, CLBlast and OpenBLAS, side by side.")

    @Option(help: "Comma-separated square sizes.") var sizes = CommaList(256, 1024, 2048)
    @Option(help: "Floating-point type.") var dtype: DType = .f32
    @OptionGroup var deviceOptions: OpenCLDeviceOptions
    @Flag(help: "Print JSON on stdout.") var json = false

    struct Report: Encodable {
        var device: String
        var results: [BenchResult]
    }

    func run() throws {
        let dt = dtype, ns = sizes.ints
        let cl = try wrap { try DeviceSelection.openCL(device: deviceOptions.device) }
        let results = try MatmulBench.run(sizes: ns, dtype: dt, device: cl) { Output.note("  timing \($0)...") }
        if json { return try Output.json(Report(device: cl?.label ?? "cpu only", results: results)) }
        print("device: \(cl?.label ?? "none (OpenBLAS only)"); OpenBLAS kernels: \(CPUBackend.blasDescription.core)")
        if let w = BLASSetup.adjustment { print("note: \(w)") }
        var rows: [[String]] = []
        for n in ns {
            let r = results.filter { $0.size == n }
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
        abstract: "Full Lyapunov spectrum of the rate network: our engines against numpy, in one run.")

    @Option(help: "Comma-separated N.") var sizes = CommaList(500, 1000)
    @Option(help: "Steps accumulated (after 100 transient steps).") var steps = 2000
    @Option(help: "Comma-separated reorthonormalisation intervals.") var reorth = CommaList(1, 10)
    @Option(help: "Leading exponents (default: all, k = N).") var k: Int?
    @Option(help: "Engines: cpu, opencl (comma-separated).", transform: CommaList.parse) var engines = CommaList([DeviceSpec.cpu])
    @Option(help: "QR methods tried on OpenCL engines: householder, cholesky2, auto (comma-separated).", transform: CommaList.parse)
    var qr = CommaList([TangentQR.Method.householder, .cholesky2])
    @Option(help: "The numpy reference script.") var numpyScript = "bench/lyapunov_numpy.py"
    @Option(help: "Python interpreter for the reference.") var python = "python3"
    @Flag(help: "Print JSON on stdout.") var json = false

    func run() throws {
        let ns = sizes.ints, rs = reorth.ints, methods = qr.values
        let backends = try wrap { try DeviceSelection.backends(engines.values, strict: true) }
        var rows: [LyapunovBench.Row] = []
        var notes: [String] = []
        for n in ns {
            for r in rs {
                for be in backends {
                    for method in be.isCPU ? [TangentQR.Method.householder] : methods.map({ $0.resolved(for: be) }) {
                        Output.note("  \(be.label), \(method.rawValue) QR: N = \(n), reorth \(r)...")
                        rows.append(try LyapunovBench.ours(backend: be, n: n, k: k ?? n, steps: steps, reorth: r, qr: method))
                    }
                }
                Output.note("  numpy: N = \(n), reorth \(r)...")
                let (row, why) = LyapunovBench.numpy(script: numpyScript, python: python, n: n, steps: steps, reorth: r)
                if let row { rows.append(row) } else if let why, !notes.contains(why) { notes.append(why) }
            }
        }
        struct Report: Encodable { var results: [LyapunovBench.Row]; var notes: [String] }
        if json { return try Output.json(Report(results: rows, notes: notes)) }
        var table: [[String]] = []
        for n in ns {
            for r in rs {
                let group = rows.filter { $0.n == n && $0.reorth == r }
                let numpy = group.first { $0.engine.hasPrefix("numpy") }
                for row in group {
                    table.append([String(n), String(row.k), String(r), row.engine, row.qr, String(format: "%.2f", row.seconds),
                                  String(format: "%.4f", row.lambda1),
                                  numpy.map { String(format: "%.2f", row.seconds / $0.seconds) } ?? "-"])
                }
            }
        }
        Output.table(["N", "k", "reorth", "engine", "QR", "seconds", "λ1", "time / numpy"], table, notes: notes)
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
        var rows: [RNNBench.Row] = []
        for n in ns {
            for b in bs {
                for be in backends {
                    Output.note("  \(be.label): N = \(n), B = \(b)...")
                    rows.append(try RNNBench.ours(backend: be, n: n, b: b))
                }
            }
        }
        var models: [RNNBench.ModelRow] = []
        for n in ns {
            for b in bs {
                for be in backends {
                    Output.note("  \(be.label): every model, fused and chain, N = \(n), B = \(b)...")
                    models += try RNNBench.models(backend: be, n: n, b: b)
                }
            }
        }
        Output.note("  reference (\(python) \(referenceScript))...")
        let (reference, notes) = RNNBench.reference(script: referenceScript, python: python, sizes: ns, batches: bs)
        rows += reference
        struct Report: Encodable { var results: [RNNBench.Row]; var models: [RNNBench.ModelRow]; var notes: [String] }
        if json { return try Output.json(Report(results: rows, models: models, notes: notes)) }
        Output.table(["N", "B", "engine", "model", "path", "launches/step", "steps/s", "GEMM GFLOP/step", "GFLOP/s"],
                     models.map { r in
                         [String(r.n), String(r.b), r.engine.hasPrefix("opencl") ? "opencl" : r.engine, r.model, r.path,
                          String(r.launchesPerStep), String(format: "%.0f", r.stepsPerSecond),
                          String(format: "%.4g", r.gemmFlopsPerStep / 1e9),
                          String(format: "%.3g", r.gemmFlopsPerStep * r.stepsPerSecond / 1e9)]
                     })
        let table = Output.grouped(rows, keys: ns.flatMap { n in bs.map { [n, $0] } }, key: { [$0.n, $0.b] }) { r, group in
            let np = group.first { $0.engine == "numpy" }, torch = group.first { $0.engine == "torch" }
            func ratio(_ ref: RNNBench.Row?, _ k: KeyPath<RNNBench.Row, Double>) -> String {
                ref.map { String(format: "%.2f", r[keyPath: k] / $0[keyPath: k]) } ?? "-"
            }
            return [String(r.n), String(r.b), r.engine.hasPrefix("opencl") ? "opencl" : r.engine,
                    String(format: "%.0f", r.stepsPerSecond), String(format: "%.0f", r.productsPerSecond),
                    ratio(np, \.stepsPerSecond) + " / " + ratio(np, \.productsPerSecond),
                    ratio(torch, \.stepsPerSecond) + " / " + ratio(torch, \.productsPerSecond)]
        }
        Output.table(["N", "B", "engine", "steps/s", "J·Q/s", "vs numpy (step / J·Q)", "vs torch (step / J·Q)"], table, notes: notes)
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

    func run() throws {
        let dt = dtype
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
        let forced = paths.values.map(\.path)
        let backends = try BenchRNN.backends(engines, "bench conv")
        let layers: [ConvBench.Layer]
        do { layers = try self.layers.map(ConvBench.parse) ?? ConvBench.resnet(batch: batch) } catch {
            throw ValidationError("\(error)")
        }
        var rows: [ConvBench.Row] = []
        var notes: [String] = []
        // Each layer: our engines, then PyTorch right after, so that both see the same machine load.
        for layer in layers {
            for be in backends {
                for path in forced {
                    Output.note("  \(be.label)\(path.map { " \($0.rawValue)" } ?? ""): \(layer.name)...")
                    rows.append(dt == .f32
                        ? try ConvBench.ours(Float.self, backend: be, layer: layer, path: path, minSeconds: minSeconds)
                        : try ConvBench.ours(Double.self, backend: be, layer: layer, path: path, minSeconds: minSeconds))
                }
            }
            if notes.isEmpty {
                Output.note("  PyTorch (\(python) \(torchScript)): \(layer.name)...")
                let (torch, why) = ConvBench.torch(script: torchScript, python: python, layers: [layer], dtype: dt,
                                                   minSeconds: minSeconds)
                rows += torch
                notes += why
            }
        }
        struct Report: Encodable { var results: [ConvBench.Row]; var notes: [String] }
        if json { return try Output.json(Report(results: rows, notes: notes)) }
        print("\(self.layers == nil ? "batch \(batch), " : "")\(dtype.rawValue); OpenBLAS kernels: \(CPUBackend.blasDescription.core)")
        let table = Output.grouped(rows, keys: layers.map(\.name), key: \.layer) { r, group in
            let ref = group.first { $0.engine.hasPrefix("torch") }
            return [r.layer, r.engine, String(format: "%.1f", r.forwardMs), String(format: "%.1f", r.totalMs),
                    String(format: "%.1f", r.gflops), ref.map { String(format: "%.2f", $0.totalMs / r.totalMs) } ?? "-"]
        }
        Output.table(["layer", "engine", "forward ms", "fwd+bwd ms", "GFLOP/s", "speed vs torch"], table, notes: notes)
    }
}
