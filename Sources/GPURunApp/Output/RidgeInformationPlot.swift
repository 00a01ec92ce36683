import Compute
import Dynamics
import Foundation

extension RidgeInformationReport {
    /// Relevant and residual bits per observation (I/n) against γ: the large-n limit on a dense
    /// grid as lines, the design means as points; a log axis, so the peak of the residual
    /// information (at γ = 1 for an isotropic design, beside it and at further ratios for a
    /// structured one) shows next to the monotone relevant information.
    public func plot() throws -> SVGPlot {
        let gammas = points.map(\.effectiveGamma)
        let lo = gammas.min() ?? 0.1, hi = gammas.max() ?? 2
        let (a, b) = lo < hi ? (lo, hi) : (lo / 2, hi * 2)
        var xs = (0...160).map { a + (b - a) * Double($0) / 160 }
        if a < 1, b > 1 { xs += [1] }
        xs.sort()
        let cov = try DesignCovariance(parsing: covariance)
        let fixed = Double(lambda).map(RidgeLambda.value) ?? .optimal
        let theory = xs.map { g in
            let c = RidgeInformation.Channel(gamma: g, r2: r2, sigma2: sigma2, noiseScale: noiseScale,
                                             lambda: fixed.at(gamma: g, sigma2: sigma2, r2: r2))
            return RidgeInformationTheory.limit(gamma: g, covariance: cov, channel: c, nodes: 3000).information
        }
        let perN = 1 / Double(n)
        let measured = points.flatMap { [$0.relevantInformation.mean * perN, $0.residualInformation.mean * perN] }
        let all = (theory.flatMap { [$0.relevant, $0.residual, $0.optimalRelevant] } + measured).filter { $0 > 0 && $0.isFinite }
        let top = 2 * (all.max() ?? 1), bottom = max((all.min() ?? 1e-3) / 2, top * 1e-6)
        let title = "Ridge information (λ = \(lambda), s = \(fmt(noiseScale)), Σ = \(covariance)), n = \(n), σ² = "
            + "\(fmt(sigma2)), r² = \(fmt(r2))"
        var p = SVGPlot(title: title, x: .init(label: "γ = p/n"),
                        y: .init(label: "bits per observation", scale: .log, range: bottom...top))
        p.line(xs, theory.map(\.relevant), name: "relevant I(ŵ; w | X), limit", color: SVGPlot.palette[0])
        p.line(xs, theory.map(\.residual), name: "residual I(ŵ; ε | X, w), limit", color: SVGPlot.palette[1])
        p.line(xs, theory.map(\.optimalRelevant), name: "optimal algorithm at ridge's residual, limit",
               color: SVGPlot.palette[2], width: 1.5, dashed: true)
        p.scatter(gammas, points.map { $0.relevantInformation.mean * perN }, name: "relevant, mean of \(samples)",
                  color: SVGPlot.palette[0], radius: 4, opacity: 0.9)
        p.scatter(gammas, points.map { $0.residualInformation.mean * perN }, name: "residual, mean of \(samples)",
                  color: SVGPlot.palette[1], radius: 4, opacity: 0.9)
        if a < 1, b > 1 { p.line([1, 1], [bottom, top], color: "#999", width: 1, dashed: true) }
        return p
    }

    /// The information plane: the optimal curve (relevant against residual bits, per
    /// observation) at up to four of the ratios, and ridge's measured point at each.
    public func planePlot() -> SVGPlot {
        var p = SVGPlot(title: "Information plane: optimal algorithm (lines) and randomized ridge (points), n = \(n)",
                        x: .init(label: "residual bits per observation"), y: .init(label: "relevant bits per observation"))
        let perN = 1 / Double(n)
        let picks = points.count <= 4 ? Array(points.indices)
            : [0, points.count / 3, 2 * points.count / 3, points.count - 1]
        for (k, i) in picks.enumerated() {
            let pt = points[i]
            let color = SVGPlot.palette[k % SVGPlot.palette.count]
            let curve = [RidgeInformation.PlanePoint(residual: 0, relevant: 0)] + pt.optimalCurve
            p.line(curve.map { $0.residual * perN }, curve.map { $0.relevant * perN },
                   name: "optimal, γ = \(fmt(pt.effectiveGamma))", color: color)
            p.scatter([pt.residualInformation.mean * perN], [pt.relevantInformation.mean * perN],
                      name: "ridge, γ = \(fmt(pt.effectiveGamma))", color: color, radius: 5, opacity: 0.9)
        }
        return p
    }
}
