import Foundation

/// One axis's mapping from data to [0, 1], and its ticks.
package struct PlotScale {
    var scale: SVGPlot.Scale
    var lo: Double  // in transformed units (log10 on a log axis)
    var hi: Double
    let pixels: Double

    package init(axis: SVGPlot.Axis, values: [Double], pixels: Double) {
        scale = axis.scale
        self.pixels = pixels
        let t: (Double) -> Double = axis.scale == .log ? { log10($0) } : { $0 }
        if let r = axis.range, r.lowerBound < r.upperBound, axis.scale == .linear || r.lowerBound > 0 {
            (lo, hi) = (t(r.lowerBound), t(r.upperBound))
            return
        }
        let tv = values.map(t)
        var (a, b) = (tv.min() ?? 0, tv.max() ?? 1)
        if !(b > a) { (a, b) = (a - 0.5, b + 0.5) }
        let pad = 0.04 * (b - a)
        (lo, hi) = (a - pad, b + pad)
    }

    func transform(_ v: Double) -> Double { scale == .log ? log10(v) : v }
    func fraction(_ v: Double) -> Double { (transform(v) - lo) / (hi - lo) }
    func accepts(_ v: Double) -> Bool { v.isFinite && (scale == .linear || v > 0) }
    /// Where bars start: 0 on a linear axis, the bottom on a log axis.
    var baseline: Double { scale == .log ? pow(10, lo) : 0 }

    /// Widens the axis with more units per pixel so both have the same.
    static func equalize(_ a: inout PlotScale, _ b: inout PlotScale) {
        let ua = (a.hi - a.lo) / a.pixels, ub = (b.hi - b.lo) / b.pixels
        if ua < ub { a.widen(to: ub * a.pixels) } else { b.widen(to: ua * b.pixels) }
    }

    mutating func widen(to span: Double) {
        let mid = (lo + hi) / 2
        (lo, hi) = (mid - span / 2, mid + span / 2)
    }

    /// Ticks at 1, 2 or 5 × 10^k steps (linear), or at powers of ten (log; with 2 and 5
    /// between them when the axis spans less than two decades).
    package func ticks() -> [Double] {
        if scale == .log {
            let mults: [Double] = hi - lo < 2 ? [1, 2, 5] : [1]
            var out: [Double] = []
            for k in Int(floor(lo))...Int(ceil(hi)) {
                for m in mults {
                    let v = m * pow(10, Double(k))
                    if log10(v) >= lo - 1e-9, log10(v) <= hi + 1e-9 { out.append(v) }
                }
            }
            return out
        }
        let raw = (hi - lo) / 6
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        let first = (lo / step).rounded(.up)
        return stride(from: first, through: (hi / step).rounded(.down), by: 1).map { abs($0 * step) < step * 1e-9 ? 0 : $0 * step }
    }

    func label(_ v: Double) -> String {
        let a = abs(v)
        if a != 0, a < 1e-3 || a >= 1e5 { return String(format: "%.0e", v) }
        return String(format: "%g", v)
    }
}
