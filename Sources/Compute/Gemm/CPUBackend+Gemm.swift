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
}
