import Compute
import InformationBottleneck
import Foundation

/// `gpurun ib gaussian` and `gpurun ib discrete`: the reports, and with an output folder their
/// arrays, plots and ib.json.
public enum IBJob {
    /// Where the Gaussian problem comes from.
    public enum GaussianSource: Sendable {
        case covariances(x: URL, y: URL, xy: URL)
        case samples(x: URL, y: URL)
    }

    /// The β grid of a list or a LO:HI:N range (nil: the report's default).
    public static func betas(list: String?, range: String?) throws -> [Double]? {
        try InvalidInput.check { try IBBetaGrid.parse(list: list, range: range) }
    }

    public static func gaussianProblem(_ source: GaussianSource) throws -> GaussianIBProblem {
        try InvalidInput.check {
            switch source {
            case .covariances(let x, let y, let xy): try GaussianIBProblem.load(covX: x, covY: y, covXY: xy)
            case .samples(let x, let y): try GaussianIBProblem.load(samplesX: x, samplesY: y)
            }
        }
    }

    public static func gaussian(_ problem: GaussianIBProblem, measure: IBMeasure, betas: [Double]?, seed: UInt64,
                                output: URL?) throws -> GaussianIBReport {
        let dir = try output.map { try ReportFiles.folder($0.path) }
        var report = try GaussianIBReport.run(problem, measure: measure, betas: betas, seed: seed)
        if let dir { try save(&report, in: dir, IBOutput.write) }
        return report
    }

    public static func discreteProblem(_ joint: URL) throws -> DiscreteIBProblem {
        try InvalidInput.check { try DiscreteIBProblem.load(joint) }
    }

    /// The settings of a discrete run, checked; `betas` nil: the report's default grid for `p`.
    public static func discreteSettings(_ p: DiscreteIBProblem, clusters: Int, betas: [Double]?, tolerance: Double,
                                        maxIterations: Int, passes: Int, onsetThreshold: Double,
                                        seed: UInt64) throws -> DiscreteIBSettings {
        try InvalidInput.check {
            var s = DiscreteIBSettings(clusters: clusters, betas: try betas ?? DiscreteIBReport.defaultBetas(p))
            s.tolerance = tolerance
            s.maxIterations = maxIterations
            s.continuationPasses = passes
            s.onsetThreshold = onsetThreshold
            s.seed = seed
            try s.validate()
            return s
        }
    }

    public static func discrete(_ p: DiscreteIBProblem, _ s: DiscreteIBSettings, on backend: any Backend,
                                output: URL?) throws -> DiscreteIBReport {
        let dir = try output.map { try ReportFiles.folder($0.path) }
        var report = try DiscreteIBReport.run(p, s, on: backend)
        if let dir { try save(&report, in: dir, IBOutput.write) }
        return report
    }

    /// The report's files, then ib.json (listing them and itself).
    static func save<R: IBFileReport>(_ report: inout R, in dir: URL, _ write: (R, URL) throws -> [String: String]) throws {
        report.files = try write(report, dir)
        let js = dir.appendingPathComponent("ib.json")
        report.files["json"] = js.path
        try ReportFiles.writeJSON(report, to: js)
    }
}

/// A report that lists the files written with it.
protocol IBFileReport: Encodable {
    var files: [String: String] { get set }
}
extension GaussianIBReport: IBFileReport {}
extension DiscreteIBReport: IBFileReport {}
