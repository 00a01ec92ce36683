import Compute
/// One differentiable stage of a network. `forward` caches what `backward` needs; `backward`
/// takes ∂L/∂output, overwrites its parameters' gradients (trainable ones only) and returns
/// ∂L/∂input, or nil when `needsInputGradient` is false (the first layer). Outputs live in
/// buffers the layer reuses from call to call, valid until its next forward or backward.
public protocol Layer<T>: AnyObject {
    associatedtype T: Scalar
    var name: String { get }
    var parameters: [Parameter<T>] { get }
    /// Non-trained state saved in checkpoints (BatchNorm's running statistics), by name.
    var buffers: [(String, Tensor<T>)] { get }
    var needsInputGradient: Bool { get set }
    func forward(_ x: Tensor<T>, train: Bool) throws -> Tensor<T>
    func backward(_ dy: Tensor<T>) throws -> Tensor<T>?
}

extension Layer {
    public var parameters: [Parameter<T>] { [] }
    public var buffers: [(String, Tensor<T>)] { [] }
}

/// A tensor kept between calls and reallocated only when the shape changes (the last batch
/// of an epoch may be smaller).
struct Reusable<T: Scalar> {
    private var tensor: Tensor<T>?

    mutating func get(_ shape: [Int], on backend: any Backend) throws -> Tensor<T> {
        if let t = tensor, t.shape == shape { return t }
        let t = try backend.zeros(shape, as: T.self)
        tensor = t
        return t
    }
}

/// The cached input of a layer, or an error when backward comes before forward.
func cached<T>(_ t: Tensor<T>?, _ layer: String) throws -> Tensor<T> {
    guard let t else { throw ComputeError.invalidArgument("\(layer): backward called before forward") }
    return t
}
