import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// Files of the IB commands: the report as JSON, arrays as .npy and two SVGs: the information
/// plane (I(T;Y) against I(T;X)) and both informations against β, transitions marked in both.
public enum IBOutput {
    /// Writes betas.npy, curve.npy ([N, 2]: I(T;X), I(T;Y)), encoders.npy and the SVGs into `dir`;
    /// returns their paths by name (the caller writes the JSON, which lists them).
    public static func write(_ r: GaussianIBReport, to dir: URL) throws -> [String: String] {
        var files: [String: String] = [:]
        let pts = r.generalized.map { g in g.map { ($0.beta, $0.iTX, $0.iTY, $0.encoder) } }
            ?? r.shannon.map { ($0.beta, $0.iTX, $0.iTY, $0.encoder) }
        try npy(pts.map(\.0), [pts.count], "betas", dir, &files)
        try npy(pts.flatMap { [$0.1, $0.2] }, [pts.count, 2], "curve", dir, &files)
        try npy(pts.flatMap(\.3), [pts.count, r.dx, r.dx], "encoders", dir, &files)
        if let g = r.generalized {
            try npy(g.flatMap { [$0.measureTX, $0.measureTY] }, [g.count, 2], "measure", dir, &files)
        }
        try svg(r.plane(), "ib-curve", dir, &files)
        try svg(r.betaPlot(), "ib-beta", dir, &files)
        return files
    }

    public static func write(_ r: DiscreteIBReport, to dir: URL) throws -> [String: String] {
        var files: [String: String] = [:]
        try npy(r.points.map(\.beta), [r.points.count], "betas", dir, &files)
        try npy(r.points.flatMap { [$0.iTX, $0.iTY] }, [r.points.count, 2], "curve", dir, &files)
        try npy(r.encoders, [r.points.count, r.nx, r.clusters], "encoders", dir, &files)
        try svg(r.plane(), "ib-curve", dir, &files)
        try svg(r.betaPlot(), "ib-beta", dir, &files)
        return files
    }

    static func npy(_ v: [Double], _ shape: [Int], _ name: String, _ dir: URL, _ files: inout [String: String]) throws {
        let url = dir.appendingPathComponent("\(name).npy")
        try Npy.write(try NpyArray(v, shape: shape), to: url)
        files[name] = url.path
    }

    static func svg(_ p: SVGPlot, _ name: String, _ dir: URL, _ files: inout [String: String]) throws {
        let url = dir.appendingPathComponent("\(name).svg")
        try p.write(to: url)
        files[name] = url.path
    }

    /// Vertical dashed markers at the given βs spanning [0, top].
    static func mark(_ p: inout SVGPlot, _ betas: [(Double, String)], top: Double, colors: [String]) {
        for (i, (b, name)) in betas.enumerated() where b.isFinite {
            p.line([b, b], [0, top], name: name, color: colors[i % colors.count], width: 1.2, dashed: true)
        }
    }
}

extension GaussianIBReport {
    /// The closed-form Shannon curve (dense), the grid points, the generalised solutions scored
    /// under Shannon, and the curve's points at each critical βᵢ.
    public func plane() -> SVGPlot {
        let hi = shannon.map(\.beta).max() ?? 2
        let dense = (0...400).map { 1 + (hi - 1) * pow(Double($0) / 400, 2) }
        let curve = dense.map { b in pointAt(b) }
        var p = SVGPlot(title: "Gaussian IB curve (d_x = \(dx), d_y = \(dy))", x: .init(label: "I(T;X) [nats]"),
                        y: .init(label: "I(T;Y) [nats]"))
        p.line(curve.map(\.0), curve.map(\.1), name: "Shannon IB, closed form", color: SVGPlot.palette[0])
        if let g = generalized {
            p.scatter(g.map(\.iTX), g.map(\.iTY), name: "\(measure) optimum, scored by Shannon", color: SVGPlot.palette[1],
                      radius: 3.5, opacity: 0.9)
        }
        let marks = criticalBetas.filter { $0.isFinite && $0 <= hi }
        p.scatter(marks.map { pointAt($0).0 }, marks.map { pointAt($0).1 }, name: "transitions βᵢ = 1/(1 − λᵢ)",
                  color: "#000", radius: 5, opacity: 1)
        return p
    }

    func pointAt(_ b: Double) -> (Double, Double) {
        let point = GaussianIB.curve(eigenvalues: eigenvalues, beta: b)
        return (point.iTX, point.iTY)
    }

    /// I(T;X) and I(T;Y) against β with the critical βs as dashed lines.
    public func betaPlot() -> SVGPlot {
        var p = SVGPlot(title: "Gaussian IB against β (\(measure))", x: .init(label: "β"), y: .init(label: "nats"))
        p.line(shannon.map(\.beta), shannon.map(\.iTX), name: "I(T;X), Shannon", color: SVGPlot.palette[0])
        p.line(shannon.map(\.beta), shannon.map(\.iTY), name: "I(T;Y), Shannon", color: SVGPlot.palette[2])
        if let g = generalized {
            p.scatter(g.map(\.beta), g.map(\.iTX), name: "I(T;X), \(measure) optimum", color: SVGPlot.palette[0], radius: 3.5)
            p.scatter(g.map(\.beta), g.map(\.iTY), name: "I(T;Y), \(measure) optimum", color: SVGPlot.palette[2], radius: 3.5)
        }
        let top = (shannon.map(\.iTX) + (generalized?.map(\.iTX) ?? [])).max() ?? 1
        let hi = shannon.map(\.beta).max() ?? 1
        IBOutput.mark(&p, criticalBetas.enumerated().filter { $0.element <= hi }.map { ($0.element, "β\($0.offset + 1)") },
                      top: max(top, 1e-3), colors: ["#555"])
        return p
    }
}

extension DiscreteIBReport {
    public func plane() -> SVGPlot {
        var p = SVGPlot(title: "Discrete IB curve (|X| = \(nx), |Y| = \(ny), \(clusters) clusters)",
                        x: .init(label: "I(T;X) [nats]"), y: .init(label: "I(T;Y) [nats]"))
        p.line(points.map(\.iTX), points.map(\.iTY), name: "IB solutions", color: SVGPlot.palette[0])
        p.scatter(points.map(\.iTX), points.map(\.iTY), color: SVGPlot.palette[0], radius: 3)
        // Slopes at the origin: η_KL (the curve's) and ρ² (the local one).
        let xmax = points.map(\.iTX).max() ?? 1
        let x0 = min(xmax, mutualInformation / max(onset.etaKL, 1e-12)) * 0.5
        p.line([0, x0], [0, onset.etaKL * x0], name: "slope η_KL = \(fmt(onset.etaKL)) at the onset",
               color: SVGPlot.palette[1], width: 1.2, dashed: true)
        if let b = onset.fromSolutions, let pt = points.first(where: { $0.beta == b }) {
            p.scatter([pt.iTX], [pt.iTY], name: "onset β = \(fmt(b))", color: "#000", radius: 5, opacity: 1)
        }
        return p
    }

    public func betaPlot() -> SVGPlot {
        var p = SVGPlot(title: "Discrete IB against β", x: .init(label: "β"), y: .init(label: "nats"))
        p.line(points.map(\.beta), points.map(\.iTX), name: "I(T;X)", color: SVGPlot.palette[0])
        p.line(points.map(\.beta), points.map(\.iTY), name: "I(T;Y)", color: SVGPlot.palette[2])
        let top = max(points.map(\.iTX).max() ?? 1, 1e-3)
        var marks: [(Double, String)] = [(onset.betaRho, "1/ρ² = \(fmt(onset.betaRho))"),
                                         (onset.betaEta, "1/η_KL = \(fmt(onset.betaEta))")]
        if let b = onset.fromSolutions { marks.insert((b, "onset from solutions = \(fmt(b))"), at: 0) }
        let hi = points.map(\.beta).max() ?? 1
        IBOutput.mark(&p, marks.filter { $0.0 <= hi }, top: top, colors: ["#000", SVGPlot.palette[1], SVGPlot.palette[4]])
        return p
    }

    func fmt(_ v: Double) -> String { String(format: "%.4g", v) }
}
