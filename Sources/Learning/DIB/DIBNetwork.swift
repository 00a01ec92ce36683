import Compute
import Foundation

/// The encoder, the classifier head and the K nuisance heads of a DIB run, and the gradients of
/// one minibatch with the nuisance term reversed at the representation (docs/dib.md D4, D5).
public final class DIBNetwork<T: Scalar> {
    public let encoder: Sequential<T>
    public let classifier: Sequential<T>
    public let nuisanceHeads: [Sequential<T>]
    public let beta: Double
    /// ln k when the reversed term is clamped at the baseline (D4′), else nil.
    public let clamp: Double?
    let backend: any Backend
    private let loss: SoftmaxCrossEntropy<T>
    private var sum = Reusable<T>()

    /// A network for samples of `inputShape` and `classes` classes. The encoder (Flatten, then
    /// Linear + ReLU per width) and the classifier take the weights of plain training of
    /// encoder + classifier (stream 1000 + i, D6); the nuisance heads theirs from stream 13.
    public init(config: DIBConfig, inputShape: [Int], classes: Int, on backend: any Backend) throws {
        if let problem = config.problem() { throw ComputeError.invalidArgument(problem) }
        guard T.dtype == config.dtype else { throw ComputeError.invalidArgument("DIB network type differs from \(config.dtype)") }
        try config.checkMemory(inputSize: inputShape.reduce(1, *), classes: classes)
        var layers: [any Layer<T>] = [Flatten<T>("encoder.flatten")]
        var width = inputShape.reduce(1, *)
        for (i, w) in config.encoderWidths.enumerated() {
            layers.append(try Linear<T>("encoder.fc\(i + 1)", in: width, out: w, on: backend))
            layers.append(ReLU<T>("encoder.relu\(i + 1)", on: backend))
            width = w
        }
        encoder = Sequential("encoder", layers)
        encoder.needsInputGradient = false
        classifier = try config.head.build(T.self, name: "classifier", features: width, outputs: classes, on: backend)
        nuisanceHeads = try (0..<config.heads).map {
            try config.head.build(T.self, name: "nuisance\($0)", features: width, outputs: config.labelingSize, on: backend)
        }
        try config.initScheme.initialize(encoder.parameters + classifier.parameters, seed: config.seed)
        for (h, head) in nuisanceHeads.enumerated() {
            try DIBHeadFamily.initialize(head, index: h, scheme: config.initScheme, seed: config.seed)
        }
        beta = config.beta
        clamp = config.clampAtBaseline ? Foundation.log(Double(config.labelingSize)) : nil
        self.backend = backend
        loss = SoftmaxCrossEntropy(on: backend)
    }

    /// The representation's dimension d.
    public var features: Int { (encoder.layers.compactMap { $0 as? Linear<T> }.last?.outFeatures)! }

    /// Every parameter: the encoder's, the classifier's, then each nuisance head's.
    public var parameters: [Parameter<T>] { encoder.parameters + classifier.parameters + nuisanceHeads.flatMap(\.parameters) }

    /// The losses of one minibatch: ℓ_y, each ℓ_j (nats), the encoder's objective
    /// L = ℓ_y − β mean_j ℓ_j (D4; with ℓ_j clamped at ln k, D4′) and the classifier's correct count.
    public struct Losses: Sendable {
        public var classifier: Double
        public var nuisance: [Double]
        public var objective: Double
        public var correct: Int
    }

    /// Forward passes only (for evaluation and finite differences).
    public func losses(_ x: Tensor<T>, labels y: Tensor<T>, nuisance: [Tensor<T>], train: Bool) throws -> Losses {
        try checkNuisance(nuisance)
        let z = try encoder.forward(x, train: train)
        let r = try loss(classifier.forward(z, train: train), labels: y, gradient: false)
        let ln = try zip(nuisanceHeads, nuisance).map { head, n in try loss(head.forward(z, train: train), labels: n, gradient: false).meanLoss }
        return Losses(classifier: r.meanLoss, nuisance: ln, objective: objective(r.meanLoss, ln), correct: r.correct)
    }

    /// Forward and backward passes (D5): the classifier's gradient ∇ℓ_y, each nuisance head's
    /// ∇ℓ_j, and the encoder's from ∂ℓ_y/∂z − (β/K) Σ_j ∂ℓ_j/∂z, into every parameter's `grad`;
    /// when clamped (D4′), a head whose ℓ_j is at or above ln k adds nothing at z.
    public func gradients(_ x: Tensor<T>, labels y: Tensor<T>, nuisance: [Tensor<T>]) throws -> Losses {
        try checkNuisance(nuisance)
        let z = try encoder.forward(x, train: true)
        let r = try loss(classifier.forward(z, train: true), labels: y, gradient: true)
        guard let dz = try classifier.backward(r.gradient!) else {
            throw ComputeError.invalidArgument("the classifier head returned no input gradient")
        }
        let s = try sum.get(z.shape, on: backend)
        try backend.fill(s, with: 0)
        var ln: [Double] = []
        for (head, n) in zip(nuisanceHeads, nuisance) {
            let rj = try loss(head.forward(z, train: true), labels: n, gradient: true)
            ln.append(rj.meanLoss)
            guard let dzj = try head.backward(rj.gradient!) else {
                throw ComputeError.invalidArgument("\(head.name) returned no input gradient")
            }
            if let c = clamp, rj.meanLoss >= c { continue }
            try backend.axpby(1, dzj, 1, s)
        }
        // dz ← dz_y − (β/K) Σ_j dz_j: exactly dz_y at β = 0 (D6).
        try backend.axpby(T(-beta / Double(nuisanceHeads.count)), s, 1, dz)
        _ = try encoder.backward(dz)
        return Losses(classifier: r.meanLoss, nuisance: ln, objective: objective(r.meanLoss, ln), correct: r.correct)
    }

    func objective(_ ly: Double, _ ln: [Double]) -> Double {
        ly - beta * ln.reduce(0) { $0 + min($1, clamp ?? .infinity) } / Double(max(ln.count, 1))
    }

    private func checkNuisance(_ nuisance: [Tensor<T>]) throws {
        guard nuisance.count == nuisanceHeads.count else {
            throw ComputeError.invalidArgument("\(nuisanceHeads.count) nuisance heads need as many labelings, got \(nuisance.count)")
        }
    }
}
