import Compute
import Dynamics
import Foundation

/// `gpurun spectrum`: the eigenvalues of an ensemble's samples, or of one matrix, and their files
/// (eigenvalues.npy, spectrum.svg, spectrum.json) in an output folder.
public enum SpectrumJob {
    /// The ensemble with its options, checked (InvalidInput when they do not fit).
    public static func ensemble(_ entry: Ensembles.Entry, _ options: EnsembleOptions) throws -> any MatrixEnsemble {
        try InvalidInput.check { try Ensembles.make(entry.name, options) }
    }

    /// `samples` matrices of the ensemble (of size parameter `n`) from Philox (seed, k) on `backend`.
    public static func run(_ ensemble: any MatrixEnsemble, n: Int, samples: Int, seed: UInt64, on backend: any Backend,
                           output: URL?) throws -> SpectrumReport {
        let dir = try output.map { try ReportFiles.folder($0.path) }
        let spectrum = try SpectrumRun.run(ensemble, samples: samples, seed: seed, on: backend)
        var report = SpectrumReport(spectrum, n: n)
        if let dir {
            let (npy, svg, js) = files(in: dir)
            report.files = ["eigenvalues": npy.path, "svg": svg.path, "json": js.path]
            try SpectrumFiles.writeEigenvalues(re: spectrum.re, im: spectrum.im, shape: [samples, ensemble.order],
                                               real: ensemble.structure == .symmetric, to: npy)
            try SpectrumFiles.plot(spectrum, report: report).write(to: svg)
            try ReportFiles.writeJSON(report, to: js)
        }
        return report
    }

    /// `gpurun spectrum --matrix`.
    public struct MatrixReport: Encodable, Sendable {
        public var matrix: String
        public var n: Int
        public var structure: MatrixStructure
        /// Sorted by decreasing modulus.
        public var eigenvalues: [[Double]]
        public var spectralRadius: Double
        public var files: [String: String]
    }

    /// The eigenvalues of the square matrix in a .npy file.
    public static func run(matrix url: URL, output: URL?) throws -> MatrixReport {
        let dir = try output.map { try ReportFiles.folder($0.path) }
        let s = try MatrixSpectrum.compute(file: url)
        let radius = zip(s.re, s.im).map { ($0 * $0 + $1 * $1).squareRoot() }.max() ?? 0
        var report = MatrixReport(matrix: s.path, n: s.n, structure: s.structure,
                                  eigenvalues: zip(s.re, s.im).map { [$0, $1] }, spectralRadius: radius, files: [:])
        if let dir {
            let (npy, svg, js) = files(in: dir)
            report.files = ["eigenvalues": npy.path, "svg": svg.path, "json": js.path]
            try SpectrumFiles.writeEigenvalues(re: s.re, im: s.im, shape: [s.n], real: s.structure == .symmetric, to: npy)
            try SpectrumFiles.plot(re: s.re, im: s.im, title: "\(url.lastPathComponent): \(s.n)×\(s.n), \(s.structure.rawValue)")
                .write(to: svg)
            try ReportFiles.writeJSON(report, to: js)
        }
        return report
    }

    static func files(in dir: URL) -> (npy: URL, svg: URL, json: URL) {
        (dir.appendingPathComponent("eigenvalues.npy"), dir.appendingPathComponent("spectrum.svg"),
         dir.appendingPathComponent("spectrum.json"))
    }
}
