import Compute
import OpenCLRuntime

/// The state covariance of docs/lyapunov.md L8 accumulated on the device (L8a, issue 17
/// point 3), for every member of a batch at once, so that the accumulated steps send no state
/// to the host. Each step's states [B, N] (one segment) are copied, shifted by the first ones,
/// into row r of a block [R, B, N] (R = StateCovariance.blockRows); a full block goes into
/// Σ xxᵀ ([B, N, N]) and Σ x ([B, N]) by two strided-batched GEMMs over the members. The host
/// sees the sums only at checkpoints and the end, in StateCovariance's record layout, so the
/// participation ratio and the checkpoints are StateCovariance's own.
final class DeviceStateCovariance<T: Scalar> {
    let backend: any Backend
    let members: Int, size: Int
    static var blockRows: Int { StateCovariance.blockRows }
    private(set) var count = 0, pending = 0
    let shift: Tensor<T>, block: Tensor<T>, second: Tensor<T>, sum: Tensor<T>, ones: Tensor<T>

    /// Device bytes it keeps for `members` states of `size` values.
    static func bytes(members b: Int, size n: Int) -> Int {
        Checked.product([b, n, Checked.sum([n, blockRows + 2]) ?? .max, MemoryLayout<T>.stride]) ?? .max
    }

    init(backend: any Backend, members b: Int, size n: Int) throws {
        (self.backend, members, size) = (backend, b, n)
        shift = try backend.zeros([1, b * n], as: T.self)
        block = try backend.zeros([Self.blockRows, b * n], as: T.self)
        second = try backend.zeros([b, n, n], as: T.self)
        sum = try backend.zeros([b, n, 1], as: T.self)
        ones = try backend.zeros([Self.blockRows, 1], as: T.self)
        try backend.fill(ones, with: 1)
    }

    /// Adds every member's state: `states` [1, B, N] on the device.
    func add(_ states: Tensor<T>) throws {
        let x = try states.reshaped([1, members * size])
        if count == 0 { try backend.copy(x, into: shift) }
        let row = try block.rows(pending..<(pending + 1))
        try backend.copy(x, into: row)
        try backend.axpby(-1, shift, 1, row)
        (count, pending) = (count + 1, pending + 1)
        if pending == Self.blockRows { try flush() }
    }

    /// Σ xxᵀ += X_mᵀ X_m and Σ x += X_mᵀ 1 for every member m, X_m the block's columns of m.
    private func flush() throws {
        let (n, ld) = (size, members * size)
        var outer = GemmParams(m: n, n: n, k: pending, transA: true, batch: members, lda: ld, ldb: ld, ldc: n)
        (outer.strideA, outer.strideB, outer.strideC) = (n, n, n * n)
        try backend.gemm(outer, alpha: 1, block, block, beta: 1, second)
        var sums = GemmParams(m: n, n: 1, k: pending, transA: true, batch: members, lda: ld, ldb: 1, ldc: 1)
        (sums.strideA, sums.strideB, sums.strideC) = (n, 0, n)
        try backend.gemm(sums, alpha: 1, block, ones, beta: 1, sum)
        pending = 0
    }

    /// Each member's record in StateCovariance's layout (count, pending rows, shift, sum, Σ xxᵀ,
    /// the pending rows): one read of the sums.
    func records() throws -> [[Double]] {
        let (n, b) = (size, members)
        let sh = try shift.toArray(), s1 = try sum.toArray(), s2 = try second.toArray()
        let rows = pending > 0 ? try block.rows(0..<pending).toArray() : []
        return (0..<b).map { m in
            var v = [Double(count), Double(pending)]
            if count > 0 { v += sh[(m * n)..<((m + 1) * n)].map(\.double) }
            v += s1[(m * n)..<((m + 1) * n)].map(\.double)
            v += s2[(m * n * n)..<((m + 1) * n * n)].map(\.double)
            for r in 0..<pending { v += rows[(r * b * n + m * n)..<(r * b * n + (m + 1) * n)].map(\.double) }
            return v
        }
    }

    /// The host covariances (for the participation ratio) from `records`.
    func hostCovariances() throws -> [StateCovariance] {
        try records().map { r in
            let c = StateCovariance(size: size)
            try c.restore(r)
            return c
        }
    }

    /// Restores the device sums from records in StateCovariance's layout (a checkpoint).
    func restore(_ records: [[Double]]) throws {
        guard records.count == members else {
            throw ComputeError.invalidArgument("state covariance: \(records.count) records for \(members) members")
        }
        let host = try records.map { r -> StateCovariance in
            let c = StateCovariance(size: size)
            try c.restore(r)
            return c
        }
        let n = size, b = members
        count = host[0].count
        pending = host[0].block.count / max(n, 1)
        guard host.allSatisfy({ $0.count == count && $0.block.count == pending * n }) else {
            throw ComputeError.invalidArgument("state covariance: the members' records disagree")
        }
        if count > 0 { try backend.write(host.flatMap(\.shift).map { T($0) }, into: shift) }
        try backend.write(host.flatMap(\.sum).map { T($0) }, into: sum)
        try backend.write(host.flatMap(\.second).map { T($0) }, into: second)
        var rows = [T](repeating: 0, count: Self.blockRows * b * n)
        for m in 0..<b {
            for r in 0..<pending {
                for i in 0..<n { rows[r * b * n + m * n + i] = T(host[m].block[r * n + i]) }
            }
        }
        try backend.write(rows, into: block)
    }
}
