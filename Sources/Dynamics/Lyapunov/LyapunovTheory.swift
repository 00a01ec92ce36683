import Compute
import Foundation

/// Theory beside a simulated Lyapunov spectrum (docs/theory.md,
/// docs/lyapunov.md L10): the prediction for the model and regime, and the gaps, simulation − theory.
/// Encoded as one object: the prediction's keys (lambdaMax, regime, method, …) and these.
public struct LyapunovTheory: Codable, Sendable {
    public var prediction: TheoryPrediction
    /// The simulated λ1 and its gap to the predicted λ_max (λ1 − λ_max), absolute and relative
    /// to |λ_max|. Finite networks approach the large-N λ_max from below.
    public var lambda1: Double
    public var lambda1Gap: Double?
    public var lambda1RelativeGap: Double?
    /// Where a whole-spectrum theory exists (the stable regime, T7; the δ = 1 rate map,
    /// docs/theory-lyapunov-spectrum.md LS6): the predicted exponents λ_i, i = 1…k (quantiles of
    /// the predicted distribution at fraction (i − ½)/n from the top over the n = stateSize
    /// exponents), and the largest and mean |simulated − predicted|.
    public var predictedExponents: [Double]?
    public var maxExponentGap: Double?
    public var meanExponentGap: Double?
    /// With the whole spectrum (k = stateSize): the simulated mean exponent and its gap.
    public var simulatedMeanExponent: Double?
    public var meanExponentDifference: Double?
    /// D_KY/N and h_KS/N, simulated beside the whole predicted spectrum's (LS11), where both
    /// exist: the simulated values need the spectrum down to where they are fixed (the
    /// cumulative sum below 0, or a negative exponent), else they are left out.
    public var kaplanYorkeDimensionPerN: Comparison?
    public var entropyRatePerN: Comparison?

    /// A simulated value, the theory's, and the gap simulated − theory.
    public struct Comparison: Codable, Sendable, Equatable {
        public var simulated: Double
        public var theory: Double
        public var gap: Double
        public init(simulated: Double, theory: Double) { (self.simulated, self.theory, gap) = (simulated, theory, simulated - theory) }
    }

    /// Compares `result` with `prediction`; nil when the prediction has nothing to compare
    /// (no λ_max and no spectrum).
    /// `spectrum`: the n = stateSize predicted exponents, descending, where a whole-spectrum
    /// theory exists (the stable regime's are computed here when nil).
    public init?(prediction p: TheoryPrediction, result r: LyapunovResult, spectrum: [Double]? = nil) {
        guard p.lambdaMax != nil || p.stable != nil, let l1 = r.exponents.first else { return nil }
        prediction = p
        lambda1 = l1
        if let lm = p.lambdaMax {
            lambda1Gap = l1 - lm
            lambda1RelativeGap = lm == 0 ? nil : (l1 - lm) / Swift.abs(lm)
        }
        if let all = spectrum ?? p.stable.map({ $0.exponents(total: r.stateSize, leading: r.stateSize) }) {
            let predicted = Array(all.prefix(r.exponents.count))
            let gaps = zip(r.exponents, predicted).map { Swift.abs($0 - $1) }
            predictedExponents = predicted
            maxExponentGap = gaps.max()
            meanExponentGap = gaps.reduce(0, +) / Double(max(gaps.count, 1))
            let n = Double(r.stateSize), whole = r.exponents.count == r.stateSize
            if whole || r.kaplanYorkeDimension < Double(r.exponents.count) {
                kaplanYorkeDimensionPerN = Comparison(simulated: r.kaplanYorkeDimension / n,
                                                      theory: SpectrumMetrics.kaplanYorke(all) / n)
            }
            if whole || (r.exponents.last ?? 0) < 0 {
                entropyRatePerN = Comparison(simulated: r.entropyRate / n, theory: SpectrumMetrics.entropyRate(all) / n)
            }
        }
        if r.exponents.count == r.stateSize {
            let mean = r.sum / Double(r.stateSize)
            simulatedMeanExponent = mean
            meanExponentDifference = p.meanExponent.map { mean - $0 }
        }
    }

    /// One line for summaries: "λ_max 0.1125 (DMFT …); λ1 − theory = −0.0126 (−11.2%)".
    public var summary: String {
        var parts: [String] = []
        if let lm = prediction.lambdaMax {
            var s = String(format: "λ_max = %.5f", lm)
            if let gap = lambda1Gap {
                s += String(format: ", λ1 − theory = %+.5f", gap)
                if let rel = lambda1RelativeGap { s += String(format: " (%+.1f%%)", 100 * rel) }
            }
            parts.append(s)
        }
        if let m = maxExponentGap { parts.append(String(format: "spectrum: max |gap| %.4f, mean %.4f", m, meanExponentGap ?? 0)) }
        if let d = kaplanYorkeDimensionPerN {
            parts.append(String(format: "D_KY/N %.4f (theory %.4f)", d.simulated, d.theory))
        }
        if let h = entropyRatePerN { parts.append(String(format: "h_KS/N %.5f (theory %.5f)", h.simulated, h.theory)) }
        if let note = prediction.fullSpectrumNote { parts.append(note) }
        if let sim = simulatedMeanExponent, let m = prediction.meanExponent {
            parts.append(String(format: "mean exponent %.5f (theory %.5f)", sim, m))
        }
        return "\(prediction.regime): " + parts.joined(separator: "; ") + " [\(prediction.method)]"
    }

    enum Keys: String, CodingKey {
        case lambda1, lambda1Gap, lambda1RelativeGap, predictedExponents, maxExponentGap, meanExponentGap,
             simulatedMeanExponent, meanExponentDifference, kaplanYorkeDimensionPerN, entropyRatePerN
    }

    public func encode(to encoder: Encoder) throws {
        try prediction.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(lambda1, forKey: .lambda1)
        try c.encodeIfPresent(lambda1Gap, forKey: .lambda1Gap)
        try c.encodeIfPresent(lambda1RelativeGap, forKey: .lambda1RelativeGap)
        try c.encodeIfPresent(predictedExponents, forKey: .predictedExponents)
        try c.encodeIfPresent(maxExponentGap, forKey: .maxExponentGap)
        try c.encodeIfPresent(meanExponentGap, forKey: .meanExponentGap)
        try c.encodeIfPresent(simulatedMeanExponent, forKey: .simulatedMeanExponent)
        try c.encodeIfPresent(meanExponentDifference, forKey: .meanExponentDifference)
        try c.encodeIfPresent(kaplanYorkeDimensionPerN, forKey: .kaplanYorkeDimensionPerN)
        try c.encodeIfPresent(entropyRatePerN, forKey: .entropyRatePerN)
    }

    public init(from decoder: Decoder) throws {
        prediction = try TheoryPrediction(from: decoder)
        let c = try decoder.container(keyedBy: Keys.self)
        lambda1 = try c.decode(Double.self, forKey: .lambda1)
        lambda1Gap = try c.decodeIfPresent(Double.self, forKey: .lambda1Gap)
        lambda1RelativeGap = try c.decodeIfPresent(Double.self, forKey: .lambda1RelativeGap)
        predictedExponents = try c.decodeIfPresent([Double].self, forKey: .predictedExponents)
        maxExponentGap = try c.decodeIfPresent(Double.self, forKey: .maxExponentGap)
        meanExponentGap = try c.decodeIfPresent(Double.self, forKey: .meanExponentGap)
        simulatedMeanExponent = try c.decodeIfPresent(Double.self, forKey: .simulatedMeanExponent)
        meanExponentDifference = try c.decodeIfPresent(Double.self, forKey: .meanExponentDifference)
        kaplanYorkeDimensionPerN = try c.decodeIfPresent(Comparison.self, forKey: .kaplanYorkeDimensionPerN)
        entropyRatePerN = try c.decodeIfPresent(Comparison.self, forKey: .entropyRatePerN)
    }
}

extension LyapunovResult {
    /// Attaches the theory for `spec` (MeanFieldTheory.predict), where it exists.
    public mutating func attachTheory(for spec: ModelSpec) throws {
        guard let p = try MeanFieldTheory.predict(spec) else { return }
        // The δ = 1 rate map's whole spectrum at this N (docs/theory-lyapunov-spectrum.md LS10).
        let spectrum = p.fullSpectrum != nil ? try RateMapSpectrum(g: p.g).exponents(n: stateSize) : nil
        theory = LyapunovTheory(prediction: p, result: self, spectrum: spectrum)
    }
}
