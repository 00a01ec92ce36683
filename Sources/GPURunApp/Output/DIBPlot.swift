import Compute
import Learning
import Foundation

extension DIBJob.Report {
    /// The generalisation gap (train − test accuracy) and the decodable information as a
    /// fraction of log₂ k against β, one line per seed (docs/dib.md D8).
    public func plot() -> SVGPlot {
        var p = SVGPlot(title: "DIB on \(data): gap and decodable information against β (\(head) heads, k = \(labelingSize))",
                        x: .init(label: "β"), y: .init(label: "gap (accuracy) · decodable information / log₂ k"))
        for (i, seed) in seeds.enumerated() {
            let rs = runs.filter { $0.seed == seed }.sorted { $0.beta < $1.beta }
            let xs = rs.map(\.beta)
            p.line(xs, rs.map(\.generalisationGap), name: "gap, seed \(seed)", color: SVGPlot.palette[0], dashed: i > 0)
            p.scatter(xs, rs.map(\.generalisationGap), color: SVGPlot.palette[0], radius: 3.5, opacity: 0.9)
            p.line(xs, rs.map(\.decodableInformation.ofMaximum), name: "decodable information, seed \(seed)",
                   color: SVGPlot.palette[1], dashed: i > 0)
            p.scatter(xs, rs.map(\.decodableInformation.ofMaximum), color: SVGPlot.palette[1], radius: 3.5, opacity: 0.9)
        }
        return p
    }
}
