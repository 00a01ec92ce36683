import Foundation

/// One trained network of a β sweep (docs/dib.md D8).
public struct DIBRunResult: Codable, Sendable {
    public var beta: Double
    public var seed: UInt64
    public var trainAccuracy: Double, testAccuracy: Double
    /// Train accuracy − test accuracy.
    public var generalisationGap: Double
    public var decodableInformation: DecodableInformation
    /// The last minibatch's ℓ_y and mean ℓ_j (nats).
    public var finalClassifierLoss: Double, finalNuisanceLoss: Double
    public var iterations: Int
    /// Training alone, and training with evaluation and the measure.
    public var trainSeconds: Double, wallSeconds: Double
}

/// Pearson and Spearman correlations of paired values (D8: decodable information against the gap).
public struct Correlation: Codable, Sendable, Equatable {
    /// nil when fewer than 2 pairs or a constant series.
    public var pearson: Double?, spearman: Double?
    public var pairs: Int

    public init(_ x: [Double], _ y: [Double]) {
        pairs = min(x.count, y.count)
        pearson = Self.pearson(Array(x.prefix(pairs)), Array(y.prefix(pairs)))
        spearman = Self.pearson(Self.ranks(Array(x.prefix(pairs))), Self.ranks(Array(y.prefix(pairs))))
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count >= 2 else { return nil }
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my) }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Ranks from 1, ties given their mean rank.
    static func ranks(_ v: [Double]) -> [Double] {
        let order = v.indices.sorted { v[$0] < v[$1] }
        var r = [Double](repeating: 0, count: v.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
            for t in i...j { r[order[t]] = Double(i + j) / 2 + 1 }
            i = j + 1
        }
        return r
    }
}
