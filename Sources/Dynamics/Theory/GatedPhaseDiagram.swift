import Compute
import Foundation

/// The gated RNN's phase diagram over (g_h, α_z) or (g_h, β_r) (docs/theory-gated.md, "Phase
/// diagram"): per cell λ_max and a state code, per row the three boundaries — the zero fixed
/// point's critical gain 1 + e^{β_r}, the fixed-point proliferation gain (G3) and the chaos
/// boundary λ_max = 0 of the DMFT (G7) where the DMFT is solved (α_z = 0).
public struct GatedPhaseDiagram: Codable, Sendable {
    public enum Axis: String, Codable, Sendable, CaseIterable { case alphaZ = "alpha-z", betaR = "beta-r" }
    /// Cell states.
    public enum State: Int, Codable, Sendable {
        /// The zero fixed point is stable and the static theory has no other fixed points.
        case quiescent = 0
        /// The zero fixed point is stable but nonzero (unstable) fixed points have proliferated (G3).
        case fixedPointsProliferated = 1
        /// The DMFT has a chaotic solution with λ_max > 0.
        case chaotic = 2
        /// The zero fixed point is unstable and no DMFT was solved here (α_z ≠ 0).
        case unsolved = 3
        /// The DMFT did not converge (the error is in `failures`).
        case failed = 4
    }

    public var axis: Axis
    public var base: GatedRNNOptions.Coded
    public var gH: [Double]
    public var y: [Double]
    /// [y.count][gH.count]; NaN where theory gives no number.
    public var lambdaMax: [[Double]]
    public var state: [[Int]]
    /// Per row: 1 + e^{β_r}, the proliferation gain, the first g_h of the grid with λ_max > 0
    /// refined by bisection (nil: none in range, or not solved).
    public var criticalGain: [Double]
    public var proliferationGain: [Double]
    public var chaosGain: [Double?]
    public var failures: [String]

    public static func compute(base: GatedRNNOptions, axis: Axis, gH: [Double], y: [Double], step: Double = 0.1)
        -> GatedPhaseDiagram
    {
        let rows = y.count, cols = gH.count
        @Sendable func options(_ g: Double, _ v: Double) -> GatedRNNOptions {
            var o = base
            o.gH = g
            switch axis {
            case .alphaZ: o.alphaZ = v
            case .betaR: o.betaR = v
            }
            return o
        }
        @Sendable func cell(_ o: GatedRNNOptions) -> (Double, State, String?) {
            let zero = o.sigmaZ0 * (o.gH * o.sigmaR0 - 1)
            let prolif = GatedStaticMFT.proliferationGain(alphaR: o.alphaR, betaR: o.betaR).gain
            if o.alphaZ != 0 {
                if zero < 0 { return (zero, o.gH >= prolif ? .fixedPointsProliferated : .quiescent, nil) }
                return (.nan, .unsolved, nil)
            }
            do {
                let d = try GatedDMFT.solve(o, step: step, tolerance: 1e-8)
                if d.state == "chaotic" && d.lambdaMax > 0 { return (d.lambdaMax, .chaotic, nil) }
                return (d.lambdaMax, o.gH >= prolif ? .fixedPointsProliferated : .quiescent, nil)
            } catch {
                return (.nan, .failed, "\(error)")
            }
        }
        let total = rows * cols
        let out = UnsafeMutableBufferPointer<(Double, State, String?)>.allocate(capacity: total)
        out.initialize(repeating: (.nan, .failed, nil))
        defer { out.deallocate() }
        let slots = SendablePointer(out.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: total) { k in
            slots.pointer[k] = cell(options(gH[k % cols], y[k / cols]))
        }
        var lam: [[Double]] = [], st: [[Int]] = [], fails: [String] = []
        var crit: [Double] = [], prol: [Double] = [], chaos: [Double?] = []
        for j in 0..<rows {
            let row = (0..<cols).map { out[j * cols + $0] }
            lam.append(row.map(\.0))
            st.append(row.map { $0.1.rawValue })
            fails += row.compactMap(\.2)
            let o = options(gH[0], y[j])
            crit.append(o.criticalGain)
            prol.append(GatedStaticMFT.proliferationGain(alphaR: o.alphaR, betaR: o.betaR).gain)
            // The chaos boundary: bisection between the last grid gain with λ_max ≤ 0 and the first with λ_max > 0.
            var boundary: Double?
            if o.alphaZ == 0, let i = row.firstIndex(where: { $0.1 == .chaotic }), i > 0 {
                var (lo, hi) = (gH[i - 1], gH[i])
                for _ in 0..<12 {
                    let mid = (lo + hi) / 2
                    let (l, s, _) = cell(options(mid, y[j]))
                    if s == .chaotic && l > 0 { hi = mid } else { lo = mid }
                }
                boundary = (lo + hi) / 2
            }
            chaos.append(boundary)
        }
        return GatedPhaseDiagram(axis: axis, base: .init(base), gH: gH, y: y, lambdaMax: lam, state: st,
                                 criticalGain: crit, proliferationGain: prol, chaosGain: chaos, failures: fails)
    }
}

extension GatedRNNOptions {
    /// The options as JSON sees them.
    public struct Coded: Codable, Sendable {
        public var gH, alphaZ, betaZ, alphaR, betaR, tauZ, tauR: Double
        public init(_ o: GatedRNNOptions) {
            (gH, alphaZ, betaZ, alphaR, betaR, tauZ, tauR) = (o.gH, o.alphaZ, o.betaZ, o.alphaR, o.betaR, o.tauZ, o.tauR)
        }
    }
}
