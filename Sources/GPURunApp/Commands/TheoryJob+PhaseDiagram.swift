import Compute
import Dynamics
import Foundation

/// `gpurun theory --phase-diagram`: the gated RNN's phase diagram over g_h and a second axis
/// (docs/theory-gated.md, "Phase diagram"), written by GatedPhaseOutput.
extension TheoryJob {
    /// The diagram's grid and folder.
    public struct PhaseDiagramSettings: ValidatedSettings, Sendable {
        public var axis: GatedPhaseDiagram.Axis
        /// The g_h values and the second axis' values.
        public var gH: [Double], y: [Double]
        /// The folder of phase.npy, phase.svg and phase.json.
        public var output: URL

        public init(axis: GatedPhaseDiagram.Axis, gH: [Double], y: [Double], output: URL) {
            (self.axis, self.gH, self.y, self.output) = (axis, gH, y, output)
        }

        /// Throws unless both axes have values and every g_h is positive.
        public func validate() throws {
            guard !gH.isEmpty, !y.isEmpty else { throw ComputeError.invalidArgument("the phase diagram needs values on both axes") }
            if let bad = gH.first(where: { !($0 > 0) }) {
                throw ComputeError.invalidArgument("the g_h values must be positive, got \(bad)")
            }
        }
    }

    /// The settings of ranges "min,max,count" (see `grid`), checked; errors are InvalidInput.
    public static func phaseDiagramSettings(axis: GatedPhaseDiagram.Axis, gRange: String, yRange: String,
                                            output: URL) throws -> PhaseDiagramSettings {
        try InvalidInput.validated {
            PhaseDiagramSettings(axis: axis, gH: try grid(gRange, of: "the g_h values"),
                                 y: try grid(yRange, of: "the \(axis.rawValue) values"), output: output)
        }
    }

    /// "min,max,count" as `count` evenly spaced values from min to max (min alone when count is 1);
    /// anything else is an error naming `what` and the text.
    public static func grid(_ text: String, of what: String) throws -> [Double] {
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let lo = parts[0], let hi = parts[1], let c = parts[2], c >= 1, c == c.rounded(),
              lo.isFinite, hi.isFinite
        else { throw InvalidInput(ComputeError.invalidArgument("\(what) must be min,max,count, got \(text)")) }
        // Each cell solves a DMFT (about a second): a thousand values an axis at most.
        guard c <= 1000 else {
            throw InvalidInput(ComputeError.invalidArgument("\(what) ask for \(text.split(separator: ",").last ?? "") values; at most 1000 an axis"))
        }
        let n = Int(c)
        return n == 1 ? [lo] : (0..<n).map { lo + (hi - lo) * Double($0) / Double(n - 1) }
    }

    /// The diagram of the gated RNN of `s` (its g_h replaced by the grid's) and its files;
    /// `progress` hears the start and every cell that failed. Wrong settings are InvalidInput.
    public static func phaseDiagram(_ s: Settings, _ grid: PhaseDiagramSettings,
                                    progress: (String) -> Void = { _ in }) throws
        -> (diagram: GatedPhaseDiagram, files: [String: String])
    {
        try InvalidInput.check {
            try s.validate()
            try grid.validate()
            guard s.model == .gated else {
                throw ComputeError.invalidArgument("the phase diagram is the gated RNN's, not the \(s.model.rawValue) model's")
            }
        }
        let folder = try ReportFiles.folder(grid.output.path)  // before any work: a bad folder costs nothing
        let base = GatedRNNOptions(gH: s.g, alphaZ: s.alphaZ, betaZ: s.betaZ, alphaR: s.alphaR, betaR: s.betaR, dt: s.dt)
        progress("phase diagram of the gated RNN over g_h × \(grid.axis.rawValue), \(grid.gH.count) × \(grid.y.count) cells")
        let d = GatedPhaseDiagram.compute(base: base, axis: grid.axis, gH: grid.gH, y: grid.y)
        let files = try GatedPhaseOutput.write(d, to: folder)
        for f in d.failures { progress(f) }
        return (d, files)
    }
}
