import Foundation

/// Per-block logs as Clark keeps them (issue 17 point 4; docs/lyapunov.md L13): with
/// `--block-steps M` the accumulation is cut into blocks of M steps, and block j's summed ln R_ii
/// of each member and tangent column, divided by M δ, is a finite-time exponent. From them: the
/// batch-means standard error of each member's exponents (blocks of one trajectory are nearly
/// independent once M exceeds the correlation time), and the distribution of the finite-time λ1.
public struct BlockStatistics: Codable, Sendable {
    public var blockSteps: Int
    /// Complete blocks (a partial last block is left out).
    public var blocks: Int
    /// Per member, in the order of `LyapunovResult.members` (descending): the standard
    /// deviation of the block exponents over √blocks.
    public var standardErrors: [[Double]]
    /// Finite-time λ1 over every block of every member.
    public var lambda1: Distribution

    public struct Distribution: Codable, Sendable, Equatable {
        /// Values (blocks × members), their mean and sample standard deviation (n − 1).
        public var count: Int, mean: Double, standardDeviation: Double
        /// `quantiles[i]` at probability `probabilities[i]` (linear interpolation of the order
        /// statistics).
        public var probabilities: [Double], quantiles: [Double]
        /// Histogram: `histogramCounts[j]` values in [edges[j], edges[j+1]) (the last bin closed).
        public var histogramEdges: [Double], histogramCounts: [Int]
    }

    static let probabilities = [0.05, 0.25, 0.5, 0.75, 0.95]
    static let bins = 20

    /// `blocks` [block][member][column] of summed ln R_ii; `sums` each member's totals, whose
    /// descending order maps columns to exponents; nil without a complete block.
    init?(blocks: [[[Double]]], blockSteps: Int, timeStep: Double, sums: [[Double]]) {
        guard let first = blocks.first, !first.isEmpty else { return nil }
        let scale = 1 / (Double(blockSteps) * timeStep)
        let n = Double(blocks.count)
        // Column order of member m: its exponents descending, as LyapunovRun.perMember sorts them.
        let order = sums.map { s in s.indices.sorted { s[$0] > s[$1] } }
        standardErrors = order.enumerated().map { m, cols in
            cols.map { i in
                let xs = blocks.map { $0[m][i] * scale }
                return blocks.count > 1 ? Self.standardDeviation(xs) / n.squareRoot() : 0
            }
        }
        let leading = blocks.flatMap { b in order.enumerated().map { m, cols in b[m][cols[0]] * scale } }
        lambda1 = Self.distribution(leading)
        self.blockSteps = blockSteps
        self.blocks = blocks.count
    }

    static func standardDeviation(_ xs: [Double]) -> Double {
        guard xs.count > 1 else { return 0 }
        let mean = xs.reduce(0, +) / Double(xs.count)
        return (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - 1)).squareRoot()
    }

    static func distribution(_ xs: [Double]) -> Distribution {
        let sorted = xs.sorted()
        let q = probabilities.map { p -> Double in
            let at = p * Double(sorted.count - 1), lo = Int(at.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
            return sorted[lo] + (at - Double(lo)) * (sorted[hi] - sorted[lo])
        }
        let (lo, hi) = (sorted.first ?? 0, sorted.last ?? 0)
        let width = (hi - lo) / Double(bins)
        let edges = (0...bins).map { lo + Double($0) * width }
        var counts = [Int](repeating: 0, count: bins)
        for x in sorted {
            let j = width > 0 ? min(Int((x - lo) / width), bins - 1) : 0
            counts[j] += 1
        }
        return Distribution(count: sorted.count, mean: xs.reduce(0, +) / Double(max(xs.count, 1)),
                            standardDeviation: standardDeviation(xs), probabilities: probabilities, quantiles: q,
                            histogramEdges: edges, histogramCounts: counts)
    }
}
