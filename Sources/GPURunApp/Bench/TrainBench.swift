import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// `gpurun bench train`: forward + backward (with the loss) of the CNN of `gpurun train
/// --model cnn` on a batch of 28×28 images, in images per second, on our engines and on
/// PyTorch's CPU engine (bench/train_torch.py, the same network) in one run.
public enum TrainBench {
    public struct Row: Codable, Sendable {
        public var engine: String
        public var batch: Int
        public var imagesPerSecond: Double
        public var millisecondsPerBatch: Double
    }

    /// One engine: the median time of forward, loss and backward over random inputs.
    public static func ours(backend: any Backend, model: ModelKind = .cnn, batch: Int, minSeconds: Double = 2) throws -> Row {
        let net = try model.build(Float.self, input: [1, 28, 28], classes: 10, on: backend)
        try InitScheme.pytorch.initialize(net.parameters, seed: 1)
        let x: Tensor<Float> = try backend.normal([batch, 1, 28, 28], seed: 1, stream: 0, offset: 0)
        let labels = try backend.tensor((0..<batch).map { Float($0 % 10) })
        let loss = SoftmaxCrossEntropy<Float>(on: backend)
        let t = try Timing.median(minSeconds: minSeconds) {
            try backend.trainingStep {
                let r = try loss(net.forward(x, train: true), labels: labels, gradient: true)
                _ = try net.backward(r.gradient!)
                try backend.synchronize()
            }
        }
        return Row(engine: backend.isCPU ? "cpu" : backend.label, batch: batch, imagesPerSecond: Double(batch) / t,
                   millisecondsPerBatch: t * 1e3)
    }

    /// The PyTorch row, or a note that says why there is none.
    public static func torch(script: String, python: String, batch: Int, minSeconds: Double = 2) -> (row: Row?, note: String?) {
        let data: Data
        switch ReferenceScript.run(python: python, script: script, arguments: ["--batch", String(batch),
                                                                               "--min-seconds", String(minSeconds)]) {
        case .success(let d): data = d
        case .failure(let e): return (nil, e.description)
        }
        struct Reply: Decodable { var seconds: Double?; var notes: [String]; var torch: String?; var threads: Int? }
        guard let reply = try? JSONDecoder().decode(Reply.self, from: data) else { return (nil, "\(python) \(script) failed") }
        guard let s = reply.seconds else { return (nil, reply.notes.first ?? "no PyTorch result") }
        let engine = "torch" + (reply.torch.map { " \($0)" } ?? "") + (reply.threads.map { ", \($0) threads" } ?? "")
        return (Row(engine: engine, batch: batch, imagesPerSecond: Double(batch) / s, millisecondsPerBatch: s * 1e3), nil)
    }
}
