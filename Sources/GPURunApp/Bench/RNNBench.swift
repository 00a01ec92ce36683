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

    /// The grid (every N with every B) and the reference script.
    public struct Settings: Sendable {
        public var sizes: [Int]
        public var batches: [Int]
        public var referenceScript: String, python: String

        public init(sizes: [Int], batches: [Int], referenceScript: String, python: String) {
            (self.sizes, self.batches, self.referenceScript, self.python) = (sizes, batches, referenceScript, python)
        }
    }

    /// `gpurun bench rnn --json`: the rate network's rows (ours, then the reference's), every
    /// model's fused and chain rows, and why the reference has none where it has none.
    public struct Report: Encodable, Sendable {
        public var results: [Row]
        public var models: [ModelRow]
        public var notes: [String]
    }

    /// The rate network on each backend over the grid, then every model, then the reference
    /// script; `progress` hears each part as it starts. A size or batch below 1 is InvalidInput.
    public static func run(_ s: Settings, on backends: [any Backend], progress: (String) -> Void = { _ in }) throws -> Report {
        try BenchInput.squareSizes(s.sizes, "the network sizes", matrices: 8)
        try BenchInput.positive(s.batches, "the batch sizes")
        try BenchInput.fits([8, s.batches.max() ?? 1, s.sizes.max() ?? 1], "the states and tangent blocks of the largest batch")
        let grid = s.sizes.flatMap { n in s.batches.map { (n, $0) } }
        var rows: [Row] = [], models: [ModelRow] = []
        for (n, b) in grid {
            for be in backends {
                progress("\(be.label): N = \(n), B = \(b)")
                rows.append(try ours(backend: be, n: n, b: b))
            }
        }
        for (n, b) in grid {
            for be in backends {
                progress("\(be.label): every model, fused and chain, N = \(n), B = \(b)")
                models += try self.models(backend: be, n: n, b: b)
            }
        }
        progress("reference (\(s.python) \(s.referenceScript))")
        let (theirs, cells, notes) = reference(script: s.referenceScript, python: s.python, sizes: s.sizes, batches: s.batches)
        return Report(results: rows + theirs, models: models + cells, notes: notes)
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

    /// One model's step on one engine by one path: the fused step of issue 17 or the previous
    /// launch chain. `launchesPerStep` counts OpenCL kernel enqueues (0 on the CPU engine);
    /// `gemmFlopsPerStep` is the GEMM work of one step (2·B·N² per coupling product).
    public struct ModelRow: Codable, Sendable {
        public var engine: String
        public var model: String
        public var path: String
        public var n: Int
        public var b: Int
        public var launchesPerStep: Int
        public var stepsPerSecond: Double
        public var gemmFlopsPerStep: Double
    }

    /// Every model (the flows with Euler and RK4) at N units and B states, fused against chain.
    public static func models(backend: any Backend, n: Int, b: Int, minSeconds: Double = 0.3) throws -> [ModelRow] {
        let product = 2 * Double(b) * Double(n) * Double(n)
        var rows: [ModelRow] = []
        func measure<M: LaunchChainModel>(_ label: String, _ m: M, products: Double) throws {
            for chain in [false, true] {
                let x = try JacobianCheck.randomStates(m, batch: b, seed: 1)
                let step = { try chain ? m.chainStep(x) : m.step(x) }
                try step()
                try backend.synchronize()
                let before = backend.kernelLaunches
                try step()
                let launches = backend.kernelLaunches - before
                let t = try Timing.median(minSeconds: minSeconds) {
                    try step()
                    try backend.synchronize()
                }
                rows.append(ModelRow(engine: backend.label, model: label, path: chain ? "chain" : "fused", n: n, b: b,
                                     launchesPerStep: launches, stepsPerSecond: 1 / t, gemmFlopsPerStep: products * product))
            }
        }
        for integrator in Integrator.allCases {
            let stages = integrator == .rk4 ? 4.0 : 1
            try measure("rate[\(integrator)]", RateNetwork<Double>(backend: backend, units: n, g: 2, dt: 0.1, seed: 1,
                                                                   integrator: integrator), products: stages)
            try measure("gated[\(integrator)]", GatedRNN<Double>(backend: backend, units: n,
                                                                 options: GatedRNNOptions(integrator: integrator), seed: 1),
                        products: 3 * stages)
        }
        // g = 1: the states neither blow up nor decay into subnormals over the repeats.
        try measure("linear", LinearMap<Double>(backend: backend, units: n, g: 1, seed: 1), products: 1)
        try measure("gru", GRU<Double>(backend: backend, units: n, g: 2, seed: 1), products: 3)
        try measure("lstm", LSTM<Double>(backend: backend, units: n, g: 2, seed: 1), products: 4)
        return rows
    }

    /// Rows from the reference script (the rate network; PyTorch's GRUCell and LSTMCell as model
    /// rows), or the reason there are none.
    public static func reference(script: String, python: String, sizes: [Int], batches: [Int]) -> ([Row], [ModelRow], [String]) {
        let data: Data
        switch ReferenceScript.run(python: python, script: script, arguments: [
            "--sizes", sizes.map(String.init).joined(separator: ","),
            "--batches", batches.map(String.init).joined(separator: ","),
        ]) {
        case .success(let d): data = d
        case .failure(let e): return ([], [], [e.description])
        }
        struct Reply: Decodable { var results: [Row]; var models: [ModelRow]?; var notes: [String] }
        guard let reply = try? JSONDecoder().decode(Reply.self, from: data) else {
            return ([], [], ["\(python) \(script) failed (is numpy installed?)"])
        }
        return (reply.results, reply.models ?? [], reply.notes)
    }
}
