import Compute
import Learning
import Foundation

extension DIBJob.Report {
    /// The generalisation gap (train − test accuracy) and the decodable information as a
    /// fraction of log₂ k against β, one line per seed (docs/dib.md D8). β spans decades, so the
    /// axis is logarithmic when some β is positive, with β = 0 drawn a decade below the smallest
    /// positive one.
    public func plot() -> SVGPlot {
        let positive = betas.filter { $0 > 0 }
        let zeroAt = (positive.min() ?? 1) / 10
        let logAxis = !positive.isEmpty
        let label = logAxis && positive.count < betas.count ? "β (log; β = 0 drawn at \(ReportFiles.short(zeroAt)))" : "β"
        func x(_ b: Double) -> Double { logAxis && b == 0 ? zeroAt : b }
        var p = SVGPlot(title: "DIB on \(data): gap and decodable information against β (\(head) heads, k = \(labelingSize))",
                        x: .init(label: label, scale: logAxis ? .log : .linear),
                        y: .init(label: "gap (accuracy) · decodable information / log₂ k"))
        for (i, seed) in seeds.enumerated() {
            let rs = runs.filter { $0.seed == seed }.sorted { $0.beta < $1.beta }
            let xs = rs.map { x($0.beta) }
            p.line(xs, rs.map(\.generalisationGap), name: "gap, seed \(seed)", color: SVGPlot.palette[0], dashed: i > 0)
            p.scatter(xs, rs.map(\.generalisationGap), color: SVGPlot.palette[0], radius: 3.5, opacity: 0.9)
            p.line(xs, rs.map(\.decodableInformation.ofMaximum), name: "decodable information, seed \(seed)",
                   color: SVGPlot.palette[1], dashed: i > 0)
            p.scatter(xs, rs.map(\.decodableInformation.ofMaximum), color: SVGPlot.palette[1], radius: 3.5, opacity: 0.9)
        }
        return p
    }
}
