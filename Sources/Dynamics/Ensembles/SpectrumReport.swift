import Compute
import Foundation

/// What `gpurun spectrum --ensemble` reports: the run, the theory, the KS distance to it, a
/// histogram (1-D laws) or a 2-D density (planar laws), and the files written.
public struct SpectrumReport: Codable, Sendable {
    public struct Theory: Codable, Sendable {
        /// circular, elliptic, semicircle, marchenko-pastur or radial; nil where theory gives a
        /// support but no density (gated RNN, LSTM).
        public var law: String?
        public var description: String
        /// The mass of the law at 0 (Marchenko–Pastur with γ > 1).
        public var atomAtZero: Double?
        /// The predicted support of a model Jacobian's spectrum (Jacobian ensembles).
        public var jacobian: JacobianSpectrumTheory?
    }

    public var ensemble: String
    /// --n (for wishart, the number of rows of X).
    public var n: Int
    /// The order of the matrices whose eigenvalues were computed (p for wishart).
    public var order: Int
    public var samples: Int
    public var seed: UInt64
    public var device: String
    public var structure: MatrixStructure
    public var parameters: [String: Double]
    /// nil for ensembles without theory (GRU and LSTM along trajectories).
    public var theory: Theory?
    /// The KS distance to the law, where there is one.
    public var distance: SpectrumDistance?
    /// Eigenvalues against the predicted support of a Jacobian ensemble.
    public var support: JacobianSpectrumTheory.Comparison?
    public var histogram: Histogram?
    public var density2d: Density2D?
    /// The mean over samples of the largest eigenvalue modulus.
    public var meanSpectralRadius: Double
    public var timing: EnsembleSpectrum.Timing
    /// Paths of the files written with an output folder: eigenvalues (.npy), plot (.svg), report (.json).
    public var files: [String: String]

    public init(_ s: EnsembleSpectrum, n: Int) {
        let law = s.law
        (ensemble, self.n, order, samples) = (s.ensemble, n, s.order, s.samples)
        (seed, device, structure, parameters) = (s.seed, s.device, s.structure, s.parameters)
        if law != nil || s.jacobianTheory != nil {
            theory = Theory(law: law?.id, description: law?.description ?? s.jacobianTheory?.description ?? "",
                            atomAtZero: (law?.atomAtZero ?? 0) > 0 ? law?.atomAtZero : nil, jacobian: s.jacobianTheory)
        }
        distance = law.map { SpectrumStatistics.distance(re: s.re, im: s.im, law: $0) }
        support = s.jacobianTheory?.compare(re: s.re, im: s.im)
        if law?.isPlanar ?? true {
            density2d = SpectrumStatistics.density2D(re: s.re, im: s.im, extent: SpectrumFiles.planarExtent(s))
        } else {
            histogram = SpectrumStatistics.histogram(re: s.re, im: s.im, law: law)
        }
        // Each sample is sorted by decreasing modulus: its first value has the largest.
        let first = s.order == 0 ? [] : (0..<s.samples).map { $0 * s.order }
        let radii = first.map { (s.re[$0] * s.re[$0] + s.im[$0] * s.im[$0]).squareRoot() }
        meanSpectralRadius = radii.reduce(0, +) / Double(max(1, radii.count))
        timing = s.timing
        files = [:]
    }
}

/// Files of a spectrum: eigenvalues as .npy and the plot as .svg.
public enum SpectrumFiles {
    /// Eigenvalues as complex128 (or float64 when `real`) with `shape`, written atomically.
    public static func writeEigenvalues(re: [Double], im: [Double], shape: [Int], real: Bool, to url: URL) throws {
        let array: NpyArray
        if real {
            array = try NpyArray(re, shape: shape)
        } else {
            var interleaved = [Double](repeating: 0, count: 2 * re.count)
            for i in re.indices {
                interleaved[2 * i] = re[i]
                interleaved[2 * i + 1] = im[i]
            }
            array = try NpyArray(complexInterleaved: interleaved, shape: shape)
        }
        try Npy.write(array, to: url)
    }

    /// Half the side of the square about 0 that a planar spectrum is shown in: the law's support,
    /// the predicted support, and the eigenvalues, with a margin.
    public static func planarExtent(_ s: EnsembleSpectrum) -> Double {
        var e = s.law?.planarExtent ?? 0
        for curve in s.jacobianTheory?.boundary ?? [] {
            for point in curve { e = max(e, abs(point[0]), abs(point[1])) }
        }
        for m in s.jacobianTheory?.pointMasses ?? [] { e = max(e, abs(m.eigenvalue)) }
        if s.law == nil || e == 0 {
            for (x, y) in zip(s.re, s.im) { e = max(e, abs(x), abs(y)) }
        }
        return 1.1 * max(e, 1e-12)
    }

    /// The plot of an ensemble's spectrum against its law: for planar spectra the eigenvalues
    /// (at most `maxPoints`, evenly picked) with the boundary of the law or of the predicted
    /// support; for 1-D laws the histogram density with the theory density.
    public static func plot(_ s: EnsembleSpectrum, report: SpectrumReport, maxPoints: Int = 20_000) -> SVGPlot {
        let params = s.parameters.sorted { $0.key < $1.key }.map { "\($0.key) = \(fmt($0.value))" }.joined(separator: ", ")
        var title = "\(s.ensemble), \(s.samples) × order \(s.order)\(params.isEmpty ? "" : ", " + params)"
        if let d = report.distance {
            title += " (KS \(String(format: "%.3f", d.value)))"
        } else if let c = report.support {
            title += " (\(String(format: "%.2g", 100 * c.fractionOutside))% outside the support)"
        }
        guard let law = s.law, !law.isPlanar else {
            let extent = planarExtent(s)
            var p = SVGPlot(title: title, x: .init(label: "Re λ", range: -extent...extent),
                            y: .init(label: "Im λ", range: -extent...extent))
            p.squarePlotArea()
            let step = max(1, s.re.count / max(1, maxPoints))
            let idx = Swift.stride(from: 0, to: s.re.count, by: step)
            p.scatter(idx.map { s.re[$0] }, idx.map { s.im[$0] }, name: "eigenvalues", radius: 1.2, opacity: 0.5)
            if let law = s.law, case let edge = law.boundary(), !edge.isEmpty {
                p.line(edge.map(\.x), edge.map(\.y), name: law.description, color: SVGPlot.palette[1])
            } else if let theory = s.jacobianTheory {
                theory.draw(on: &p)
            }
            return p
        }
        let h = report.histogram ?? SpectrumStatistics.histogram(re: s.re, im: s.im, law: law)
        let axisName = { if case .semicircle(_, .imaginary) = law { return "Im λ" } else { return "λ" } }()
        var p = SVGPlot(title: title, x: .init(label: axisName), y: .init(label: "density"))
        p.bars(edges: h.edges, heights: h.density, name: "eigenvalues" + (h.atZero.map { " (\($0) at 0 not shown)" } ?? ""))
        let lo = h.edges.first ?? 0, hi = h.edges.last ?? 1
        let xs = (0...400).map { lo + (hi - lo) * Double($0) / 400 }
        p.line(xs, xs.map(law.density), name: law.description, color: SVGPlot.palette[1])
        return p
    }

    /// The eigenvalues of one matrix in the complex plane, with the circle of the spectral radius.
    public static func plot(re: [Double], im: [Double], title: String) -> SVGPlot {
        let radius = zip(re, im).map { ($0 * $0 + $1 * $1).squareRoot() }.max() ?? 1
        let extent = 1.1 * max(radius, 1e-12)
        var p = SVGPlot(title: title, x: .init(label: "Re λ", range: -extent...extent),
                        y: .init(label: "Im λ", range: -extent...extent))
        p.squarePlotArea()
        p.scatter(re, im, name: "eigenvalues", radius: 2)
        let circle = (0...256).map { 2 * Double.pi * Double($0) / 256 }
        p.line(circle.map { radius * cos($0) }, circle.map { radius * sin($0) },
               name: "spectral radius \(String(format: "%.4g", radius))", color: SVGPlot.palette[1], width: 1, dashed: true)
        return p
    }
}
