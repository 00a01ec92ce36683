import Compute
import CBLAS
import Foundation

/// CholeskyQR2 on the device (Fukaya et al. 2014; docs/lyapunov.md L5): G = QᵀQ, G = RᵀR (Cholesky, on the host:
/// k×k), Q ← Q R⁻¹, twice. Its work is two GEMM pairs on the device and k³ on the host, so it
/// suits GPUs; R = R₂R₁ is upper triangular with a positive diagonal, ln R_ii = ln R₁_ii + ln R₂_ii.
/// When the first Cholesky fails (cond(Q)² beyond 1/ε, after many steps between
/// reorthonormalisations) it falls back to the host Householder QR.
package final class CholeskyQR2<T: Scalar> {
    let backend: any Backend
    let ws: Workspace<T>

    package init(backend: any Backend) {
        self.backend = backend
        ws = Workspace(backend)
    }

    package func orthonormalize(_ q: Tensor<T>) throws -> [Double] {
        guard q.rank == 2 else { throw ComputeError.shapeMismatch("CholeskyQR2 of one block [S, k], got \(q.shape)") }
        return try orthonormalize(members: q)[0]
    }

    /// Every member's block of Q ([B, S, k]) at once: the Gram matrices and the products
    /// Q_b R_b⁻¹ are strided-batched GEMMs (launches independent of B), the k×k Cholesky
    /// factorisations run on the host member by member. If any first Cholesky fails, every
    /// member goes to the host Householder QR (Q is untouched until then).
    package func orthonormalize(members q: Tensor<T>) throws -> [[Double]] {
        let (b, s, k) = try TangentQR.blockShape(q)
        var logs = [[Double]](repeating: [Double](repeating: 0, count: k), count: b)
        for pass in 0..<2 {
            let g = try ws.get("gram", [b, k, k])
            try backend.gemm(GemmParams(m: k, n: k, k: s, transA: true, batch: b), alpha: 1, q, q, beta: 0, g)
            var host = try g.toArray().map(\.double)
            for m in 0..<b {
                var gm = Array(host[(m * k * k)..<((m + 1) * k * k)])
                guard Self.choleskyInverse(&gm, k) else {
                    if pass == 0 { return try TangentQR.hostQR(members: q) }
                    throw ComputeError.invalidArgument("CholeskyQR2: the tangent block of member \(m) lost rank")
                }
                for i in 0..<k { logs[m][i] -= Foundation.log(gm[i * k + i]) }  // diag(R⁻¹) = 1/diag(R)
                host.replaceSubrange((m * k * k)..<((m + 1) * k * k), with: gm)
            }
            let rinv = try ws.get("rinv", [b, k, k])
            try backend.write(host.map { T($0) }, into: rinv)
            let tmp = try ws.get("q", [b, s, k])
            try backend.gemm(GemmParams(m: s, n: k, k: k, batch: b), alpha: 1, q, rinv, beta: 0, tmp)
            try backend.copy(tmp, into: q)
        }
        return logs
    }

    /// Replaces the row-major SPD matrix `a` by R⁻¹ (upper triangular, zeros below), where
    /// a = RᵀR; false when it is not numerically positive definite.
    static func choleskyInverse(_ a: inout [Double], _ k: Int) -> Bool {
        let upper = Int8(UInt8(ascii: "U")), nonUnit = Int8(UInt8(ascii: "N"))
        guard LAPACKE_dpotrf(LAPACK_ROW_MAJOR, upper, Int32(k), &a, Int32(k)) == 0,
              LAPACKE_dtrtri(LAPACK_ROW_MAJOR, upper, nonUnit, Int32(k), &a, Int32(k)) == 0 else { return false }
        for i in 0..<k { for j in 0..<i { a[i * k + j] = 0 } }
        return true
    }
}
