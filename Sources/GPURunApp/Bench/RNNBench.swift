import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// `gpurun bench rnn`: steps per second of a batch of B rate-network states, and Jacobian
/// products per second (M·Q with Q of B columns), on our engines; bench/rnn_reference.py times
/// the same computations in numpy and PyTorch.
public enum RNNBench {
    public struct Row: Codable, Sendable {
        public var engine: String
        public var n: Int
        public var b: Int
        public var stepsPerSecond: Double
        public var productsPerSecond: Double
    }

    public static func ours(backend: any Backend, n: Int, b: Int) throws -> Row {
        let model = try RateNetwork<Double>(backend: backend, units: n, g: 2, dt: 0.1, seed: 1)
        let states = try JacobianCheck.randomStates(model, batch: b, seed: 1)
        let q: Tensor<Double> = try backend.normal([n, b], seed: 1, stream: 9, offset: 0)
        let out = try backend.zeros([n, b], as: Double.self)
        let ts = try Timing.median(minSeconds: 0.5) {
            try model.step(states)
            try backend.synchronize()
        }
        let tp = try Timing.median(minSeconds: 0.5) {
            try model.jacobianTimes(states, member: 0, q, into: out)
            try backend.synchronize()
        }
        return Row(engine: backend.label, n: n, b: b, stepsPerSecond: 1 / ts, productsPerSecond: 1 / tp)
    }

    /// Rows from the reference script, or the reason there are none.
    public static func reference(script: String, python: String, sizes: [Int], batches: [Int]) -> ([Row], [String]) {
        let data: Data
        switch ReferenceScript.run(python: python, script: script, arguments: [
            "--sizes", sizes.map(String.init).joined(separator: ","),
            "--batches", batches.map(String.init).joined(separator: ","),
        ]) {
        case .success(let d): data = d
        case .failure(let e): return ([], [e.description])
        }
        struct Reply: Decodable { var results: [Row]; var notes: [String] }
        guard let reply = try? JSONDecoder().decode(Reply.self, from: data) else {
            return ([], ["\(python) \(script) failed (is numpy installed?)"])
        }
        return (reply.results, reply.notes)
    }
}
