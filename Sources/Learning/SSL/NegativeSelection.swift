import Compute

/// Which negatives of the queue enter the InfoNCE loss (`--negatives`, docs/ssl.md S7): all of
/// them, or for each query the band of similarity percentiles [lo, hi) of the ranked queue.
public enum NegativeSelection: Codable, Sendable, Equatable {
    case all
    case band(lo: Double, hi: Double)

    /// "all" or "band:LO:HI" with 0 ≤ LO < HI ≤ 100.
    public init(parsing s: String) throws {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts == ["all"] {
            self = .all
        } else if parts.count == 3, parts[0] == "band", let lo = Double(parts[1]), let hi = Double(parts[2]) {
            self = .band(lo: lo, hi: hi)
        } else {
            throw ComputeError.invalidArgument("the negatives are all or band:LO:HI (percentiles of similarity, e.g. band:95:100), got '\(s)'")
        }
        if let p = problem() { throw ComputeError.invalidArgument(p) }
    }

    public var description: String {
        switch self {
        case .all: "all"
        case .band(let lo, let hi): "band:\(Self.format(lo)):\(Self.format(hi))"
        }
    }

    static func format(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }

    public func problem() -> String? {
        guard case .band(let lo, let hi) = self else { return nil }
        if !(lo >= 0 && lo <= 100 && hi >= 0 && hi <= 100) {
            return "a band's percentiles must lie in [0, 100], got \(Self.format(lo)) and \(Self.format(hi))"
        }
        if lo >= hi { return "a band needs LO < HI, got LO = \(Self.format(lo)), HI = \(Self.format(hi))" }
        return nil
    }

    /// The ranks kept of a queue of `size` ranked ascending by similarity: ⌊lo K/100⌋ ..< ⌈hi K/100⌉ (S7).
    public func ranks(queue size: Int) -> Range<Int> {
        switch self {
        case .all: return 0..<size
        case .band(let lo, let hi):
            let a = Int((lo * Double(size) / 100).rounded(.down)), b = Int((hi * Double(size) / 100).rounded(.up))
            return min(a, size)..<min(max(b, a), size)
        }
    }

    /// Why a queue of `size` cannot be used with this selection, or nil.
    public func problem(queue size: Int) -> String? {
        ranks(queue: size).isEmpty ? "the band \(description) keeps no negative of a queue of \(size)" : nil
    }
}

/// Sums of the band statistics (docs/ssl.md S8) over the steps of a run.
public struct BandStatistics: Codable, Sendable, Equatable {
    /// Σ similarity of kept negatives, their count.
    public var similaritySum = 0.0, negatives = 0
    /// Queries whose band held a labelled negative, and those of them above chance.
    public var labelledQueries = 0, aboveChance = 0

    public init() {}

    public var meanSimilarity: Double { negatives > 0 ? similaritySum / Double(negatives) : .nan }
    public var aboveChanceFraction: Double { labelledQueries > 0 ? Double(aboveChance) / Double(labelledQueries) : .nan }
}

/// Ranking of the queue for each query: the additive logit mask of the excluded negatives
/// and the statistics of the band and of the whole queue.
enum BandSelector {
    /// `similarities` [N, 1 + K] row-major (column 0 the positive), `queueLabels` [K] (−1 = no
    /// class), `labels` [N]. Returns the mask [N, 1 + K] (0 kept, `excluded` otherwise).
    static func select(_ similarities: [Double], n: Int, k: Int, selection: NegativeSelection, queueLabels: [Int32],
                       labels: [Int32], excluded: Double, band: inout BandStatistics, whole: inout BandStatistics) -> [Double] {
        let kept = selection.ranks(queue: k)
        var mask = [Double](repeating: 0, count: n * (1 + k))
        var order = Array(0..<k)
        for i in 0..<n {
            let row = similarities[(i * (1 + k) + 1)..<((i + 1) * (1 + k))]
            let base = row.startIndex
            order = Array(0..<k)
            order.sort { a, b in row[base + a] != row[base + b] ? row[base + a] < row[base + b] : a < b }
            var inBand = [Bool](repeating: false, count: k)
            for r in kept { inBand[order[r]] = true }
            var labelled = 0, same = 0, bandLabelled = 0, bandSame = 0
            for j in 0..<k {
                let s = row[base + j]
                whole.similaritySum += s
                whole.negatives += 1
                let l = queueLabels[j]
                if l >= 0 { labelled += 1; if l == labels[i] { same += 1 } }
                if inBand[j] {
                    band.similaritySum += s
                    band.negatives += 1
                    if l >= 0 { bandLabelled += 1; if l == labels[i] { bandSame += 1 } }
                } else {
                    mask[i * (1 + k) + 1 + j] = excluded
                }
            }
            if labelled > 0 { whole.labelledQueries += 1 }
            if bandLabelled > 0 {
                band.labelledQueries += 1
                // bandSame/bandLabelled > same/labelled, in integers.
                if bandSame * labelled > same * bandLabelled { band.aboveChance += 1 }
            }
        }
        return mask
    }
}
