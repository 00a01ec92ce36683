import Compute
/// Layers applied in order; backward runs them in reverse.
public final class Sequential<T: Scalar>: Layer {
    public let name: String
    public let layers: [any Layer<T>]

    public init(_ name: String, _ layers: [any Layer<T>]) {
        self.name = name
        self.layers = layers
    }

    /// Whether backward returns ∂L/∂input. When it does not, backward also stops below the
    /// first layer with a trainable parameter (frozen features need no gradient).
    public var needsInputGradient = true

    public var parameters: [Parameter<T>] { layers.flatMap { $0.parameters } }
    public var buffers: [(String, Tensor<T>)] { layers.flatMap { $0.buffers } }

    /// Marks the parameters of the last layer that has any as the output layer's
    /// (`ParameterGroup.output`).
    public func markOutputLayer() {
        for l in layers { for p in l.parameters { p.isOutput = false } }
        if let last = layers.last(where: { !$0.parameters.isEmpty }) { for p in last.parameters { p.isOutput = true } }
    }

    public func forward(_ x: Tensor<T>, train: Bool) throws -> Tensor<T> {
        var h = x
        for layer in layers { h = try layer.forward(h, train: train) }
        return h
    }

    public func backward(_ dy: Tensor<T>) throws -> Tensor<T>? {
        let start = needsInputGradient
            ? 0 : layers.firstIndex { l in l.parameters.contains { $0.trainable } } ?? layers.count
        var g: Tensor<T>? = dy
        for i in stride(from: layers.count - 1, through: start, by: -1) {
            guard let current = g else { return nil }
            layers[i].needsInputGradient = i > start || needsInputGradient
            g = try layers[i].backward(current)
        }
        return needsInputGradient ? g : nil
    }
}

/// A basic residual block (He et al.): relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)),
/// 3×3 convolutions without bias; the shortcut is the identity, or a strided 1×1 convolution
/// and BatchNorm when the shape changes.
public final class ResidualBlock<T: Scalar>: Layer {
    public let name: String
    public var needsInputGradient = true
    let main: Sequential<T>
    let shortcut: Sequential<T>?
    let relu: ReLU<T>
    let backend: any Backend
    private var sum = Reusable<T>(), dx = Reusable<T>()

    public init(_ name: String, in c: Int, out o: Int, stride: Int, on backend: any Backend) throws {
        self.name = name
        self.backend = backend
        main = Sequential("\(name).main", [
            try Conv2dLayer("\(name).conv1", in: c, out: o, kernel: 3, stride: stride, padding: 1, bias: false, on: backend),
            try BatchNorm("\(name).bn1", channels: o, on: backend),
            ReLU("\(name).relu1", on: backend),
            try Conv2dLayer("\(name).conv2", in: o, out: o, kernel: 3, padding: 1, bias: false, on: backend),
            try BatchNorm("\(name).bn2", channels: o, on: backend),
        ])
        shortcut = stride == 1 && c == o ? nil : Sequential("\(name).shortcut", [
            try Conv2dLayer("\(name).shortcut.conv", in: c, out: o, kernel: 1, stride: stride, bias: false, on: backend),
            try BatchNorm("\(name).shortcut.bn", channels: o, on: backend),
        ])
        relu = ReLU("\(name).relu2", on: backend)
    }

    public var parameters: [Parameter<T>] { main.parameters + (shortcut?.parameters ?? []) }
    public var buffers: [(String, Tensor<T>)] { main.buffers + (shortcut?.buffers ?? []) }

    public func forward(_ x: Tensor<T>, train: Bool) throws -> Tensor<T> {
        let a = try main.forward(x, train: train)
        let b = try shortcut?.forward(x, train: train) ?? x
        let s = try sum.get(a.shape, on: backend)
        try backend.binary(.add, a, b, into: s)
        return try relu.forward(s, train: train)
    }

    public func backward(_ dy: Tensor<T>) throws -> Tensor<T>? {
        guard let ds = try relu.backward(dy) else { return nil }
        main.needsInputGradient = needsInputGradient
        shortcut?.needsInputGradient = needsInputGradient
        let da = try main.backward(ds)
        let db = try shortcut.map { try $0.backward(ds) } ?? ds
        guard needsInputGradient, let da, let db else { return nil }
        let dx = try self.dx.get(da.shape, on: backend)
        try backend.binary(.add, da, db, into: dx)
        return dx
    }
}
