import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// `gpurun bench conv`: conv2d forward, and forward + backward (input, weight and bias
/// gradients), on a ResNet-like set of layers, timed on our engines and on PyTorch's CPU
/// engine (bench/conv_torch.py) in one run.
public enum ConvBench {
    /// The layers, the paths forced on our engines and the PyTorch script.
    public struct Settings: Sendable {
        public var layers: [Layer]
        /// Each one timed on every backend; nil: the library's choice.
        public var paths: [Conv2dPath?]
        public var dtype: DType
        /// The minimum seconds of repeats per measurement.
        public var minSeconds: Double
        public var torchScript: String, python: String

        public init(layers: [Layer], paths: [Conv2dPath?], dtype: DType, minSeconds: Double, torchScript: String,
                    python: String) {
            (self.layers, self.paths, self.dtype, self.minSeconds) = (layers, paths, dtype, minSeconds)
            (self.torchScript, self.python) = (torchScript, python)
        }
    }

    /// `gpurun bench conv --json`: every row, and the PyTorch script's notes.
    public struct Report: Encodable, Sendable {
        public var results: [Row]
        public var notes: [String]
    }

    /// Each layer on every backend by every path, then on PyTorch right after, so that both see
    /// the same machine load (PyTorch is not asked again once it has a note); `progress` hears
    /// each timing as it starts.
    public static func run(_ s: Settings, on backends: [any Backend], progress: (String) -> Void = { _ in }) throws -> Report {
        try BenchInput.seconds(s.minSeconds, "the minimum time per measurement")
        var rows: [Row] = [], notes: [String] = []
        for layer in s.layers {
            for be in backends {
                for path in s.paths {
                    progress("\(be.label)\(path.map { " \($0.rawValue)" } ?? ""): \(layer.name)")
                    rows.append(s.dtype == .f32
                        ? try ours(Float.self, backend: be, layer: layer, path: path, minSeconds: s.minSeconds)
                        : try ours(Double.self, backend: be, layer: layer, path: path, minSeconds: s.minSeconds))
                }
            }
            if notes.isEmpty {
                progress("PyTorch (\(s.python) \(s.torchScript)): \(layer.name)")
                let reply = torch(script: s.torchScript, python: s.python, layers: [layer], dtype: s.dtype,
                                  minSeconds: s.minSeconds)
                rows += reply.rows
                notes += reply.notes
            }
        }
        return Report(results: rows, notes: notes)
    }

    public struct Row: Codable, Sendable {
        public var layer: String, engine: String
        public var forwardMs: Double, totalMs: Double
        /// Forward + backward GFLOP/s (three passes of `Conv2dParams.flops`).
        public var gflops: Double
    }

    /// Times one layer on `backend` (`path` forces a path; nil: the rule).
    public static func ours<T: Scalar>(_: T.Type, backend: any Backend, layer: Layer, path: Conv2dPath? = nil,
                                       minSeconds: Double = 1) throws -> Row {
        let p = layer.params
        let x: Tensor<T> = try backend.normal(p.inputShape, seed: 1, stream: 0, offset: 0)
        let w: Tensor<T> = try backend.normal(p.weightShape, seed: 1, stream: 1, offset: 0)
        let b: Tensor<T> = try backend.normal([p.outChannels], seed: 1, stream: 2, offset: 0)
        let dy: Tensor<T> = try backend.normal(p.outputShape, seed: 1, stream: 3, offset: 0)
        let y = try backend.zeros(p.outputShape, as: T.self), dx = try backend.zeros(p.inputShape, as: T.self)
        let dw = try backend.zeros(p.weightShape, as: T.self), db = try backend.zeros([p.outChannels], as: T.self)
        let cl = backend as? OpenCLBackend, cpu = backend as? CPUBackend
        func forward() throws {
            if let cl { try cl.conv2dForward(x, w, bias: b, p, into: y, path: path) } else if let cpu {
                try cpu.conv2dForward(x, w, bias: b, p, into: y, path: path)
            } else {
                try backend.conv2dForward(x, w, bias: b, p, into: y)
            }
        }
        let tf = try Timing.median(minSeconds: minSeconds) {
            try forward()
            try backend.synchronize()
        }
        let tt = try Timing.median(minSeconds: minSeconds) {
            try forward()
            if let cl {
                try cl.conv2dBackwardInput(dy, w, p, into: dx, path: path)
                try cl.conv2dBackwardWeights(x, dy, p, into: dw, bias: db, path: path)
            } else if let cpu {
                try cpu.conv2dBackwardInput(dy, w, p, into: dx, path: path)
                try cpu.conv2dBackwardWeights(x, dy, p, into: dw, bias: db, path: path)
            } else {
                try backend.conv2dBackwardInput(dy, w, p, into: dx)
                try backend.conv2dBackwardWeights(x, dy, p, into: dw, bias: db)
            }
            try backend.synchronize()
        }
        let engine = (backend.isCPU ? "cpu" : "opencl") + (path.map { " \($0.rawValue)" } ?? "")
        return Row(layer: layer.name, engine: engine, forwardMs: tf * 1e3, totalMs: tt * 1e3,
                   gflops: 3 * p.flops / tt / 1e9)
    }

    /// Rows from the PyTorch script, or notes that say why there are none.
    public static func torch(script: String, python: String, layers: [Layer], dtype: DType,
                             minSeconds: Double = 1) -> (rows: [Row], notes: [String]) {
        let data: Data
        switch ReferenceScript.run(python: python, script: script, arguments: [
            "--layers", layers.map(\.spec).joined(separator: ";"), "--dtype", dtype.rawValue,
            "--min-seconds", String(minSeconds),
        ]) {
        case .success(let d): data = d
        case .failure(let e): return ([], [e.description])
        }
        struct Result: Decodable { var name: String; var forwardMs: Double; var totalMs: Double }
        struct Reply: Decodable { var results: [Result]; var notes: [String]; var torch: String?; var threads: Int? }
        guard let reply = try? JSONDecoder().decode(Reply.self, from: data) else {
            return ([], ["\(python) \(script) failed"])
        }
        let engine = "torch" + (reply.torch.map { " \($0)" } ?? "") + (reply.threads.map { ", \($0) threads" } ?? "")
        let rows = reply.results.compactMap { r -> Row? in
            guard let layer = layers.first(where: { $0.name == r.name }) else { return nil }
            return Row(layer: r.name, engine: engine, forwardMs: r.forwardMs, totalMs: r.totalMs,
                       gflops: 3 * layer.params.flops / (r.totalMs / 1e3) / 1e9)
        }
        return (rows, reply.notes)
    }
}
