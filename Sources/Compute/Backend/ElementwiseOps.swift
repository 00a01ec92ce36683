/// Elementwise functions with a CPU and an OpenCL implementation (kernels/elementwise.cl;
/// the raw values are the kernel's op codes).
public enum UnaryOp: Int32, CaseIterable, Sendable, Codable {
    case tanh = 0, sech2, sigmoid, exp, log, abs, relu, square, sqrt
}

/// Elementwise binary functions (kernels/elementwise.cl op codes). `maskPositive` is
/// z = x where y > 0, else 0: the gradient of ReLU (x = ∂L/∂out, y = the ReLU's input or output).
public enum BinaryOp: Int32, CaseIterable, Sendable, Codable {
    case add = 0, sub, mul, div, maskPositive
}

/// Elementwise maps, reductions and diagonal scalings.
public protocol ElementwiseOps: BackendBase {
    func apply<T: Scalar>(_ op: UnaryOp, _ x: Tensor<T>, into y: Tensor<T>) throws
    /// y = alpha x + beta y (beta = 0 overwrites y).
    func axpby<T: Scalar>(_ alpha: T, _ x: Tensor<T>, _ beta: T, _ y: Tensor<T>) throws
    func sum<T: Scalar>(_ x: Tensor<T>) throws -> Double
    func dot<T: Scalar>(_ x: Tensor<T>, _ y: Tensor<T>) throws -> Double
    /// z = x op y elementwise.
    func binary<T: Scalar>(_ op: BinaryOp, _ x: Tensor<T>, _ y: Tensor<T>, into z: Tensor<T>) throws
    /// y = diag(v) X + βy (`rows`) or X diag(v) + βy, X row-major with x.count / cols rows;
    /// β = 0 overwrites y; y may be x.
    func scale<T: Scalar>(rows: Bool, _ v: Tensor<T>, _ x: Tensor<T>, cols: Int, beta: T, into y: Tensor<T>) throws
    func fill<T: Scalar>(_ y: Tensor<T>, with value: T) throws
}
