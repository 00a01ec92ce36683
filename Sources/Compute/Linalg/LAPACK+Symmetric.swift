import CBLAS
import Foundation

/// Symmetric and symmetric-definite routines with vectors (Cholesky, eigenvectors, the
/// generalised problem A v = λ B v), on row-major host arrays.
extension LAPACK {
    /// The lower Cholesky factor L of a symmetric positive-definite n×n matrix (A = L Lᵀ,
    /// LAPACKE_dpotrf; only the lower triangle of A is read). A matrix that is not positive
    /// definite is refused with an error naming it (`what`) and the failing leading minor; so is
    /// one whose pivot Lᵢᵢ² falls below `pivotFloor` · Aᵢᵢ (numerically singular).
    public static func cholesky(_ a: [Double], n: Int, what: String = "the matrix", pivotFloor: Double = 0) throws
        -> [Double]
    {
        BLASSetup.configure()
        try checkSquare(a.count, n: n, "Cholesky factorisation of \(what)")
        try checkFinite(a, "Cholesky factorisation of \(what)")
        var l = a
        if n == 0 { return l }
        let info = LAPACKE_dpotrf(row, ch("L"), Int32(n), &l, Int32(n))
        if info > 0 {
            throw ComputeError.invalidArgument(
                "\(what) (\(n)×\(n)) is not positive definite: its leading \(info)×\(info) minor is not positive")
        }
        try check(info, "dpotrf", n)
        for i in 0..<n where l[i * n + i] * l[i * n + i] <= pivotFloor * a[i * n + i] {
            throw ComputeError.invalidArgument(
                "\(what) (\(n)×\(n)) is not positive definite: it is numerically singular (pivot \(i + 1) is "
                    + "\(l[i * n + i] * l[i * n + i]) against a diagonal entry \(a[i * n + i]))")
        }
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { l[i * n + j] = 0 } }
        return l
    }

    /// Eigenvalues (ascending) and eigenvectors of a real symmetric n×n matrix (LAPACKE_dsyevd on
    /// the upper triangle). `vectors` is row-major n×n with eigenvector j in column j, orthonormal.
    public static func symmetricEigen(_ a: [Double], n: Int) throws -> (values: [Double], vectors: [Double]) {
        BLASSetup.configure()
        try checkSquare(a.count, n: n, "symmetric eigendecomposition")
        try checkFinite(a, "symmetric eigendecomposition")
        var v = a
        var w = [Double](repeating: 0, count: n)
        if n == 0 { return (w, v) }
        let info = LAPACKE_dsyevd(row, ch("V"), ch("U"), Int32(n), &v, Int32(n), &w)
        try check(info, "dsyevd", n)
        return (w, v)
    }

    /// The symmetric-definite generalised eigenproblem A v = λ B v (LAPACKE_dsygvd, itype 1), with
    /// A symmetric and B symmetric positive definite. Eigenvalues ascending; `vectors` row-major
    /// n×n with eigenvector j in column j, normalised so that vᵀ B v = 1 (and vᵢᵀ B vⱼ = 0).
    public static func generalizedSymmetricEigen(_ a: [Double], _ b: [Double], n: Int, whatB: String = "B") throws
        -> (values: [Double], vectors: [Double])
    {
        BLASSetup.configure()
        try checkSquare(a.count, n: n, "generalised eigenproblem")
        try checkSquare(b.count, n: n, "generalised eigenproblem")
        try checkFinite(a + b, "generalised eigenproblem")
        var v = a, bb = b
        var w = [Double](repeating: 0, count: n)
        if n == 0 { return (w, v) }
        let info = LAPACKE_dsygvd(row, 1, ch("V"), ch("U"), Int32(n), &v, Int32(n), &bb, Int32(n), &w)
        if info > Int32(n) {
            let k = info - Int32(n)
            throw ComputeError.invalidArgument(
                "\(whatB) (\(n)×\(n)) is not positive definite: its leading \(k)×\(k) minor is not positive")
        }
        try check(info, "dsygvd", n)
        return (w, v)
    }

    /// log det of a symmetric positive-definite matrix from its Cholesky factor.
    public static func logDetPositiveDefinite(_ a: [Double], n: Int, what: String = "the matrix") throws -> Double {
        let l = try cholesky(a, n: n, what: what)
        var s = 0.0
        for i in 0..<n { s += 2 * log(l[i * n + i]) }
        return s
    }
}
