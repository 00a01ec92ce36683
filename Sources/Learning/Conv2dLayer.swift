import Compute
/// A 2-D convolution layer (PyTorch's nn.Conv2d, square kernel) on the backend's conv2d ops;
/// without bias when a BatchNorm follows.
public final class Conv2dLayer<T: Scalar>: Layer {
    public let name: String
    public let weight: Parameter<T>
    public let bias: Parameter<T>?
    public var needsInputGradient = true
    public let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int
    let backend: any Backend
    private var x: Tensor<T>?
    private var params: Conv2dParams?
    private var y = Reusable<T>(), dx = Reusable<T>()

    public init(_ name: String, in inChannels: Int, out outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool, on backend: any Backend) throws {
        self.name = name
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.backend = backend
        let fanIn = inChannels * kernel * kernel
        weight = try Parameter("\(name).weight", role: .weight, shape: [outChannels, inChannels, kernel, kernel],
                               fanIn: fanIn, on: backend)
        self.bias = bias ? try Parameter("\(name).bias", role: .bias, shape: [outChannels], fanIn: fanIn, on: backend) : nil
    }

    public var parameters: [Parameter<T>] { [weight] + (bias.map { [$0] } ?? []) }

    public func forward(_ x: Tensor<T>, train: Bool) throws -> Tensor<T> {
        let p = Conv2dParams(input: x.shape, weight: weight.value.shape, stride: stride, padding: padding)
        if let problem = p.problem(input: x.shape, weight: weight.value.shape, output: p.outputShape, bias: nil) {
            throw ComputeError.shapeMismatch("\(name): \(problem)")
        }
        self.x = x
        params = p
        let y = try self.y.get(p.outputShape, on: backend)
        try backend.conv2dForward(x, weight.value, bias: bias?.value, p, into: y)
        return y
    }

    public func backward(_ dy: Tensor<T>) throws -> Tensor<T>? {
        let x = try cached(x, name)
        guard let p = params else { throw ComputeError.invalidArgument("\(name): backward called before forward") }
        if weight.trainable || bias?.trainable == true {
            try backend.conv2dBackwardWeights(x, dy, p, into: weight.grad, bias: bias?.grad)
        }
        guard needsInputGradient else { return nil }
        let dx = try self.dx.get(p.inputShape, on: backend)
        try backend.conv2dBackwardInput(dy, weight.value, p, into: dx)
        return dx
    }
}
