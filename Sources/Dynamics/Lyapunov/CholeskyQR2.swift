import Compute
import CBLAS
import Foundation

/// CholeskyQR2 on the device (Fukaya et al. 2014; docs/lyapunov.md L5): G = QᵀQ, G = RᵀR (Cholesky, on the host:
/// k×k), Q ← Q R⁻¹, twice. Its work is two GEMM pairs on the device and k³ on the host, so it
/// suits GPUs; R = R₂R₁ is upper triangular with a positive diagonal, ln R_ii = ln R₁_ii + ln R₂_ii.
///
/// An ill-conditioned block (L5a): the first Cholesky factor's condition number, estimated by
/// LAPACK's dtrcon, is cond(Q). Past `conditionLimit` (or when that Cholesky fails) a shifted pass
/// G + sI = RᵀR comes first (shifted CholeskyQR3, Fukaya, Kannan, Nakatsukasa, Yamamoto and
/// Yanagisawa 2020), which brings cond(Q) to about u^{-1/2}, and the two plain passes follow.
/// Only a block that has lost rank even for the shifted pass goes to the host Householder QR.
/// Its methods are specialised for both dtypes: called from generic runs in other modules, the
/// element conversions would otherwise look up generic metadata per element (16× slower at N = 500).
package final class CholeskyQR2<T: Scalar> {
    let backend: any Backend
    let ws: Workspace<T>
    /// Reorthonormalisations that needed the shifted pass, and those that fell back to Householder.
    package private(set) var shiftedCalls = 0, householderCalls = 0

    package init(backend: any Backend) {
        self.backend = backend
        ws = Workspace(backend)
    }

    /// cond(Q) past which CholeskyQR2 alone would lose orthogonality (its error grows like
    /// u·cond(Q)², L5a): 1/(100 √u), 9.5·10⁵ in float64, 29 in float32.
    package static var conditionLimit: Double { 0.01 / T.ulpOfOne.double.squareRoot() }

    package func orthonormalize(_ q: Tensor<T>) throws -> [Double] {
        guard q.rank == 2 else { throw ComputeError.shapeMismatch("CholeskyQR2 of one block [S, k], got \(q.shape)") }
        return try orthonormalize(members: q)[0]
    }

    /// Every member's block of Q ([B, S, k]) at once: the Gram matrices and the products
    /// Q_b R_b⁻¹ are strided-batched GEMMs (launches independent of B), the k×k Cholesky
    /// factorisations run on the host member by member. If any member is ill-conditioned, every
    /// member gets the shifted pass first (its own shift); Q is untouched until a pass is applied.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package func orthonormalize(members q: Tensor<T>) throws -> [[Double]] {
        let (b, s, k) = try TangentQR.blockShape(q)
        var logs = [[Double]](repeating: [Double](repeating: 0, count: k), count: b)
        var gram = try self.gram(q, b, k)
        var inverses = gram.map { g -> [Double]? in
            var a = g
            guard let cond = Self.choleskyInverse(&a, k), cond <= Self.conditionLimit else { return nil }
            return a
        }
        if inverses.contains(where: { $0 == nil }) {
            // Shift s = 11 (S k + k(k + 1)) u ‖Q‖², with ‖Q‖₂² ≤ trace G (L5a).
            let u = T.ulpOfOne.double
            var shifted: [[Double]] = []
            for m in 0..<b {
                var a = gram[m]
                let shift = 11 * Double(s * k + k * (k + 1)) * u * (0..<k).reduce(0) { $0 + a[$1 * k + $1] }
                for i in 0..<k { a[i * k + i] += shift }
                guard Self.choleskyInverse(&a, k) != nil else {
                    householderCalls += 1
                    return try TangentQR.hostQR(members: q)
                }
                shifted.append(a)
            }
            shiftedCalls += 1
            try apply(shifted, to: q, &logs, b, s, k)
            gram = try self.gram(q, b, k)
            inverses = try (0..<b).map { m in
                var a = gram[m]
                guard Self.choleskyInverse(&a, k) != nil else {
                    throw ComputeError.invalidArgument("shifted CholeskyQR3: the tangent block of member \(m) lost rank")
                }
                return a
            }
        }
        try apply(inverses.map { $0! }, to: q, &logs, b, s, k)
        gram = try self.gram(q, b, k)
        let second = try (0..<b).map { m in
            var a = gram[m]
            guard Self.choleskyInverse(&a, k) != nil else {
                throw ComputeError.invalidArgument("CholeskyQR2: the tangent block of member \(m) lost rank")
            }
            return a
        }
        try apply(second, to: q, &logs, b, s, k)
        return logs
    }

    /// Every member's G = QᵀQ (one strided-batched GEMM), on the host as k×k row-major matrices.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func gram(_ q: Tensor<T>, _ b: Int, _ k: Int) throws -> [[Double]] {
        let g = try ws.get("gram", [b, k, k])
        try backend.gemm(GemmParams(m: k, n: k, k: q.shape[q.rank - 2], transA: true, batch: b), alpha: 1, q, q, beta: 0, g)
        let host = try g.toArray().map(\.double)
        return (0..<b).map { Array(host[($0 * k * k)..<(($0 + 1) * k * k)]) }
    }

    /// Q_m ← Q_m R_m⁻¹ for every member (one strided-batched GEMM); ln R_ii added to `logs`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func apply(_ inverses: [[Double]], to q: Tensor<T>, _ logs: inout [[Double]], _ b: Int, _ s: Int, _ k: Int) throws {
        for m in 0..<b { for i in 0..<k { logs[m][i] -= Foundation.log(inverses[m][i * k + i]) } }  // diag(R⁻¹) = 1/diag(R)
        let rinv = try ws.get("rinv", [b, k, k])
        try backend.write(inverses.joined().map { T($0) }, into: rinv)
        let tmp = try ws.get("q", [b, s, k])
        try backend.gemm(GemmParams(m: s, n: k, k: k, batch: b), alpha: 1, q, rinv, beta: 0, tmp)
        try backend.copy(tmp, into: q)
    }

    /// Replaces the row-major SPD matrix `a` by R⁻¹ (upper triangular, zeros below), where
    /// a = RᵀR, and returns cond₁(R) as LAPACK's dtrcon estimates it (cond₂(R) = cond₂(a)^{1/2}
    /// within a factor k); nil when `a` is not numerically positive definite.
    static func choleskyInverse(_ a: inout [Double], _ k: Int) -> Double? {
        let upper = Int8(UInt8(ascii: "U")), nonUnit = Int8(UInt8(ascii: "N")), one = Int8(UInt8(ascii: "1"))
        guard LAPACKE_dpotrf(LAPACK_ROW_MAJOR, upper, Int32(k), &a, Int32(k)) == 0 else { return nil }
        var rcond = 0.0
        guard LAPACKE_dtrcon(LAPACK_ROW_MAJOR, one, upper, nonUnit, Int32(k), a, Int32(k), &rcond) == 0,
              LAPACKE_dtrtri(LAPACK_ROW_MAJOR, upper, nonUnit, Int32(k), &a, Int32(k)) == 0 else { return nil }
        for i in 0..<k { for j in 0..<i { a[i * k + j] = 0 } }
        return rcond > 0 ? 1 / rcond : .infinity
    }
}
