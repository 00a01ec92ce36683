import Compute
import Dynamics
import Learning

/// The k leading Lyapunov exponents of a model (QR method, docs/lyapunov.md).
func exponents<M: RecurrentModel>(_ model: M, k: Int) throws -> [Double] {
    let run = try LyapunovRun(model: model, config: LyapunovConfig(steps: 500, transient: 200, k: k, seed: 7), identity: [:])
    guard case .finished(let result) = try run.run() else { throw ComputeError.invalidArgument("stopped early") }
    return result.exponents
}

// A chaotic rate network (N = 200, g = 3) on the CPU engine and its 10 leading exponents.
let cpu = CPUBackend.shared
let rate = try ModelSpec(kind: .rate, n: 200, g: 3, dt: 0.1, seed: 7).make(on: cpu, as: Double.self)
print("λ1…λ10:", try exponents(rate, k: 10).map { ($0 * 1000).rounded() / 1000 })

// One SGD step of the MLP on a batch of 64 synthetic 28×28 images.
let images = try Dataset(samples: (0..<64 * 784).map { Float(($0 * 37) % 101) / 101 }, labels: (0..<64).map { Int32($0 % 10) },
                         sampleShape: [1, 28, 28], classes: 10, name: "synthetic")
let config = TrainConfig(model: .mlp, data: "synthetic", epochs: 1, batch: 64, sgd: SGD(lr: 0.1))
let trainer = try Trainer<Float>(config: config, data: try TrainingData(name: "synthetic", train: images, test: images), backend: cpu)
print("MLP loss after one step:", try trainer.run().trainLoss)
