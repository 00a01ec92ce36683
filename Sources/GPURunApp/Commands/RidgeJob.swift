import Compute
import Dynamics
import Foundation

/// `gpurun ridge`: the risk of ridge and minimum-norm regression, with ridge.svg and ridge.json.
public enum RidgeJob {
    /// The settings, checked (InvalidInput when wrong).
    public static func settings(n: Int, gammas: String, sigma2: Double, lambda: RidgeLambda, r2: Double, samples: Int,
                                seed: UInt64) throws -> RidgeSettings {
        try InvalidInput.validated {
            RidgeSettings(n: n, gammas: try parseGammaList(gammas), sigma2: sigma2, lambda: lambda, r2: r2,
                          samples: samples, seed: seed)
        }
    }

    public static func run(_ s: RidgeSettings, on backend: any Backend, output: URL?) throws -> RidgeReport {
        let dir = try output.map { try ReportFiles.folder($0.path) }
        var report = try RidgeRun.run(s, on: backend)
        if let dir {
            let svg = dir.appendingPathComponent("ridge.svg"), js = dir.appendingPathComponent("ridge.json")
            report.files = ["svg": svg.path, "json": js.path]
            try report.plot().write(to: svg)
            try ReportFiles.writeJSON(report, to: js)
        }
        return report
    }
}
