import Compute
import Dynamics
import Learning

// The 10 leading Lyapunov exponents of a chaotic rate network (N = 200, g = 3) on the CPU engine.
let rate = ModelSpec(kind: .rate, n: 200, g: 3, dt: 0.1, seed: 7)
let spectrum = try rate.lyapunovSpectrum(LyapunovConfig(steps: 500, transient: 200, k: 10), on: CPUBackend.shared)
print("λ1…λ10:", spectrum.exponents.map { ($0 * 1000).rounded() / 1000 })

// One SGD step of the MLP on a batch of 64 synthetic 28×28 images.
let images = try Dataset(samples: (0..<64 * 784).map { Float(($0 * 37) % 101) / 101 }, labels: (0..<64).map { Int32($0 % 10) },
                         sampleShape: [1, 28, 28], classes: 10, name: "synthetic")
let mlp = try Trainer<Float>(config: TrainConfig(model: .mlp, data: "synthetic", epochs: 1, batch: 64, sgd: SGD(lr: 0.1)),
                             data: TrainingData(name: "synthetic", train: images, test: images), backend: CPUBackend.shared)
let step = try mlp.run()
print("MLP loss after one step:", step.trainLoss, "(\(step.iterations) iteration)")
