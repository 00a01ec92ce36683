import OpenCLRuntime
import CBLAS

extension CPUBackend {
    /// OpenBLAS sgemm/dgemm, one call per matrix of the batch.
    public func gemm<T: Scalar>(_ p: GemmParams, alpha: T, _ a: Tensor<T>, _ b: Tensor<T>, beta: T, _ c: Tensor<T>) throws {
        try checkOperands("gemm", [a, b, c])
        try p.validate(a, b, c)
        if p.m == 0 || p.n == 0 || p.batch == 0 { return }
        let ta = p.transA ? CblasTrans : CblasNoTrans, tb = p.transB ? CblasTrans : CblasNoTrans
        let pa = UnsafeRawPointer(ptr(a)), pb = UnsafeRawPointer(ptr(b)), pc = UnsafeMutableRawPointer(ptr(c))
        let s = MemoryLayout<T>.stride
        for i in 0..<p.batch {
            let ao = (p.offsetA + i * p.strideA) * s, bo = (p.offsetB + i * p.strideB) * s
            let co = (p.offsetC + i * p.strideC) * s
            if p.k > 0 && (p.n == 1 || p.m == 1) {
                // A matrix–vector product: OpenBLAS 0.3.21 does not forward such GEMMs to GEMV
                // itself, and GEMV is several times faster for them.
                gemv(p, alpha: alpha, pa + ao, pb + bo, beta: beta, pc + co, T.self)
                continue
            }
            // k == 0 is C = βC, as BLAS does it.
            if T.self == Float.self {
                cblas_sgemm(CblasRowMajor, ta, tb, Int32(p.m), Int32(p.n), Int32(p.k), Float(alpha.double),
                            (pa + ao).assumingMemoryBound(to: Float.self), Int32(p.lda),
                            (pb + bo).assumingMemoryBound(to: Float.self), Int32(p.ldb), Float(beta.double),
                            (pc + co).assumingMemoryBound(to: Float.self), Int32(p.ldc))
            } else {
                cblas_dgemm(CblasRowMajor, ta, tb, Int32(p.m), Int32(p.n), Int32(p.k), alpha.double,
                            (pa + ao).assumingMemoryBound(to: Double.self), Int32(p.lda),
                            (pb + bo).assumingMemoryBound(to: Double.self), Int32(p.ldb), beta.double,
                            (pc + co).assumingMemoryBound(to: Double.self), Int32(p.ldc))
            }
        }
    }

    /// C = α op(A) op(B) + β C when n == 1 (y = α op(A) b) or m == 1 (yᵀ = α op(B)ᵀ aᵀ).
    /// β = 0 clears y first, so NaN in C does not leak (as GEMM guarantees).
    private func gemv<T: Scalar>(_ p: GemmParams, alpha: T, _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, beta: T,
                                 _ c: UnsafeMutableRawPointer, _: T.Type) {
        // The matrix, its stored shape and transpose, the vector and the output, with strides.
        let (mat, rows, cols, ld, trans, x, incx, len, incy): (UnsafeRawPointer, Int, Int, Int, Bool, UnsafeRawPointer, Int, Int, Int)
        if p.n == 1 {
            (mat, rows, cols, ld, trans) = p.transA ? (a, p.k, p.m, p.lda, true) : (a, p.m, p.k, p.lda, false)
            (x, incx, len, incy) = (b, p.transB ? 1 : p.ldb, p.m, p.ldc)
        } else {
            (mat, rows, cols, ld, trans) = p.transB ? (b, p.n, p.k, p.ldb, false) : (b, p.k, p.n, p.ldb, true)
            (x, incx, len, incy) = (a, p.transA ? p.lda : 1, p.n, 1)
        }
        let y = c.assumingMemoryBound(to: T.self)
        if beta == 0 { for i in 0..<len { y[i * incy] = 0 } }
        let t = trans ? CblasTrans : CblasNoTrans
        if T.self == Float.self {
            cblas_sgemv(CblasRowMajor, t, Int32(rows), Int32(cols), Float(alpha.double), mat.assumingMemoryBound(to: Float.self),
                        Int32(ld), x.assumingMemoryBound(to: Float.self), Int32(incx), Float(beta.double),
                        c.assumingMemoryBound(to: Float.self), Int32(incy))
        } else {
            cblas_dgemv(CblasRowMajor, t, Int32(rows), Int32(cols), alpha.double, mat.assumingMemoryBound(to: Double.self),
                        Int32(ld), x.assumingMemoryBound(to: Double.self), Int32(incx), beta.double,
                        c.assumingMemoryBound(to: Double.self), Int32(incy))
        }
    }
}
