import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

extension RidgeReport {
    /// Risk against γ on a log axis: the Marchenko–Pastur curves of ridge and minimum-norm
    /// regression over the grid's range, and the measured means as points. The axis stops at
    /// 30 · (r² + σ²), so the minimum-norm peak at γ = 1 (double descent) is cut off, not squashed.
    public func plot() -> SVGPlot {
        let gammas = points.map(\.effectiveGamma)
        let lo = gammas.min() ?? 0.1, hi = gammas.max() ?? 2
        let (a, b) = lo < hi ? (lo, hi) : (lo / 2, hi * 2)
        // The dense grid includes points just beside γ = 1 so the peak is drawn.
        var xs = (0...600).map { a + (b - a) * Double($0) / 600 }
        if a < 1, b > 1 { xs += [1 - 1e-3, 1 + 1e-3] }
        xs = xs.filter { $0 != 1 }.sorted()
        let fixed = Double(lambda).map(RidgeLambda.value) ?? .optimal
        let ridgeTheory = xs.map { g in
            RidgeTheory.ridgeRisk(gamma: g, lambda: fixed.at(gamma: g, sigma2: sigma2, r2: r2), sigma2: sigma2, r2: r2)
        }
        let minTheory = xs.map { RidgeTheory.minNormRisk(gamma: $0, sigma2: sigma2, r2: r2) }

        let top = 30 * (r2 + sigma2)
        let positives = (ridgeTheory + minTheory + points.flatMap { [$0.ridge.mean, $0.minNorm.mean] })
            .filter { $0 > 0 && $0.isFinite }
        let bottom = max(min((positives.min() ?? 1e-3) / 2, top / 10), top * 1e-8)
        let title = "Ridge (λ = \(lambda)) and minimum-norm risk, n = \(n), σ² = \(fmt(sigma2)), r² = \(fmt(r2))"
        var p = SVGPlot(title: title, x: .init(label: "γ = p/n"),
                        y: .init(label: "excess test risk ‖β̂ − β‖²", scale: .log, range: bottom...top))
        p.line(xs, minTheory, name: "min-norm, MP theory", color: SVGPlot.palette[1])
        p.line(xs, ridgeTheory, name: "ridge, MP theory", color: SVGPlot.palette[0])
        p.scatter(gammas, points.map(\.minNorm.mean), name: "min-norm, mean of \(samples)", color: SVGPlot.palette[1],
                  radius: 4, opacity: 0.9)
        p.scatter(gammas, points.map(\.ridge.mean), name: "ridge, mean of \(samples)", color: SVGPlot.palette[0],
                  radius: 4, opacity: 0.9)
        if a < 1, b > 1 { p.line([1, 1], [bottom, top], color: "#999", width: 1, dashed: true) }
        return p
    }
}
