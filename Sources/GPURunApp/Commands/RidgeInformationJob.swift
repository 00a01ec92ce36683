import Compute
import Dynamics
import Foundation

/// `gpurun ridge --information`: relevant and residual information of randomized ridge, with
/// ridge-information.svg, ridge-information-plane.svg and ridge-information.json.
public enum RidgeInformationJob {
    /// The settings, checked (InvalidInput when wrong).
    public static func settings(n: Int, gammas: String, sigma2: Double, lambda: RidgeLambda, r2: Double,
                                noiseScale: Double, covariance: String?, samples: Int,
                                seed: UInt64) throws -> RidgeInformationSettings {
        try InvalidInput.validated {
            RidgeInformationSettings(
                n: n, gammas: try parseGammaList(gammas), sigma2: sigma2, lambda: lambda, r2: r2, noiseScale: noiseScale,
                covariance: try covariance.map(DesignCovariance.init(parsing:)) ?? .isotropic, samples: samples, seed: seed)
        }
    }

    public static func run(_ s: RidgeInformationSettings, on backend: any Backend, output: URL?) throws -> RidgeInformationReport {
        let dir = try output.map { try ReportFiles.folder($0.path) }
        var report = try RidgeInformationRun.run(s, on: backend)
        if let dir {
            let svg = dir.appendingPathComponent("ridge-information.svg")
            let plane = dir.appendingPathComponent("ridge-information-plane.svg")
            let js = dir.appendingPathComponent("ridge-information.json")
            report.files = ["svg": svg.path, "plane": plane.path, "json": js.path]
            try report.plot().write(to: svg)
            try report.planePlot().write(to: plane)
            try ReportFiles.writeJSON(report, to: js)
        }
        return report
    }
}
