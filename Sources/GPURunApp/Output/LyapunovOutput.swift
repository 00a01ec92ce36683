import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// Files of a Lyapunov run in `--output DIR`: exponents.npy (k), members.npy (B × k),
/// convergence.npy (points × (1 + k): time, then the running estimates), with `blocks`
/// blocks.npy ([blocks, members, k] summed ln R_ii per block, columns in Q's order; docs/lyapunov.md L13), spectrum.svg (λ_i
/// against i/N, with the batch's standard error) and convergence.svg. With `covariant`
/// (docs/lyapunov.md L18): covariant.npy ([S, k], or [B, S, k] for a batch: column i the unit
/// vector of exponent i at the end of accumulation), covariant-angles.npy ([k, k] or [B, k, k],
/// degrees) and covariant-growth.npy ([intervals, B, k], local growth rates over the window). Where the result carries
/// theory, both plots draw it (dashed) and name the gap, simulation − theory, in the legend.
public enum LyapunovOutput {
    public static func write(_ r: LyapunovResult, to dir: URL, blocks: [[[Double]]]? = nil,
                             covariant: CovariantVectors? = nil) throws -> [String: String] {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var paths: [String: String] = [:]
        func save(_ name: String, _ a: NpyArray) throws {
            let url = dir.appendingPathComponent(name)
            try Npy.write(a, to: url)
            paths[name] = url.path
        }
        let k = r.exponents.count
        try save("exponents.npy", NpyArray(r.exponents, shape: [k]))
        try save("members.npy", NpyArray(r.members.flatMap { $0 }, shape: [r.members.count, k]))
        var conv: [Double] = []
        for (t, row) in zip(r.convergenceTimes, r.convergence) { conv += [t] + row }
        try save("convergence.npy", NpyArray(conv, shape: [r.convergence.count, 1 + k]))
        if let blocks {
            try save("blocks.npy", NpyArray(blocks.flatMap { $0.flatMap { $0 } }, shape: [blocks.count, r.members.count, k]))
        }
        if let v = covariant {
            let b = v.vectors.count, batch = b > 1 ? [b] : []
            try save("covariant.npy", NpyArray(v.vectors.flatMap { $0 }, shape: batch + [v.stateSize, v.k]))
            try save("covariant-angles.npy", NpyArray((0..<b).flatMap { v.angles(member: $0) }, shape: batch + [v.k, v.k]))
            try save("covariant-growth.npy", NpyArray(v.growth.flatMap { $0.flatMap { $0 } }, shape: [v.growth.count, b, v.k]))
        }

        let unit = r.timeUnit == "per step" ? "per step" : "per unit time"
        var spectrum = SVGPlot(
            title: "Lyapunov spectrum: \(r.model), N = \(r.n)" + (r.members.count > 1 ? ", mean of \(r.members.count)" : ""),
            x: .init(label: "i / N"), y: .init(label: "λ_i (\(unit))"))
        let xs = (1...max(k, 1)).prefix(k).map { Double($0) / Double(r.n) }
        spectrum.line(xs, r.exponents, name: "λ_i")
        if r.members.count > 1 {
            spectrum.line(xs, zip(r.exponents, r.standardErrors).map { $0 + 2 * $1 }, name: "± 2 s.e.", width: 1, dashed: true)
            spectrum.line(xs, zip(r.exponents, r.standardErrors).map { $0 - 2 * $1 }, width: 1, dashed: true)
        }
        spectrum.line([0, xs.last ?? 1], [0, 0], name: "0", color: "#888888", width: 1)
        if let th = r.theory { drawTheory(th, on: &spectrum, xs: xs) }
        let specURL = dir.appendingPathComponent("spectrum.svg")
        try spectrum.write(to: specURL)
        paths["spectrum.svg"] = specURL.path

        var convergence = SVGPlot(title: "Convergence of the leading exponents",
                                  x: .init(label: r.timeUnit == "per step" ? "steps" : "time", scale: .log),
                                  y: .init(label: "running estimate"))
        for i in 0..<min(k, 6) {
            convergence.line(r.convergenceTimes, r.convergence.map { $0[i] }, name: "λ_\(i + 1)")
        }
        if let lm = r.theory?.prediction.lambdaMax, let t0 = r.convergenceTimes.first, let t1 = r.convergenceTimes.last {
            convergence.line([t0, t1], [lm, lm], name: String(format: "theory λ_max = %.4g", lm), color: "#000000",
                             width: 1.5, dashed: true)
        }
        let convURL = dir.appendingPathComponent("convergence.svg")
        try convergence.write(to: convURL)
        paths["convergence.svg"] = convURL.path
        return paths
    }

    /// The predicted spectrum (stable regime: λ_i against i/N) or λ_max (a level line), dashed,
    /// with the gap in the legend.
    static func drawTheory(_ th: LyapunovTheory, on plot: inout SVGPlot, xs: [Double]) {
        let color = "#000000"
        if let predicted = th.predictedExponents {
            let name = "theory (\(th.prediction.regime)): " + String(format: "max |gap| %.3g", th.maxExponentGap ?? 0)
            plot.line(xs, predicted, name: name, color: color, width: 1.5, dashed: true)
        } else if let lm = th.prediction.lambdaMax {
            var name = String(format: "theory λ_max = %.4g", lm)
            if let gap = th.lambda1Gap { name += String(format: " (λ1 − theory %+.3g)", gap) }
            plot.line([0, xs.last ?? 1], [lm, lm], name: name, color: color, width: 1.5, dashed: true)
        }
    }
}
