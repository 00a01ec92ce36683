import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// The metric over the grid: over one axis, every seed's value with the mean ± one standard
/// deviation over the seeds; over two axes or more, a heat map of the mean over the first two
/// (averaged over the other axes and the seeds). Axes of strings are drawn at positions
/// 0, 1, … and named in the axis label.
public enum SweepPlot {
    public static func plot(_ table: SweepTable) -> SVGPlot? {
        guard let metric = table.metric else { return nil }
        let label = table.metricLabel ?? metric
        let seeds = table.seeds == 1 ? "1 seed" : "\(table.seeds) seeds"
        switch table.axes.count {
        case 0:
            var p = SVGPlot(title: "\(table.command) sweep: \(label), \(seeds)", x: .init(label: "replicate"), y: .init(label: label))
            p.scatter(table.rows.map { Double($0.replicate) }, table.rows.map { $0.metric ?? .nan }, name: "task", radius: 4)
            return p
        case 1:
            let axis = table.axes[0]
            let (xs, xLabel) = positions(axis)
            var p = SVGPlot(title: "\(table.command) sweep: \(label) over \(axis.name) (\(seeds))",
                            x: .init(label: xLabel), y: .init(label: label))
            let mean = table.points.map { $0.mean ?? .nan }
            if table.seeds > 1 {
                let sd = table.points.map { $0.std ?? .nan }
                p.band(xs, lower: zip(mean, sd).map { $0 - $1 }, upper: zip(mean, sd).map { $0 + $1 }, name: "mean ± s.d.",
                       color: SVGPlot.palette[0])
            }
            p.line(xs, mean, name: table.seeds > 1 ? "mean over seeds" : label, color: SVGPlot.palette[0])
            p.scatter(table.rows.map { xs[$0.point] }, table.rows.map { $0.metric ?? .nan }, name: "each task",
                      color: SVGPlot.palette[1], radius: 3, opacity: 0.8)
            return p
        default:
            let ax = table.axes[0], ay = table.axes[1]
            let (xs, xLabel) = positions(ax), (ys, yLabel) = positions(ay)
            // Mean over the seeds and every further axis, per (x, y) cell.
            var sum = [[Double]](repeating: [Double](repeating: 0, count: xs.count), count: ys.count)
            var count = sum
            let rest = table.axes.dropFirst(2).map(\.values.count).reduce(1, *)
            for pt in table.points {
                guard let m = pt.mean else { continue }
                let i = pt.point / (ys.count * rest), j = (pt.point / rest) % ys.count
                sum[j][i] += m * Double(pt.count)
                count[j][i] += Double(pt.count)
            }
            let values = zip(sum, count).map { zip($0, $1).map { $1 > 0 ? $0 / $1 : .nan } }
            let over = table.axes.count > 2 ? ", mean over \(table.axes.dropFirst(2).map(\.name).joined(separator: ", ")) and \(seeds)"
                : ", mean over \(seeds)"
            var p = SVGPlot(title: "\(table.command) sweep: \(label)\(over)", x: .init(label: xLabel), y: .init(label: yLabel))
            p.heatMap(x: xs, y: ys, values: values, name: label)
            return p
        }
    }

    /// Numbers where every value is one; else 0, 1, … with the values listed in the label.
    static func positions(_ axis: SweepTable.Axis) -> ([Double], String) {
        let numbers = axis.values.map { $0.isString ? nil : $0.number }
        if numbers.allSatisfy({ $0 != nil }) { return (numbers.map { $0! }, axis.name) }
        let names = axis.values.enumerated().map { "\($0.offset) = \($0.element.text)" }.joined(separator: ", ")
        return (axis.values.indices.map(Double.init), "\(axis.name) (\(names))")
    }
}
