import Compute
import Foundation

/// A 1-D histogram of a spectrum with the theory density at the bin centres.
public struct Histogram: Codable, Sendable {
    public var edges: [Double]
    public var counts: [Int]
    /// counts / (all values · bin width): integrates to the binned fraction of the values.
    public var density: [Double]
    public var theoryDensity: [Double]?
    /// Values outside [edges.first, edges.last].
    public var outside: Int
    /// Values at a point mass of the law (Marchenko–Pastur's zero eigenvalues), not binned.
    public var atZero: Int?
}

/// A 2-D histogram of eigenvalues in the complex plane; counts[iy][ix] holds the values with
/// real part in [xEdges[ix], xEdges[ix+1]) and imaginary part in [yEdges[iy], yEdges[iy+1]).
public struct Density2D: Codable, Sendable {
    public var xEdges: [Double]
    public var yEdges: [Double]
    public var counts: [[Int]]
    /// counts / (all values · cell area); the theory density is 1/(π a b) inside the boundary.
    public var density: [[Double]]
    public var outside: Int
}

/// The Kolmogorov–Smirnov distance between a spectrum and its law.
public struct SpectrumDistance: Codable, Sendable {
    public var statistic: String
    /// What the CDFs are of (`SpectralLaw.statisticName`).
    public var on: String
    public var value: Double
    /// How many eigenvalues entered.
    public var count: Int
}

public enum SpectrumStatistics {
    /// sup_x |F_n(x) − F(x)| of a sample against a CDF with left limits `cdfBefore` (which
    /// differ from `cdf` only at point masses). Ties and atoms are handled exactly.
    public static func ks(_ values: [Double], cdf: (Double) -> Double, cdfBefore: (Double) -> Double) -> Double {
        let s = values.sorted()
        let m = Double(s.count)
        var d = 0.0, i = 0
        while i < s.count {
            var j = i + 1
            while j < s.count, s[j] == s[i] { j += 1 }
            d = max(d, abs(cdfBefore(s[i]) - Double(i) / m), abs(cdf(s[i]) - Double(j) / m))
            i = j
        }
        return d
    }

    /// The KS distance of eigenvalues re + i·im to `law`, on the law's statistic.
    public static func distance(re: [Double], im: [Double], law: SpectralLaw) -> SpectrumDistance {
        let stat = zip(re, im).map { law.statistic(re: $0, im: $1) }
        return SpectrumDistance(statistic: "ks", on: law.statisticName,
                                value: ks(stat, cdf: law.cdf, cdfBefore: law.cdfBefore), count: stat.count)
    }

    /// A histogram of the law's 1-D statistic over the support widened by 10% (or over the
    /// values' range with no law), with the theory density at the bin centres.
    public static func histogram(re: [Double], im: [Double], law: SpectralLaw?, bins: Int = 60) -> Histogram {
        let values = law.map { l in zip(re, im).map { l.statistic(re: $0, im: $1) } } ?? re
        let atom = (law?.atomAtZero ?? 0) > 0
        let binned = atom ? values.filter { $0 != 0 } : values
        var lo: Double, hi: Double
        if let law {
            (lo, hi) = (law.support.lowerBound, law.support.upperBound)
            let pad = 0.1 * (hi - lo)
            (lo, hi) = (lo - pad, hi + pad)
        } else {
            (lo, hi) = (binned.min() ?? 0, binned.max() ?? 1)
        }
        if !(hi > lo) { (lo, hi) = (lo - 0.5, hi + 0.5) }
        let w = (hi - lo) / Double(bins)
        var counts = [Int](repeating: 0, count: bins)
        var outside = 0
        for v in binned {
            let k = Int(((v - lo) / w).rounded(.down))
            if k >= 0, k < bins { counts[k] += 1 } else if v == hi { counts[bins - 1] += 1 } else { outside += 1 }
        }
        let edges = (0...bins).map { lo + Double($0) * w }
        let total = Double(max(values.count, 1))
        return Histogram(edges: edges, counts: counts, density: counts.map { Double($0) / (total * w) },
                         theoryDensity: law.map { l in (0..<bins).map { l.density(lo + (Double($0) + 0.5) * w) } },
                         outside: outside, atZero: atom ? values.count - binned.count : nil)
    }

    /// A bins×bins histogram of eigenvalues over the square [-extent, extent]².
    public static func density2D(re: [Double], im: [Double], extent: Double, bins: Int = 48) -> Density2D {
        let w = 2 * extent / Double(bins)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: bins), count: bins)
        var outside = 0
        for (x, y) in zip(re, im) {
            let ix = Int(((x + extent) / w).rounded(.down)), iy = Int(((y + extent) / w).rounded(.down))
            if ix >= 0, ix < bins, iy >= 0, iy < bins { counts[iy][ix] += 1 } else { outside += 1 }
        }
        let edges = (0...bins).map { -extent + Double($0) * w }
        let norm = 1 / (Double(max(re.count, 1)) * w * w)
        return Density2D(xEdges: edges, yEdges: edges, counts: counts,
                         density: counts.map { $0.map { Double($0) * norm } }, outside: outside)
    }

    /// Indices of eigenvalues sorted by decreasing modulus, then decreasing real part, then
    /// decreasing imaginary part (so a conjugate pair lists +i first).
    public static func orderByModulus(re: [Double], im: [Double]) -> [Int] {
        let mod = zip(re, im).map { ($0 * $0 + $1 * $1).squareRoot() }
        return re.indices.sorted { a, b in
            if mod[a] != mod[b] { return mod[a] > mod[b] }
            if re[a] != re[b] { return re[a] > re[b] }
            return im[a] > im[b]
        }
    }

    /// max over `ref` of the distance to the nearest eigenvalue of `got`, relative to the
    /// largest modulus of `ref`: a comparison of two spectra that does not depend on their order.
    public static func matchError(refRe: [Double], refIm: [Double], gotRe: [Double], gotIm: [Double]) -> Double {
        guard refRe.count == gotRe.count else { return .infinity }
        let scale = max(zip(refRe, refIm).map { ($0 * $0 + $1 * $1).squareRoot() }.max() ?? 0, 1e-300)
        var worst = 0.0
        for i in refRe.indices {
            var best = Double.infinity
            for j in gotRe.indices {
                let dx = refRe[i] - gotRe[j], dy = refIm[i] - gotIm[j]
                best = min(best, (dx * dx + dy * dy).squareRoot())
            }
            worst = max(worst, best / scale)
        }
        return worst
    }
}
