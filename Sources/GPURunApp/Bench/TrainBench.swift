import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// `gpurun bench train`: training steps of the CNN of `gpurun train --model cnn` on a batch of
/// 28×28 images, in images per second, on our engines and on PyTorch's CPU engine
/// (bench/train_torch.py, the same network and steps) in one run.
public enum TrainBench {
    /// What one timed call does.
    public enum Step: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
        /// Forward, loss and backward (no update).
        case forwardBackward = "fwd+bwd"
        /// Forward, loss, backward and an Adam update (lr 10⁻³).
        case adam
        /// Forward, loss, backward and an SGD update (lr 0.01, momentum 0.9) through masks
        /// pruning half of the convolution and linear weights by global magnitude.
        case masked = "masked-sgd"

        public var description: String { rawValue }
    }

    public struct Row: Codable, Sendable {
        public var engine: String
        public var step: String
        public var batch: Int
        public var imagesPerSecond: Double
        public var millisecondsPerBatch: Double
    }

    /// One engine and step: the median time over random inputs.
    public static func ours(backend: any Backend, model: ModelKind = .cnn, step: Step = .forwardBackward, batch: Int,
                            minSeconds: Double = 2) throws -> Row {
        let net = try model.build(Float.self, input: [1, 28, 28], classes: 10, on: backend)
        let params = net.parameters
        try InitScheme.pytorch.initialize(params, seed: 1)
        let x: Tensor<Float> = try backend.normal([batch, 1, 28, 28], seed: 1, stream: 0, offset: 0)
        let labels = try backend.tensor((0..<batch).map { Float($0 % 10) })
        let loss = SoftmaxCrossEntropy<Float>(on: backend)
        let optimizer: (any Optimizer)? = switch step {
        case .forwardBackward: nil
        case .adam: Adam(lr: 1e-3)
        case .masked: SGD(lr: 0.01, momentum: 0.9)
        }
        if step == .masked { try MagnitudePruning.prune(MagnitudePruning.prunable(params), fraction: 0.5, scope: .global) }
        let t = try Timing.median(minSeconds: minSeconds) {
            try backend.trainingStep {
                let r = try loss(net.forward(x, train: true), labels: labels, gradient: true)
                _ = try net.backward(r.gradient!)
                if let optimizer { try optimizer.maskedStep(params, rate: optimizer.learningRate.lr) }
                try backend.synchronize()
            }
        }
        return Row(engine: backend.isCPU ? "cpu" : backend.label, step: step.rawValue, batch: batch,
                   imagesPerSecond: Double(batch) / t, millisecondsPerBatch: t * 1e3)
    }

    /// The PyTorch rows of `steps`, or a note that says why there are none.
    public static func torch(script: String, python: String, batch: Int, minSeconds: Double = 2,
                             steps: [Step] = [.forwardBackward]) -> (rows: [Row], note: String?) {
        let data: Data
        switch ReferenceScript.run(python: python, script: script, arguments: [
            "--batch", String(batch), "--min-seconds", String(minSeconds), "--steps", steps.map(\.rawValue).joined(separator: ","),
        ]) {
        case .success(let d): data = d
        case .failure(let e): return ([], e.description)
        }
        struct Reply: Decodable { var times: [String: Double]?; var notes: [String]; var torch: String?; var threads: Int? }
        guard let reply = try? JSONDecoder().decode(Reply.self, from: data) else { return ([], "\(python) \(script) failed") }
        guard let times = reply.times else { return ([], reply.notes.first ?? "no PyTorch result") }
        let engine = "torch" + (reply.torch.map { " \($0)" } ?? "") + (reply.threads.map { ", \($0) threads" } ?? "")
        let rows = steps.compactMap { s in
            times[s.rawValue].map { Row(engine: engine, step: s.rawValue, batch: batch, imagesPerSecond: Double(batch) / $0,
                                            millisecondsPerBatch: $0 * 1e3) }
        }
        return (rows, nil)
    }
}
