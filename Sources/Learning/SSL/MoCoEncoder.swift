import Compute

/// One MoCo encoder (docs/ssl.md S1, S2): a library model without its final linear layer (the
/// backbone h), the projection head g = Linear(F → F), ReLU, Linear(F → d), and the L2
/// normalisation of the embeddings.
public final class MoCoEncoder<T: Scalar> {
    public let backbone: Sequential<T>
    public let head: Sequential<T>
    public let network: Sequential<T>
    /// F, the backbone's features per sample.
    public let features: Int

    /// Built from `model` for samples of `shape` (its classifier layer sized for `classes`, then dropped).
    public init(model: ModelChoice, shape: [Int], classes: Int, projectionDim d: Int, on backend: any Backend) throws {
        let full = try model.build(T.self, input: shape, classes: classes, on: backend)
        guard let last = full.layers.last as? Linear<T>, full.layers.count >= 2 else {
            throw ComputeError.invalidArgument("the encoder is the model \(model.name) without its final linear layer, "
                                               + "but its last layer is not linear")
        }
        features = last.inFeatures
        backbone = Sequential("\(model.name).backbone", Array(full.layers.dropLast()))
        backbone.needsInputGradient = false
        head = Sequential("head", [try Linear("head.fc1", in: features, out: features, on: backend), ReLU("head.relu", on: backend),
                                   try Linear("head.fc2", in: features, out: d, on: backend)])
        network = Sequential("moco", [backbone, head, L2Normalize("moco.normalize", on: backend)])
        network.needsInputGradient = false
    }

    public var parameters: [Parameter<T>] { network.parameters }
    public var buffers: [(String, Tensor<T>)] { network.buffers }

    /// Normalised embeddings [N, d] of x.
    public func forward(_ x: Tensor<T>, train: Bool) throws -> Tensor<T> { try network.forward(x, train: train) }

    /// Copies every parameter value and buffer of `other` (the key encoder's start).
    public func copy(from other: MoCoEncoder<T>) throws {
        for (a, b) in zip(parameters, other.parameters) { try a.value.backend.copy(b.value, into: a.value) }
        for (a, b) in zip(buffers, other.buffers) { try a.1.backend.copy(b.1, into: a.1) }
    }

    /// θ_k ← m θ_k + (1 − m) θ_q for every parameter (S5), self being the key encoder.
    public func momentumUpdate(from query: MoCoEncoder<T>, momentum m: Double) throws {
        for (k, q) in zip(parameters, query.parameters) { try k.value.backend.axpby(T(1 - m), q.value, T(m), k.value) }
    }
}
