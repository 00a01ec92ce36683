import Compute
import Foundation

/// Per-unit samples that set the spectrum of the gated RNN's h-block Jacobian
/// Σ_z(−I + J^h diag(σ_r φ')) (docs/theory.md T11): unit i has leak s_i = σ_z and gain
/// a_i = σ_z σ_r φ'(h) on J^h (entries of variance g²/N). The rate network's −I + J diag(φ')
/// is the case s = 1, a = φ'(h).
public struct JacobianUnitSamples: Sendable, Equatable {
    public var leak: [Double]
    public var gain: [Double]

    public init(leak: [Double], gain: [Double]) {
        precondition(leak.count == gain.count && !leak.isEmpty, "unit samples: leak and gain must match and be non-empty")
        self.leak = leak
        self.gain = gain
    }

    /// From gated-RNN unit values h, z, r (same length: units pooled over states).
    public static func gated(h: [Double], z: [Double], r: [Double], options o: GatedRNNOptions) -> JacobianUnitSamples {
        func sigma(_ x: Double, _ alpha: Double, _ beta: Double) -> Double { 1 / (1 + Foundation.exp(-(alpha * x - beta))) }
        let sz = z.map { sigma($0, o.alphaZ, o.betaZ) }
        let gain = h.indices.map { i in sz[i] * sigma(r[i], o.alphaR, o.betaR) * TanhFamily.at(h[i]).s }
        return JacobianUnitSamples(leak: sz, gain: gain)
    }

    /// From rate-network unit values h.
    public static func rate(h: [Double]) -> JacobianUnitSamples {
        JacobianUnitSamples(leak: h.map { _ in 1 }, gain: h.map { TanhFamily.at($0).s })
    }

    /// At most `count` samples, evenly strided.
    func thinned(to count: Int) -> JacobianUnitSamples {
        if leak.count <= count { return self }
        let idx = (0..<count).map { $0 * leak.count / count }
        return JacobianUnitSamples(leak: idx.map { leak[$0] }, gain: idx.map { gain[$0] })
    }
}

/// The support of such a Jacobian's spectrum at large N (docs/theory.md T11): the λ with F(λ) = g² ⟨a² / |λ + s|²⟩ ≥ 1, ⟨·⟩ over the unit
/// samples. F decreases in |Im λ|, so the support is, at each Re λ = x, the segment
/// |Im λ| ≤ Y(x); it is found on 401 values of x and drawn as closed curves, one per interval of
/// the real axis it covers. With identical units (a zero fixed point) it is the disc
/// |λ + s| ≤ g a.
/// The GRU's and LSTM's supports along trajectories are their `DeformedLaw`'s (⟨A/|b|²⟩ ≥ 1,
/// docs/theory-gru-lstm.md GL10), with the same boundary tracing.
public struct JacobianSupport: Sendable {
    public let gain: Double
    public let samples: JacobianUnitSamples
    public let law: DeformedLaw?

    public init(gain: Double, samples: JacobianUnitSamples) {
        self.gain = gain
        self.samples = samples.thinned(to: 2000)
        law = nil
    }

    /// The support of `law`; `samples` hold its diagonal (as leaks −d) for the slow-mode count.
    public init(law: DeformedLaw) {
        self.law = law
        gain = law.gain
        samples = JacobianUnitSamples(leak: law.diagonal.map { -$0 }, gain: law.gainSquared.map { $0.squareRoot() / law.gain })
    }

    /// F(λ) = g² ⟨a²/|λ + s|²⟩ (or the law's ⟨A/|b|²⟩).
    public func strength(re: Double, im: Double) -> Double {
        if let law { return law.strength(re: re, im: im) }
        var sum = 0.0
        let y2 = im * im
        for i in samples.leak.indices {
            let dx = re + samples.leak[i]
            sum += samples.gain[i] * samples.gain[i] / (dx * dx + y2)
        }
        return gain * gain * sum / Double(samples.leak.count)
    }

    public func contains(re: Double, im: Double) -> Bool { strength(re: re, im: im) >= 1 }

    /// Closed boundary curves [(re, im)], and the real intervals they span.
    public func boundary(points: Int = 401) -> (curves: [[[Double]]], intervals: [[Double]]) {
        let smax = samples.leak.max()!, smin = samples.leak.min()!
        let amax = samples.gain.map(Swift.abs).max()!
        let reach = law?.outerRadius ?? gain * amax
        if reach == 0 { return ([], []) }
        let (lo, hi) = law.map { ($0.center - $0.outerRadius, $0.center + $0.outerRadius) }
            ?? (-smax - reach * 1.001, -smin + reach * 1.001)
        let xs = (0..<points).map { lo + (hi - lo) * Double($0) / Double(points - 1) }
        let inside = xs.map { contains(re: $0, im: 0) }
        var curves: [[[Double]]] = [], intervals: [[Double]] = []
        var j = 0
        while j < points {
            guard inside[j] else { j += 1; continue }
            var k = j
            while k + 1 < points && inside[k + 1] { k += 1 }
            let left = j == 0 ? xs[0] : edge(xs[j - 1], xs[j])
            let right = k == points - 1 ? xs[k] : edge(xs[k + 1], xs[k])
            let upper = (j...k).map { [xs[$0], halfHeight(xs[$0], limit: reach * 1.001)] }
            curves.append([[left, 0]] + upper + [[right, 0]] + upper.reversed().map { [$0[0], -$0[1]] } + [[left, 0]])
            intervals.append([left, right])
            j = k + 1
        }
        return (curves, intervals)
    }

    /// The x between `outside` and `inside` where F(x) = 1 (bisection).
    private func edge(_ outside: Double, _ inside: Double) -> Double {
        var (o, i) = (outside, inside)
        for _ in 0..<60 {
            let m = 0.5 * (o + i)
            if contains(re: m, im: 0) { i = m } else { o = m }
        }
        return 0.5 * (o + i)
    }

    /// Y(x): the largest |Im λ| inside at Re λ = x (F decreases in |Im λ|).
    private func halfHeight(_ x: Double, limit: Double) -> Double {
        var (lo, hi) = (0.0, limit)
        for _ in 0..<50 {
            let m = 0.5 * (lo + hi)
            if contains(re: x, im: m) { lo = m } else { hi = m }
        }
        return lo
    }

    /// The fraction of units with σ_z below `threshold`: the slow modes, whose eigenvalues
    /// collect near 0 as α_z grows (docs/theory.md T12).
    public func slowModeFraction(threshold: Double) -> Double {
        Double(samples.leak.filter { $0 < threshold }.count) / Double(samples.leak.count)
    }
}
