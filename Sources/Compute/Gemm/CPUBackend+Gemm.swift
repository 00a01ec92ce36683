import CBLAS

extension CPUBackend {
    /// OpenBLAS sgemm/dgemm, one call per matrix of the batch.
    public func gemm<T: Scalar>(_ p: GemmParams, alpha: T, _ a: Tensor<T>, _ b: Tensor<T>, beta: T, _ c: Tensor<T>) throws {
        try checkOperands("gemm", [a, b, c])
        try p.validate(countA: a.count, countB: b.count, countC: c.count)
        if p.m == 0 || p.n == 0 || p.batch == 0 { return }
        let ha = host(a), hb = host(b), hc = host(c)
        let ta = p.transA ? CblasTrans : CblasNoTrans, tb = p.transB ? CblasTrans : CblasNoTrans
        // k == 0: C = βC (BLAS leaves C alone only when β = 1).
        ha.values.withUnsafeBufferPointer { pa in
            hb.values.withUnsafeBufferPointer { pb in
                hc.values.withUnsafeMutableBufferPointer { pc in
                    for i in 0..<p.batch {
                        let ao = p.offsetA + i * p.strideA, bo = p.offsetB + i * p.strideB, co = p.offsetC + i * p.strideC
                        if T.self == Float.self {
                            cblas_sgemm(CblasRowMajor, ta, tb, Int32(p.m), Int32(p.n), Int32(p.k), Float(alpha.double),
                                        raw(pa, ao, Float.self), Int32(p.lda), raw(pb, bo, Float.self), Int32(p.ldb),
                                        Float(beta.double), rawMut(pc, co, Float.self), Int32(p.ldc))
                        } else {
                            cblas_dgemm(CblasRowMajor, ta, tb, Int32(p.m), Int32(p.n), Int32(p.k), alpha.double,
                                        raw(pa, ao, Double.self), Int32(p.lda), raw(pb, bo, Double.self), Int32(p.ldb),
                                        beta.double, rawMut(pc, co, Double.self), Int32(p.ldc))
                        }
                    }
                }
            }
        }
    }
}

/// Reinterprets element `offset` of a Scalar buffer as the concrete type the BLAS call takes.
@inline(__always)
func raw<T, U>(_ p: UnsafeBufferPointer<T>, _ offset: Int, _: U.Type) -> UnsafePointer<U>? {
    guard let base = p.baseAddress else { return nil }
    return UnsafeRawPointer(base + offset).assumingMemoryBound(to: U.self)
}

@inline(__always)
func rawMut<T, U>(_ p: UnsafeMutableBufferPointer<T>, _ offset: Int, _: U.Type) -> UnsafeMutablePointer<U>? {
    guard let base = p.baseAddress else { return nil }
    return UnsafeMutableRawPointer(base + offset).assumingMemoryBound(to: U.self)
}
