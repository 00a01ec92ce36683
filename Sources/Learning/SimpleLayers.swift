import Compute
/// max(x, 0); the gradient passes where the output is positive.
public final class ReLU<T: Scalar>: Layer {
    public let name: String
    public var needsInputGradient = true
    let backend: any Backend
    private var y: Tensor<T>?
    private var out = Reusable<T>(), dx = Reusable<T>()

    public init(_ name: String, on backend: any Backend) {
        self.name = name
        self.backend = backend
    }

    public func forward(_ x: Tensor<T>, train: Bool) throws -> Tensor<T> {
        let y = try out.get(x.shape, on: backend)
        try backend.apply(.relu, x, into: y)
        self.y = y
        return y
    }

    public func backward(_ dy: Tensor<T>) throws -> Tensor<T>? {
        let y = try cached(y, name)
        guard needsInputGradient else { return nil }
        let dx = try self.dx.get(y.shape, on: backend)
        try backend.binary(.maskPositive, dy, y, into: dx)
        return dx
    }
}

/// Max pooling with a square window and stride equal to the window (nn.MaxPool2d(k)).
public final class MaxPool<T: Scalar>: Layer {
    public let name: String
    public let kernel: Int
    public var needsInputGradient = true
    let backend: any Backend
    private var x: Tensor<T>?
    private var params: Pool2dParams?
    private var y = Reusable<T>(), dx = Reusable<T>()

    public init(_ name: String, kernel: Int, on backend: any Backend) {
        self.name = name
        self.kernel = kernel
        self.backend = backend
    }

    public func forward(_ x: Tensor<T>, train: Bool) throws -> Tensor<T> {
        guard x.rank == 4 else { throw ComputeError.shapeMismatch("\(name): expected [N, C, H, W], got \(x.shape)") }
        let p = Pool2dParams(batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3], kernel: kernel)
        if let problem = p.problem() { throw ComputeError.shapeMismatch("\(name): \(problem)") }
        self.x = x
        params = p
        let y = try self.y.get(p.outputShape, on: backend)
        try backend.maxPool2dForward(x, p, into: y)
        return y
    }

    public func backward(_ dy: Tensor<T>) throws -> Tensor<T>? {
        let x = try cached(x, name)
        guard needsInputGradient, let p = params else { return nil }
        let dx = try self.dx.get(x.shape, on: backend)
        try backend.maxPool2dBackward(x, dy, p, into: dx)
        return dx
    }
}

/// [N, C, H, W] → [N, C]: the mean of each plane.
public final class GlobalAvgPool<T: Scalar>: Layer {
    public let name: String
    public var needsInputGradient = true
    let backend: any Backend
    private var shape: [Int]?
    private var y = Reusable<T>(), dx = Reusable<T>()

    public init(_ name: String, on backend: any Backend) {
        self.name = name
        self.backend = backend
    }

    public func forward(_ x: Tensor<T>, train: Bool) throws -> Tensor<T> {
        guard x.rank == 4 else { throw ComputeError.shapeMismatch("\(name): expected [N, C, H, W], got \(x.shape)") }
        shape = x.shape
        let y = try self.y.get([x.shape[0], x.shape[1]], on: backend)
        try backend.globalAvgPoolForward(x, into: y)
        return y
    }

    public func backward(_ dy: Tensor<T>) throws -> Tensor<T>? {
        guard let shape else { throw ComputeError.invalidArgument("\(name): backward called before forward") }
        guard needsInputGradient else { return nil }
        let dx = try self.dx.get(shape, on: backend)
        try backend.globalAvgPoolBackward(dy, into: dx)
        return dx
    }
}

/// [N, ...] → [N, features]: a view, no copy.
public final class Flatten<T: Scalar>: Layer {
    public let name: String
    public var needsInputGradient = true
    private var shape: [Int]?

    public init(_ name: String) { self.name = name }

    public func forward(_ x: Tensor<T>, train: Bool) throws -> Tensor<T> {
        guard let n = x.shape.first else { throw ComputeError.shapeMismatch("\(name): a scalar has no batch dimension") }
        shape = x.shape
        return try x.reshaped([n, x.count / max(n, 1)])
    }

    public func backward(_ dy: Tensor<T>) throws -> Tensor<T>? {
        guard let shape else { throw ComputeError.invalidArgument("\(name): backward called before forward") }
        return needsInputGradient ? try dy.reshaped(shape) : nil
    }
}
