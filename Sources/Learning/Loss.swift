import Compute

/// A loss of a batch of logits [N, K] against class labels [N] (docs/training.md N2, N20): its
/// mean, the number of correct argmax predictions and, when asked, ∂(mean loss)/∂logits in a
/// buffer the loss reuses (valid until its next call).
public protocol Loss<T>: AnyObject {
    associatedtype T: Scalar
    func callAsFunction(_ logits: Tensor<T>, labels: Tensor<T>, gradient: Bool) throws -> LossResult<T>
}

public struct LossResult<T: Scalar> {
    public var meanLoss: Double
    public var correct: Int
    public var gradient: Tensor<T>?
}

/// The losses a configuration names (`--loss`).
public enum LossKind: String, Codable, Sendable, CaseIterable {
    case crossEntropy = "cross-entropy"
    case mse

    public func make<T: Scalar>(_: T.Type, on backend: any Backend) -> any Loss<T> {
        switch self {
        case .crossEntropy: SoftmaxCrossEntropy<T>(on: backend)
        case .mse: MeanSquaredError<T>(on: backend)
        }
    }
}
