/// General matrix products (row-major, strided batch).
public protocol GemmOps: BackendBase {
    /// C = α op(A) op(B) + β C (GemmParams: transposes, leading dimensions, strided batch).
    /// Tensor offsets add to the params' offsets.
    func gemm<T: Scalar>(_ p: GemmParams, alpha: T, _ a: Tensor<T>, _ b: Tensor<T>, beta: T, _ c: Tensor<T>) throws
}
