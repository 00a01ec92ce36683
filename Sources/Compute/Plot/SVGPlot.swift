import Foundation
import OpenCLRuntime

/// A small, dependency-free SVG chart: line, scatter, histogram-bar, band and heat-map series
/// on linear or logarithmic axes, with ticks, axis labels, a legend, a colour bar (heat maps)
/// and a title.
///
/// ```swift
/// var plot = SVGPlot(title: "Risk", x: .init(label: "γ"), y: .init(label: "risk", scale: .log))
/// plot.line(xs, theory, name: "theory")
/// plot.scatter(xs, measured, name: "measured")
/// try plot.write(to: url)  // atomically
/// ```
///
/// Points that are not finite (or not positive on a log axis) are skipped; a line breaks
/// there. Everything outside the axis ranges is clipped, so a fixed `range` crops a series
/// that diverges. Colours default to a fixed palette in series order.
public struct SVGPlot: Sendable {
    public enum Scale: Sendable { case linear, log }

    public struct Axis: Sendable {
        public var label: String
        public var scale: Scale
        /// The range shown; nil fits the data with a 4% margin.
        public var range: ClosedRange<Double>?

        public init(label: String, scale: Scale = .linear, range: ClosedRange<Double>? = nil) {
            self.label = label
            self.scale = scale
            self.range = range
        }
    }

    public enum Kind: Sendable {
        case line(width: Double, dashed: Bool)
        case scatter(radius: Double, opacity: Double)
        /// x holds the k+1 bin edges, y the k bar heights.
        case bars(opacity: Double)
        /// A filled area between y (lower) and `upper`.
        case band(opacity: Double)
        /// A heat map: x and y hold the cell centres, `values[j * x.count + i]` the value at
        /// (x[i], y[j]), drawn in the viridis colours of the colour bar.
        case cells
    }

    public struct Series: Sendable {
        public var name: String?
        public var kind: Kind
        public var x: [Double]
        public var y: [Double]
        public var color: String?
        /// The band's upper edge.
        public var upper: [Double] = []
        /// The heat map's values.
        public var values: [Double] = []
    }

    public var title: String
    public var x: Axis
    public var y: Axis
    public var width = 720.0
    public var height = 480.0
    /// One unit is as long on both axes (linear axes; for the complex plane).
    public var equalAspect = false
    public enum Corner: Sendable, CaseIterable {
        case topRight, topLeft, bottomRight, bottomLeft
        /// The corner whose legend box covers the fewest drawn points and line samples
        /// (ties in the order above).
        case auto
    }
    /// Where the legend sits inside the plot area.
    public var legendCorner = Corner.auto
    public private(set) var series: [Series] = []

    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"]

    public init(title: String, x: Axis, y: Axis) {
        self.title = title
        self.x = x
        self.y = y
    }

    public mutating func line(_ x: [Double], _ y: [Double], name: String? = nil, color: String? = nil,
                              width: Double = 2, dashed: Bool = false) {
        series.append(Series(name: name, kind: .line(width: width, dashed: dashed), x: x, y: y, color: color))
    }

    public mutating func scatter(_ x: [Double], _ y: [Double], name: String? = nil, color: String? = nil,
                                 radius: Double = 2.5, opacity: Double = 0.7) {
        series.append(Series(name: name, kind: .scatter(radius: radius, opacity: opacity), x: x, y: y, color: color))
    }

    /// A histogram: `edges` has one more value than `heights`.
    public mutating func bars(edges: [Double], heights: [Double], name: String? = nil, color: String? = nil,
                              opacity: Double = 0.5) {
        precondition(edges.count == heights.count + 1, "bars: \(edges.count) edges for \(heights.count) heights")
        series.append(Series(name: name, kind: .bars(opacity: opacity), x: edges, y: heights, color: color))
    }

    /// A shaded band between `lower` and `upper` (e.g. mean ± standard deviation).
    public mutating func band(_ x: [Double], lower: [Double], upper: [Double], name: String? = nil, color: String? = nil,
                              opacity: Double = 0.2) {
        precondition(x.count == lower.count && x.count == upper.count, "band: \(x.count) x, \(lower.count) lower, \(upper.count) upper")
        var s = Series(name: name, kind: .band(opacity: opacity), x: x, y: lower, color: color)
        s.upper = upper
        series.append(s)
    }

    /// A heat map of `values[j][i]` at (x[i], y[j]); cells reach halfway to their neighbours.
    /// `name` labels the colour bar. Linear axes only; non-finite values are drawn grey.
    public mutating func heatMap(x: [Double], y: [Double], values: [[Double]], name: String? = nil) {
        precondition(values.count == y.count && values.allSatisfy { $0.count == x.count }, "heatMap: values must be y.count × x.count")
        var s = Series(name: name, kind: .cells, x: x, y: y, color: nil)
        s.values = values.flatMap { $0 }
        series.append(s)
    }

    /// Sets the height so that the plotting area is square (for the complex plane with equal
    /// x and y ranges).
    public mutating func squarePlotArea() {
        let m = margins
        height = width - m.left - m.right + m.top + m.bottom
    }

    /// Writes the SVG to `url` atomically (a temporary file renamed into place).
    public func write(to url: URL) throws {
        do {
            try Data(render().utf8).write(to: url, options: .atomic)
        } catch {
            throw ComputeError.io(path: url.path, reason: "cannot write the plot (\(fileErrorReason(error)))")
        }
    }

    // MARK: rendering

    static let margin = (left: 78.0, right: 24.0, top: 42.0, bottom: 56.0)
    /// Room for the colour bar right of the plot.
    static let colorBarRoom = 96.0

    var heatMaps: [Series] { series.filter { if case .cells = $0.kind { true } else { false } } }

    /// The margins: the static ones, widened on the right for a colour bar.
    var margins: (left: Double, right: Double, top: Double, bottom: Double) {
        var m = Self.margin
        if !heatMaps.isEmpty { m.right += Self.colorBarRoom }
        return m
    }

    public func render() -> String {
        let m = margins
        let plotW = width - m.left - m.right, plotH = height - m.top - m.bottom
        var xr = PlotScale(axis: x, values: series.flatMap { visibleX($0) }, pixels: plotW)
        var yr = PlotScale(axis: y, values: series.flatMap { visibleY($0) }, pixels: plotH)
        if equalAspect, x.scale == .linear, y.scale == .linear, x.range == nil || y.range == nil {
            PlotScale.equalize(&xr, &yr)
        }
        func px(_ v: Double) -> Double { m.left + xr.fraction(v) * plotW }
        func py(_ v: Double) -> Double { m.top + (1 - yr.fraction(v)) * plotH }
        func ok(_ a: Double, _ b: Double) -> Bool { xr.accepts(a) && yr.accepts(b) }

        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" \
        viewBox="0 0 \(n(width)) \(n(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <defs><clipPath id="plot-area"><rect x="\(n(m.left))" y="\(n(m.top))" width="\(n(plotW))" \
        height="\(n(plotH))"/></clipPath></defs>

        """
        // Grid, ticks and tick labels.
        for t in xr.ticks() {
            let p = px(t)
            s += "<line x1=\"\(n(p))\" y1=\"\(n(m.top))\" x2=\"\(n(p))\" y2=\"\(n(m.top + plotH))\" stroke=\"#e6e6e6\"/>\n"
            s += "<text x=\"\(n(p))\" y=\"\(n(m.top + plotH + 16))\" text-anchor=\"middle\">\(xr.label(t))</text>\n"
        }
        for t in yr.ticks() {
            let p = py(t)
            s += "<line x1=\"\(n(m.left))\" y1=\"\(n(p))\" x2=\"\(n(m.left + plotW))\" y2=\"\(n(p))\" stroke=\"#e6e6e6\"/>\n"
            s += "<text x=\"\(n(m.left - 6))\" y=\"\(n(p + 4))\" text-anchor=\"end\">\(yr.label(t))</text>\n"
        }
        s += "<g clip-path=\"url(#plot-area)\">\n"
        // Pixels the data occupy (vertices, samples along line segments, across bars and bands):
        // where the legend may not go.
        var drawn: [(Double, Double)] = []
        for (i, se) in series.enumerated() {
            let color = escape(se.color ?? Self.palette[i % Self.palette.count])
            switch se.kind {
            case .line(let w, let dashed):
                var segments: [[String]] = [[]]
                var previous: (Double, Double)?
                for (a, b) in zip(se.x, se.y) {
                    if ok(a, b) {
                        segments[segments.count - 1].append("\(n(px(a))),\(n(py(b)))")
                        let here = (px(a), py(b))
                        if let q = previous {
                            for t in stride(from: 0.125, to: 1, by: 0.125) {
                                drawn.append((q.0 + t * (here.0 - q.0), q.1 + t * (here.1 - q.1)))
                            }
                        }
                        drawn.append(here)
                        previous = here
                    } else {
                        previous = nil
                        if !segments[segments.count - 1].isEmpty { segments.append([]) }
                    }
                }
                for seg in segments where seg.count > 1 {
                    s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(n(w))\""
                        + (dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"\(seg.joined(separator: " "))\"/>\n"
                }
            case .scatter(let r, let opacity):
                s += "<g fill=\"\(color)\" fill-opacity=\"\(n(opacity))\">\n"
                for (a, b) in zip(se.x, se.y) where ok(a, b) {
                    s += "<circle cx=\"\(n(px(a)))\" cy=\"\(n(py(b)))\" r=\"\(n(r))\"/>\n"
                    drawn.append((px(a), py(b)))
                }
                s += "</g>\n"
            case .bars(let opacity):
                let base = yr.baseline
                s += "<g fill=\"\(color)\" fill-opacity=\"\(n(opacity))\" stroke=\"\(color)\" stroke-width=\"0.5\">\n"
                for k in se.y.indices where xr.accepts(se.x[k]) && xr.accepts(se.x[k + 1]) && yr.accepts(se.y[k]) {
                    let x0 = px(se.x[k]), x1 = px(se.x[k + 1]), top = py(se.y[k]), bottom = py(base)
                    s += "<rect x=\"\(n(min(x0, x1)))\" y=\"\(n(min(top, bottom)))\" width=\"\(n(abs(x1 - x0)))\" "
                        + "height=\"\(n(abs(bottom - top)))\"/>\n"
                    // A bar covers its whole rectangle: sample it on a 3 × 8 grid.
                    for i in 0...2 { for j in 0...7 {
                        drawn.append((x0 + (x1 - x0) * Double(i) / 2, bottom + (top - bottom) * Double(j) / 7))
                    } }
                }
                s += "</g>\n"
            case .band(let opacity):
                // One polygon per run of finite points: along the lower edge, back along the upper.
                var runs: [[Int]] = [[]]
                for k in se.x.indices {
                    if ok(se.x[k], se.y[k]), ok(se.x[k], se.upper[k]) { runs[runs.count - 1].append(k) }
                    else if !runs[runs.count - 1].isEmpty { runs.append([]) }
                }
                for k in runs.joined() {
                    for j in 0...4 { drawn.append((px(se.x[k]), py(se.y[k]) + (py(se.upper[k]) - py(se.y[k])) * Double(j) / 4)) }
                }
                for run in runs where run.count > 1 {
                    let pts = run.map { "\(n(px(se.x[$0]))),\(n(py(se.y[$0])))" }
                        + run.reversed().map { "\(n(px(se.x[$0]))),\(n(py(se.upper[$0])))" }
                    s += "<polygon fill=\"\(color)\" fill-opacity=\"\(n(opacity))\" stroke=\"none\" "
                        + "points=\"\(pts.joined(separator: " "))\"/>\n"
                }
            case .cells:
                let xe = Self.cellEdges(se.x), ye = Self.cellEdges(se.y)
                let range = ColorBar(values: se.values)
                s += "<g stroke=\"white\" stroke-width=\"0.5\">\n"
                for j in se.y.indices {
                    for i in se.x.indices {
                        let x0 = px(xe[i]), x1 = px(xe[i + 1]), y0 = py(ye[j]), y1 = py(ye[j + 1])
                        guard x0.isFinite, x1.isFinite, y0.isFinite, y1.isFinite else { continue }
                        s += "<rect x=\"\(n(min(x0, x1)))\" y=\"\(n(min(y0, y1)))\" width=\"\(n(abs(x1 - x0)))\" "
                            + "height=\"\(n(abs(y1 - y0)))\" fill=\"\(range.color(se.values[j * se.x.count + i]))\"/>\n"
                    }
                }
                s += "</g>\n"
            }
        }
        s += "</g>\n"
        if let map = heatMaps.first {
            s += ColorBar(values: map.values).render(x: m.left + plotW + 18, top: m.top, height: plotH, label: map.name ?? "")
        }
        // Frame, axis labels, title.
        s += "<rect x=\"\(n(m.left))\" y=\"\(n(m.top))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\" "
            + "fill=\"none\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(n(m.left + plotW / 2))\" y=\"\(n(height - 14))\" text-anchor=\"middle\" font-size=\"14\">"
            + "\(escape(x.label))</text>\n"
        s += "<text transform=\"translate(18 \(n(m.top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\" "
            + "font-size=\"14\">\(escape(y.label))</text>\n"
        // Bold Helvetica averages about 0.6 em a character: shrink a long title to fit the width.
        let titleSize = min(16, max(9, (width - 24) / (0.6 * Double(max(title.count, 1)))))
        s += "<text x=\"\(n(width / 2))\" y=\"26\" text-anchor=\"middle\" font-size=\"\(n(titleSize))\" font-weight=\"bold\">"
            + "\(escape(title))</text>\n"
        s += legend(plotLeft: m.left, plotRight: m.left + plotW, plotTop: m.top, plotBottom: m.top + plotH, avoiding: drawn)
        return s + "</svg>\n"
    }

    /// Cell edges halfway between centres, the outer ones as far out as the inner (±0.5
    /// around a single centre).
    package static func cellEdges(_ c: [Double]) -> [Double] {
        guard c.count > 1 else { return c.isEmpty ? [] : [c[0] - 0.5, c[0] + 0.5] }
        var e = [c[0] - (c[1] - c[0]) / 2]
        for k in 1..<c.count { e.append((c[k - 1] + c[k]) / 2) }
        e.append(c[c.count - 1] + (c[c.count - 1] - c[c.count - 2]) / 2)
        return e
    }

    private func legend(plotLeft: Double, plotRight: Double, plotTop: Double, plotBottom: Double,
                        avoiding drawn: [(Double, Double)]) -> String {
        let named = series.enumerated().filter {
            if case .cells = $0.element.kind { return false }
            return $0.element.name != nil
        }
        if named.isEmpty { return "" }
        let longest = named.map { $0.element.name!.count }.max() ?? 0
        let w = 40 + 7 * Double(longest), h = 8 + 18 * Double(named.count)
        func origin(_ c: Corner) -> (Double, Double) {
            let right = c == .topRight || c == .bottomRight, top = c == .topRight || c == .topLeft
            return (right ? plotRight - w - 8 : plotLeft + 8, top ? plotTop + 8 : plotBottom - h - 8)
        }
        func covered(_ c: Corner) -> Int {
            let (x0, y0) = origin(c)
            return drawn.filter { $0.0 >= x0 - 4 && $0.0 <= x0 + w + 4 && $0.1 >= y0 - 4 && $0.1 <= y0 + h + 4 }.count
        }
        let corner = legendCorner != .auto ? legendCorner
            : [Corner.topRight, .topLeft, .bottomRight, .bottomLeft].min { covered($0) < covered($1) }!
        let (x0, y0) = origin(corner)
        var s = "<g><rect x=\"\(n(x0))\" y=\"\(n(y0))\" width=\"\(n(w))\" height=\"\(n(h))\" fill=\"white\" "
            + "fill-opacity=\"0.85\" stroke=\"#999\"/>\n"
        for (row, (i, se)) in named.enumerated() {
            let color = escape(se.color ?? Self.palette[i % Self.palette.count])
            let cy = y0 + 13 + 18 * Double(row)
            switch se.kind {
            case .line(let lw, let dashed):
                s += "<line x1=\"\(n(x0 + 6))\" y1=\"\(n(cy))\" x2=\"\(n(x0 + 28))\" y2=\"\(n(cy))\" stroke=\"\(color)\" "
                    + "stroke-width=\"\(n(lw))\"" + (dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n"
            case .scatter:
                s += "<circle cx=\"\(n(x0 + 17))\" cy=\"\(n(cy))\" r=\"4\" fill=\"\(color)\"/>\n"
            case .bars(let opacity), .band(let opacity):
                s += "<rect x=\"\(n(x0 + 8))\" y=\"\(n(cy - 6))\" width=\"18\" height=\"12\" fill=\"\(color)\" "
                    + "fill-opacity=\"\(n(opacity))\"/>\n"
            case .cells:
                break
            }
            s += "<text x=\"\(n(x0 + 34))\" y=\"\(n(cy + 4))\">\(escape(se.name!))</text>\n"
        }
        return s + "</g>\n"
    }

    private func visibleX(_ s: Series) -> [Double] {
        let v: [Double]
        if case .cells = s.kind { v = Self.cellEdges(s.x) } else { v = s.x }
        return v.filter { $0.isFinite && (x.scale == .linear || $0 > 0) }
    }

    private func visibleY(_ s: Series) -> [Double] {
        var v: [Double]
        switch s.kind {
        case .cells: v = Self.cellEdges(s.y)
        case .band: v = s.y + s.upper
        default: v = s.y
        }
        v = v.filter { $0.isFinite && (y.scale == .linear || $0 > 0) }
        if case .bars = s.kind, y.scale == .linear { v.append(0) }
        return v
    }
}

/// The heat maps' colour scale: viridis between the smallest and largest finite value.
struct ColorBar {
    var lo: Double
    var hi: Double

    init(values: [Double]) {
        let f = values.filter(\.isFinite)
        (lo, hi) = (f.min() ?? 0, f.max() ?? 1)
        if !(hi > lo) { (lo, hi) = (lo - 0.5, hi + 0.5) }
    }

    /// Five stops of matplotlib's viridis, interpolated linearly in RGB.
    static let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]

    func color(_ v: Double) -> String {
        guard v.isFinite else { return "#dddddd" }
        let t = min(1, max(0, (v - lo) / (hi - lo))) * Double(Self.stops.count - 1)
        let k = min(Int(t), Self.stops.count - 2), f = t - Double(k)
        let a = Self.stops[k], b = Self.stops[k + 1]
        func c(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        return String(format: "#%02x%02x%02x", c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
    }

    /// A vertical bar of 48 steps from lo (bottom) to hi (top), with ticks and a label.
    func render(x: Double, top: Double, height: Double, label: String) -> String {
        let steps = 48, w = 16.0, h = height / Double(steps)
        var s = "<g>\n"
        for k in 0..<steps {
            let v = lo + (hi - lo) * (Double(k) + 0.5) / Double(steps)
            s += "<rect x=\"\(n(x))\" y=\"\(n(top + height - Double(k + 1) * h))\" width=\"\(n(w))\" height=\"\(n(h + 0.5))\" "
                + "fill=\"\(color(v))\"/>\n"
        }
        s += "<rect x=\"\(n(x))\" y=\"\(n(top))\" width=\"\(n(w))\" height=\"\(n(height))\" fill=\"none\" stroke=\"#333\"/>\n"
        let scale = PlotScale(axis: .init(label: label, range: lo...hi), values: [], pixels: height)
        for t in scale.ticks() {
            let y = top + (1 - scale.fraction(t)) * height
            s += "<line x1=\"\(n(x + w))\" y1=\"\(n(y))\" x2=\"\(n(x + w + 4))\" y2=\"\(n(y))\" stroke=\"#333\"/>\n"
            s += "<text x=\"\(n(x + w + 6))\" y=\"\(n(y + 4))\">\(scale.label(t))</text>\n"
        }
        s += "<text transform=\"translate(\(n(x + w + 62)) \(n(top + height / 2))) rotate(-90)\" text-anchor=\"middle\" "
            + "font-size=\"13\">\(escape(label))</text>\n"
        return s + "</g>\n"
    }
}

/// A number for SVG attributes: at most two decimals, no exponent, clamped to ±10⁶.
private func n(_ v: Double) -> String {
    let r = (min(1e6, max(-1e6, v.isNaN ? 0 : v)) * 100).rounded() / 100
    return r == r.rounded() ? String(Int(r)) : String(format: "%.2f", r)
}

private func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
