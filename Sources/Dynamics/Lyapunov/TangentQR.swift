import Compute
import CBLAS
import Foundation

/// Q, R = qr(Q) with a positive diagonal, in place, for a tangent block Q ([S, k], row-major);
/// returns ln R_ii (docs/lyapunov.md L1, L3, L4).
///
/// Row-major Q [S, k] is column-major Qᵀ [k, S], so LAPACK's LQ factorisation of that buffer,
/// Qᵀ = L P, is Q = Pᵀ Lᵀ with R = Lᵀ: no transposing copies. Columns are then flipped so that
/// R_ii > 0. On an OpenCL backend there are two methods: the block's round trip to the host for
/// that QR, or CholeskyQR2 on the device (BENCHMARKS.md compares them).
public enum TangentQR {
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// Householder QR by LAPACK on the host (a round trip for device tensors).
        case householder
        /// CholeskyQR2: GEMMs on the device, a k×k Cholesky on the host.
        case cholesky2
        /// `preferred(for:)` the backend: householder on CPU devices, cholesky2 on GPUs.
        case auto

        /// The names of earlier versions.
        public static var host: Method { .householder }
        public static var cholesky: Method { .cholesky2 }

        public init?(rawValue: String) {
            switch rawValue {
            case "householder", "host": self = .householder
            case "cholesky2", "cholesky": self = .cholesky2
            case "auto": self = .auto
            default: return nil
            }
        }

        public init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let m = Method(rawValue: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "unknown QR method '\(text)'"))
            }
            self = m
        }

        /// Host QR on CPU-type OpenCL devices (a "transfer" is a memcpy there and LAPACK is
        /// faster than any kernel), CholeskyQR2 on GPUs.
        public static func preferred(for backend: any Backend) -> Method {
            if case .opencl(let cl) = backend.kind, cl.info.isGPU { return .cholesky2 }
            return .householder
        }

        /// The method a run on `backend` uses: `auto` resolved, the others as they are.
        public func resolved(for backend: any Backend) -> Method {
            self == .auto ? Self.preferred(for: backend) : self
        }

        /// A run identity's config text with the old case names (host, cholesky) replaced.
        public static func renamingOldNames(_ text: String) -> String {
            text.replacingOccurrences(of: "TangentQR.Method.host)", with: "TangentQR.Method.householder)")
                .replacingOccurrences(of: "TangentQR.Method.cholesky)", with: "TangentQR.Method.cholesky2)")
        }
    }

    public static func hostQR<T: Scalar>(_ q: Tensor<T>) throws -> [Double] {
        guard q.rank == 2 else { throw ComputeError.shapeMismatch("QR needs a tall block [S, k], got \(q.shape)") }
        return try hostQR(members: q)[0]
    }

    /// Every member's block of Q ([B, S, k]; [S, k] for one member), in place: one transfer each
    /// way for device tensors, then LAPACK member by member; ln R_ii of each member.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func hostQR<T: Scalar>(members q: Tensor<T>) throws -> [[Double]] {
        let (b, s, k) = try blockShape(q)
        if let cpu = q.backend as? CPUBackend {
            let p = cpu.ptr(q)
            return try (0..<b).map { m in try orthonormalize(p + m * s * k, s: s, k: k, T.self) }
        }
        var host = try q.toArray()
        let logs = try host.withUnsafeMutableBufferPointer { buf in
            try (0..<b).map { m in try orthonormalize(buf.baseAddress! + m * s * k, s: s, k: k, T.self) }
        }
        try q.backend.write(host, into: q)
        return logs
    }

    /// (B, S, k) of a tangent block [S, k] or a batch of them [B, S, k], k ≤ S.
    static func blockShape<T>(_ q: Tensor<T>) throws -> (members: Int, s: Int, k: Int) {
        let dims = q.rank == 2 ? (1, q.shape[0], q.shape[1]) : q.rank == 3 ? (q.shape[0], q.shape[1], q.shape[2]) : nil
        guard let dims, dims.1 >= dims.2 else {
            throw ComputeError.shapeMismatch("QR needs tall blocks [S, k] or [B, S, k] with k ≤ S, got \(q.shape)")
        }
        return dims
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func orthonormalize<T: Scalar>(_ a: UnsafeMutablePointer<T>, s: Int, k: Int, _: T.Type) throws -> [Double] {
        if k == 0 { return [] }
        var tau = [T](repeating: 0, count: k)
        let (m, n, lda) = (Int32(k), Int32(s), Int32(k))
        var info: Int32
        if T.self == Double.self {
            let p = UnsafeMutableRawPointer(a).assumingMemoryBound(to: Double.self)
            info = tau.withUnsafeMutableBytes { LAPACKE_dgelqf(LAPACK_COL_MAJOR, m, n, p, lda, $0.baseAddress!.assumingMemoryBound(to: Double.self)) }
            try check(info, "LAPACKE_dgelqf")
        } else {
            let p = UnsafeMutableRawPointer(a).assumingMemoryBound(to: Float.self)
            info = tau.withUnsafeMutableBytes { LAPACKE_sgelqf(LAPACK_COL_MAJOR, m, n, p, lda, $0.baseAddress!.assumingMemoryBound(to: Float.self)) }
            try check(info, "LAPACKE_sgelqf")
        }
        // diag(L) = diag(R), at column-major (i, i): i + i·k.
        var logs = [Double](repeating: 0, count: k)
        var signs = [T](repeating: 1, count: k)
        for i in 0..<k {
            let d = a[i + i * k]
            logs[i] = d == 0 ? -.infinity : Foundation.log(Swift.abs(d.double))
            signs[i] = d < 0 ? -1 : 1
        }
        if T.self == Double.self {
            let p = UnsafeMutableRawPointer(a).assumingMemoryBound(to: Double.self)
            info = tau.withUnsafeMutableBytes { LAPACKE_dorglq(LAPACK_COL_MAJOR, m, n, m, p, lda, $0.baseAddress!.assumingMemoryBound(to: Double.self)) }
            try check(info, "LAPACKE_dorglq")
        } else {
            let p = UnsafeMutableRawPointer(a).assumingMemoryBound(to: Float.self)
            info = tau.withUnsafeMutableBytes { LAPACKE_sorglq(LAPACK_COL_MAJOR, m, n, m, p, lda, $0.baseAddress!.assumingMemoryBound(to: Float.self)) }
            try check(info, "LAPACKE_sorglq")
        }
        // Row i of Pᵀ-storage is column i of Q: flip it where R_ii < 0.
        for r in 0..<s {
            for i in 0..<k where signs[i] < 0 { a[r * k + i] = -a[r * k + i] }
        }
        return logs
    }

    static func check(_ info: Int32, _ call: String) throws {
        if info != 0 {
            throw ComputeError.invalidArgument("\(call) failed (info \(info)): the tangent block has NaN or Inf entries")
        }
    }
}
