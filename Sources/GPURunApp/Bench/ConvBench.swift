import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// `gpurun bench conv`: conv2d forward, and forward + backward (input, weight and bias
/// gradients), on a ResNet-like set of layers, timed on our engines and on PyTorch's CPU
/// engine (bench/conv_torch.py) in one run.
public enum ConvBench {
    /// One layer: a name and its shape; `spec` is the reference script's "N,C,H,W,O,k,s,p,d,g".
    public struct Layer: Sendable {
        public var name: String
        public var params: Conv2dParams

        public var spec: String {
            let p = params
            return "\(name):" + [p.batch, p.inChannels, p.height, p.width, p.outChannels, p.kernelH, p.strideH, p.padH,
                                 p.dilationH, p.groups].map(String.init).joined(separator: ",")
        }
    }

    /// A small ResNet at batch `batch`: the 7×7 stride-2 stem on 64×64 images, a 64→64 3×3
    /// block layer on 32×32, the 3×3 stride-2 and 1×1 stride-2 downsampling layers to 128
    /// channels, a 128→128 3×3 layer on 16×16, and a depthwise 3×3 layer (MobileNet-style).
    public static func resnet(batch: Int) -> [Layer] {
        func layer(_ name: String, _ c: Int, _ hw: Int, _ o: Int, _ k: Int, _ s: Int, _ p: Int, groups: Int = 1) -> Layer {
            Layer(name: name, params: Conv2dParams(batch: batch, inChannels: c, outChannels: o, height: hw, width: hw,
                                                   kernel: k, stride: s, padding: p, groups: groups))
        }
        return [layer("stem 7x7/2", 3, 64, 64, 7, 2, 3), layer("3x3 64", 64, 32, 64, 3, 1, 1),
                layer("down 3x3/2", 64, 32, 128, 3, 2, 1), layer("down 1x1/2", 64, 32, 128, 1, 2, 0),
                layer("3x3 128", 128, 16, 128, 3, 1, 1), layer("dw 3x3 128", 128, 16, 128, 3, 1, 1, groups: 128)]
    }

    /// Layers from "name:N,C,H,W,O,k,stride,padding,dilation,groups;..." (the script's format);
    /// throws on a malformed entry or a shape that `Conv2dParams.problem` refuses.
    public static func parse(_ spec: String) throws -> [Layer] {
        try spec.split(separator: ";").map { item in
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            let v = parts.count == 2 ? parts[1].split(separator: ",").compactMap { Int($0) } : []
            guard parts.count == 2, !parts[0].isEmpty, v.count == 10, !parts[0].contains(",") else {
                throw ComputeError.invalidArgument(
                    "bench conv: '\(item)' is not name:N,C,H,W,O,k,stride,padding,dilation,groups")
            }
            let layer = Layer(name: String(parts[0]), params: Conv2dParams(
                batch: v[0], inChannels: v[1], outChannels: v[4], height: v[2], width: v[3], kernel: v[5], stride: v[6],
                padding: v[7], dilation: v[8], groups: v[9]))
            if let problem = layer.params.problem() { throw ComputeError.invalidArgument("bench conv: \(problem)") }
            return layer
        }
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
