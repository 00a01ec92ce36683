import Compute
import CBLAS
import Foundation

/// The covariance C of one trajectory's states over the accumulation phase of a Lyapunov run
/// (docs/lyapunov.md L8; reported beside the Kaplan–Yorke dimension),
/// for the participation-ratio dimension (Σλ_C)²/Σλ_C² over C's eigenvalues λ_C: since C is
/// symmetric that is (tr C)² / ‖C‖_F², so no eigendecomposition is needed.
///
/// States are shifted by the first one (so the sums do not cancel) and collected in blocks of
/// `blockRows`; a full block goes into Σ xxᵀ with one dsyrk (upper triangle) and into Σ x in a
/// fixed order. The block schedule depends only on the number of states seen, and a checkpoint
/// stores the partial block, so a resumed run does exactly the same arithmetic as an unbroken one.
package final class StateCovariance {
    package static let blockRows = 64
    let size: Int
    private(set) var count = 0
    private(set) var shift: [Double] = []
    private(set) var sum: [Double]
    private(set) var second: [Double]
    private(set) var block: [Double] = []

    init(size: Int) {
        self.size = size
        sum = [Double](repeating: 0, count: size)
        second = [Double](repeating: 0, count: size * size)
        block.reserveCapacity(Self.blockRows * size)
    }

    /// Adds one state of `size` values.
    func add(_ x: [Double]) {
        precondition(x.count == size, "state covariance: \(x.count) values, expected \(size)")
        if shift.isEmpty { shift = x }
        for i in 0..<size { block.append(x[i] - shift[i]) }
        count += 1
        if block.count == Self.blockRows * size { flush() }
    }

    private func flush() {
        let rows = block.count / max(size, 1)
        if rows == 0 { return }
        BLASSetup.configure()
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(size), Int32(rows), 1, block, Int32(size), 1,
                    &second, Int32(size))
        for r in 0..<rows { for i in 0..<size { sum[i] += block[r * size + i] } }
        block.removeAll(keepingCapacity: true)
    }

    /// (tr C)² / ‖C‖_F² of the covariance so far (the pending block included, on a copy), or nil
    /// before two states.
    func participationRatio() -> Double? {
        guard count >= 2 else { return nil }
        var s2 = second, s1 = sum
        let rows = block.count / max(size, 1)
        if rows > 0 {
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(size), Int32(rows), 1, block, Int32(size), 1,
                        &s2, Int32(size))
            for r in 0..<rows { for i in 0..<size { s1[i] += block[r * size + i] } }
        }
        let t = Double(count)
        let mean = s1.map { $0 / t }
        var trace = 0.0, frob = 0.0
        for i in 0..<size {
            let cii = s2[i * size + i] / t - mean[i] * mean[i]
            trace += cii
            frob += cii * cii
            for j in (i + 1)..<size {
                let cij = s2[i * size + j] / t - mean[i] * mean[j]
                frob += 2 * cij * cij
            }
        }
        return frob > 0 ? trace * trace / frob : nil
    }

    // MARK: checkpoints

    /// count, then shift (size, or none before the first state), sum, second, the pending block.
    var values: [Double] { [Double(count), Double(block.count / max(size, 1))] + shift + sum + second + block }

    func restore(_ v: [Double]) throws {
        guard v.count >= 2 else { throw ComputeError.invalidArgument("state covariance: empty checkpoint record") }
        let n = Int(v[0]), rows = Int(v[1])
        let shiftCount = n > 0 ? size : 0
        guard v.count == 2 + shiftCount + size + size * size + rows * size else {
            throw ComputeError.invalidArgument("state covariance: checkpoint record of \(v.count) values does not fit size \(size)")
        }
        var at = 2
        func take(_ k: Int) -> [Double] { defer { at += k }; return Array(v[at..<at + k]) }
        count = n
        shift = take(shiftCount)
        sum = take(size)
        second = take(size * size)
        block = take(rows * size)
    }

    /// Numbers `values` holds at most.
    static func recordSize(_ size: Int) -> Int { 2 + 2 * size + size * size + blockRows * size }
}
