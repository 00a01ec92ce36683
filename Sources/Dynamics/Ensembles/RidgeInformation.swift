import Compute
import Foundation

/// The relevant and residual information of randomized ridge regression, and the information
/// curve of the optimal (linear-Gaussian) algorithm; derivations in docs/ridge-information.md.
///
/// Model (conventions of `RidgeTheory`): X n×p with rows x ~ N(0, Σ), w ~ N(0, (r²/p) I_p),
/// y = Xw + ε with ε ~ N(0, σ² I_n), and the randomized ridge estimate
/// ŵ = (XᵀX + nλ I)⁻¹ Xᵀy + ξ with ξ ~ N(0, (s²/n) I_p) (s the noise scale). Given X
/// everything is jointly Gaussian and, because the prior is isotropic, the informations depend
/// on X only through the eigenvalues t_i of XᵀX/n (RI3):
///
///     relevant  I(ŵ; w | X)    = Σ_i ½ log₂(1 + (r²/γ) t_i² / (σ² t_i + s² (t_i + λ)²))   (RI4)
///     residual  I(ŵ; ε | X, w) = Σ_i ½ log₂(1 + σ² t_i / (s² (t_i + λ)²))                (RI5)
///
/// with γ = p/n; zero eigenvalues add nothing to either.
public enum RidgeInformation {
    /// The channel parameters: r²/γ (signal per eigen-direction), σ², s², λ.
    public struct Channel: Sendable, Equatable {
        public var signal: Double
        public var sigma2: Double
        public var noise2: Double
        public var lambda: Double

        public init(gamma: Double, r2: Double, sigma2: Double, noiseScale: Double, lambda: Double) {
            signal = r2 / gamma
            self.sigma2 = sigma2
            noise2 = noiseScale * noiseScale
            self.lambda = lambda
        }

        /// (RI4) for one eigenvalue t of XᵀX/n, in bits.
        public func relevant(_ t: Double) -> Double {
            guard t > 0 else { return 0 }
            let d = sigma2 * t + noise2 * (t + lambda) * (t + lambda)
            return 0.5 * log2(1 + signal * t * t / d)
        }

        /// (RI5) for one eigenvalue t of XᵀX/n, in bits.
        public func residual(_ t: Double) -> Double {
            guard t > 0 else { return 0 }
            return 0.5 * log2(1 + sigma2 * t / (noise2 * (t + lambda) * (t + lambda)))
        }

        /// The signal-to-noise ratio of the sufficient statistic along t: (r²/γ) t / σ² (RI6).
        public func snr(_ t: Double) -> Double { t > 0 ? signal * t / sigma2 : 0 }
    }

    /// A point of the information plane, in bits.
    public struct PlanePoint: Codable, Sendable, Equatable {
        public var residual: Double
        public var relevant: Double
        public init(residual: Double, relevant: Double) { (self.residual, self.relevant) = (residual, relevant) }
    }

    /// The optimal algorithm at slope κ > 0 of its information curve (RI8): per direction with
    /// snr > κ, residual ½ log₂(snr(1+κ)/(κ(1+snr))) and relevant ½ log₂((1+snr)/(1+κ)).
    /// `weights` gives each snr a weight (1 per eigenvalue for a design, a density weight for
    /// the limit).
    public static func optimal(kappa: Double, snrs: [Double], weights: [Double]? = nil) -> PlanePoint {
        var e = 0.0, r = 0.0
        for (k, snr) in snrs.enumerated() where snr > kappa {
            let w = weights?[k] ?? 1
            e += w * 0.5 * log2(snr * (1 + kappa) / (kappa * (1 + snr)))
            r += w * 0.5 * log2((1 + snr) / (1 + kappa))
        }
        return PlanePoint(residual: e, relevant: r)
    }

    /// The most relevant bits any linear-Gaussian algorithm keeps with at most `budget` residual
    /// bits (RI9): the optimal curve at the κ where its residual equals the budget (bisection in
    /// log κ; the residual falls from ∞ at κ → 0 to 0 at κ = max snr).
    public static func optimalRelevant(residualBudget budget: Double, snrs: [Double], weights: [Double]? = nil) -> Double {
        let top = snrs.max() ?? 0
        guard budget > 0, top > 0 else { return 0 }
        var hi = log(top), lo = hi - 1
        while optimal(kappa: exp(lo), snrs: snrs, weights: weights).residual < budget, lo > hi - 1400 { lo -= 2 * (hi - lo) }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if optimal(kappa: exp(mid), snrs: snrs, weights: weights).residual > budget { lo = mid } else { hi = mid }
            if hi - lo < 1e-13 { break }
        }
        return optimal(kappa: exp((lo + hi) / 2), snrs: snrs, weights: weights).relevant
    }

    /// The optimal curve at `count` slopes, κ from max snr down to 10⁻⁴ max snr (log-spaced).
    public static func optimalCurve(snrs: [Double], weights: [Double]? = nil, count: Int = 24) -> [PlanePoint] {
        let top = snrs.max() ?? 0
        guard top > 0, count > 1 else { return [] }
        return (0..<count).map { k in
            optimal(kappa: top * pow(10, -4 * Double(k) / Double(count - 1)), snrs: snrs, weights: weights)
        }
    }

    /// Relevant, residual, optimal relevant at ridge's residual, and efficiency (RI10) of ridge
    /// for one design's eigenvalues of XᵀX/n.
    public static func design(_ eigenvalues: [Double], channel c: Channel) -> DesignInformation {
        let relevant = eigenvalues.reduce(0) { $0 + c.relevant($1) }
        let residual = eigenvalues.reduce(0) { $0 + c.residual($1) }
        let best = optimalRelevant(residualBudget: residual, snrs: eigenvalues.map(c.snr))
        return DesignInformation(relevant: relevant, residual: residual, optimalRelevant: best,
                                 efficiency: best > 0 ? relevant / best : 1)
    }

    /// Eigenvalues of XᵀX/n for X n×p (row-major): of the smaller Gram matrix, padded with the
    /// p − n zeros when p > n.
    public static func designEigenvalues(_ x: [Double], n: Int, p: Int) throws -> [Double] {
        if p <= n {
            return try LAPACK.eigenvalues(symmetric: Linalg.gram(x, rows: n, cols: p, scale: 1 / Double(n)), n: p)
        }
        var xt = [Double](repeating: 0, count: n * p)
        for i in 0..<n { for j in 0..<p { xt[j * n + i] = x[i * p + j] } }
        let nonzero = try LAPACK.eigenvalues(symmetric: Linalg.gram(xt, rows: p, cols: n, scale: 1 / Double(n)), n: n)
        return [Double](repeating: 0, count: p - n) + nonzero
    }
}

/// The informations of one design, in bits.
public struct DesignInformation: Sendable, Equatable {
    public var relevant: Double
    public var residual: Double
    public var optimalRelevant: Double
    public var efficiency: Double
}

/// A design covariance Σ with eigenvalue groups: a fraction `weights[k]` of the p features has
/// variance `scales[k]` (Σ diagonal: with an isotropic prior the informations do not depend on
/// Σ's eigenvectors). One scale 1 is the isotropic design of `RidgeTheory`.
public struct DesignCovariance: Sendable, Equatable, CustomStringConvertible {
    public var scales: [Double]
    public var weights: [Double]

    public static let isotropic = DesignCovariance(uncheckedScales: [1], weights: [1])

    init(uncheckedScales scales: [Double], weights: [Double]) {
        self.scales = scales
        self.weights = weights
    }

    /// Scales > 0 and weights > 0, as many of each; the weights are normalised to sum 1.
    public init(scales: [Double], weights: [Double]) throws {
        func bad(_ s: String) -> ComputeError { .invalidArgument("design covariance: " + s) }
        guard !scales.isEmpty else { throw bad("give at least one scale") }
        guard scales.count == weights.count else {
            throw bad("\(scales.count) scales but \(weights.count) weights; give one weight per scale")
        }
        if let c = scales.first(where: { !($0 > 0 && $0.isFinite) }) { throw bad("every scale must be positive (got \(c))") }
        if let w = weights.first(where: { !($0 > 0 && $0.isFinite) }) { throw bad("every weight must be positive (got \(w))") }
        let total = weights.reduce(0, +)
        self.init(uncheckedScales: scales, weights: weights.map { $0 / total })
    }

    /// "1,100:0.5,0.5": the scales, a colon, the weights (comma-separated).
    public init(parsing text: String) throws {
        let halves = text.split(separator: ":", omittingEmptySubsequences: false)
        func numbers(_ s: Substring) throws -> [Double] {
            try s.split(separator: ",").map {
                let t = $0.trimmingCharacters(in: .whitespaces)
                guard let v = Double(t) else {
                    throw ComputeError.invalidArgument("design covariance '\(text)': '\(t)' is not a number")
                }
                return v
            }
        }
        guard halves.count == 2 else {
            throw ComputeError.invalidArgument("design covariance '\(text)' is not scales:weights (e.g. 1,100:0.5,0.5)")
        }
        try self.init(scales: numbers(halves[0]), weights: numbers(halves[1]))
    }

    /// The variance of each of the p features: group k takes the columns from
    /// round(p Σ_{l<k} π_l) to round(p Σ_{l≤k} π_l).
    public func featureScales(p: Int) -> [Double] {
        var out: [Double] = []
        var cumulative = 0.0
        for k in scales.indices {
            cumulative += weights[k]
            let end = k == scales.count - 1 ? p : min(p, Int((cumulative * Double(p)).rounded()))
            out += [Double](repeating: scales[k], count: max(0, end - out.count))
        }
        return out
    }

    /// The covariance as realised at p features (the fractions p_k/p; groups left empty dropped).
    public func realised(p: Int) -> DesignCovariance {
        let f = featureScales(p: p)
        var s: [Double] = [], w: [Double] = []
        for c in scales where !s.contains(c) {
            let k = f.filter { $0 == c }.count
            if k > 0 { s.append(c); w.append(Double(k) / Double(p)) }
        }
        return DesignCovariance(uncheckedScales: s, weights: w)
    }

    public var description: String {
        scales.map(fmt).joined(separator: ",") + ":" + weights.map(fmt).joined(separator: ",")
    }
}
