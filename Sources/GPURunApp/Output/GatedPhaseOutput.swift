import Compute
import Dynamics
import Foundation

/// Files of `gpurun theory --phase-diagram` (docs/theory-gated.md, "Phase diagram"): phase.npy
/// ([rows, cols, 2]: λ_max and the state code of GatedPhaseDiagram.State, row j the j-th value
/// of the second axis), phase.svg (λ_max as a heat map, the three boundaries as lines) and
/// phase.json (the whole diagram).
public enum GatedPhaseOutput {
    public static func write(_ d: GatedPhaseDiagram, to dir: URL) throws -> [String: String] {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var files: [String: String] = [:]
        let rows = d.y.count, cols = d.gH.count
        var flat: [Double] = []
        for j in 0..<rows { for i in 0..<cols { flat += [d.lambdaMax[j][i], Double(d.state[j][i])] } }
        let npy = dir.appendingPathComponent("phase.npy")
        try Npy.write(try NpyArray(flat, shape: [rows, cols, 2]), to: npy)
        files["phase"] = npy.path
        let yLabel = d.axis == .alphaZ ? "α_z" : "β_r"
        var plot = SVGPlot(title: "gated RNN: DMFT λ_max over (g_h, \(yLabel))", x: .init(label: "g_h"), y: .init(label: yLabel))
        plot.heatMap(x: d.gH, y: d.y, values: d.lambdaMax, name: "λ_max")
        plot.line(d.criticalGain, d.y, name: "zero fixed point unstable (1 + e^β_r)", color: "#ffffff", dashed: true)
        plot.line(d.proliferationGain, d.y, name: "fixed points proliferate (G3)", color: "#d62728")
        let chaos = zip(d.chaosGain, d.y).compactMap { g, y in g.map { ($0, y) } }
        if !chaos.isEmpty { plot.line(chaos.map(\.0), chaos.map(\.1), name: "λ_max = 0 (G7)", color: "#ff7f0e") }
        let svg = dir.appendingPathComponent("phase.svg")
        try plot.write(to: svg)
        files["svg"] = svg.path
        let json = dir.appendingPathComponent("phase.json")
        try ReportFiles.writeJSON(d, to: json)
        files["json"] = json.path
        return files
    }
}
