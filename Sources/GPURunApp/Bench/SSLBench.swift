import Compute
import Learning
import Foundation

/// `gpurun bench ssl`: one MoCo v2 training step (docs/ssl.md S1–S6) with the CNN encoder of
/// `gpurun train --model cnn` (its final linear layer dropped, features 128) on two batches of
/// random 28×28 views: query forward, key forward, InfoNCE against a queue of K, backward, an
/// SGD step (lr 0.03, momentum 0.9, weight decay 10⁻⁴), the momentum update and the enqueue,
/// in images per second; ours and PyTorch CPU's (bench/moco_torch.py, the same step) in one
/// run. The views' augmentation (host work) is not timed on either side.
public enum SSLBench {
    public struct Row: Codable, Sendable {
        public var engine: String
        public var batch: Int, queue: Int, projectionDim: Int
        public var imagesPerSecond: Double
        public var millisecondsPerBatch: Double
    }

    /// The step on one engine: the median time of repeats.
    public static func ours(backend: any Backend, batch: Int, queue: Int, projectionDim: Int, minSeconds: Double = 2) throws -> Row {
        // Enough random images for the queue; the trainer's views are not used here.
        let n = max(queue, batch)
        let pixels: [Float] = PhiloxFill.normal(count: n * 784, seed: 1, stream: 0)
        let set = try Dataset(samples: pixels, labels: (0..<n).map { Int32($0 % 10) }, sampleShape: [1, 28, 28], classes: 10, name: "bench")
        let data = try TrainingData(name: "bench", train: set, test: set.prefix(batch))
        let train = TrainConfig(model: .builtin(.cnn), data: "bench", epochs: 1, batch: batch,
                                optimizer: .sgd(SGD(lr: 0.03, momentum: 0.9, weightDecay: 1e-4)), initScheme: .pytorch)
        let t = try MoCoTrainer<Float>(config: MoCoConfig(train: train, queue: queue, temperature: 0.2, momentum: 0.99,
                                                          projectionDim: projectionDim), data: data, backend: backend)
        t.statistics = false
        let xq: Tensor<Float> = try backend.normal([batch, 1, 28, 28], seed: 1, stream: 1, offset: 0)
        let xk: Tensor<Float> = try backend.normal([batch, 1, 28, 28], seed: 1, stream: 2, offset: 0)
        let labels = [Int32](repeating: 0, count: batch)
        let seconds = try Timing.median(minSeconds: minSeconds) {
            try t.step(xq, xk, labels: labels, rate: 0.03)
            try backend.synchronize()
        }
        return Row(engine: backend.isCPU ? "cpu" : backend.label, batch: batch, queue: queue, projectionDim: projectionDim,
                   imagesPerSecond: Double(batch) / seconds, millisecondsPerBatch: seconds * 1e3)
    }

    /// PyTorch's row, or a note that says why there is none.
    public static func torch(script: String, python: String, batch: Int, queue: Int, projectionDim: Int,
                             minSeconds: Double = 2) -> (row: Row?, note: String?) {
        let data: Data
        switch ReferenceScript.run(python: python, script: script, arguments: [
            "--batch", String(batch), "--queue", String(queue), "--dim", String(projectionDim), "--min-seconds", String(minSeconds),
        ]) {
        case .success(let d): data = d
        case .failure(let e): return (nil, e.description)
        }
        struct Reply: Decodable { var seconds: Double?; var notes: [String]; var torch: String?; var threads: Int? }
        guard let reply = try? JSONDecoder().decode(Reply.self, from: data) else { return (nil, "\(python) \(script) failed") }
        guard let s = reply.seconds else { return (nil, reply.notes.first ?? "no PyTorch result") }
        let engine = "torch" + (reply.torch.map { " \($0)" } ?? "") + (reply.threads.map { ", \($0) threads" } ?? "")
        return (Row(engine: engine, batch: batch, queue: queue, projectionDim: projectionDim, imagesPerSecond: Double(batch) / s,
                    millisecondsPerBatch: s * 1e3), nil)
    }
}
