import Foundation

/// What `gpurun spectrum --ensemble` reports: the run, the theory, the KS distance to it, a
/// histogram (1-D laws) or a 2-D density (planar laws), and the files written.
public struct SpectrumReport: Codable, Sendable {
    public struct Theory: Codable, Sendable {
        /// circular, elliptic, semicircle or marchenko-pastur.
        public var law: String
        public var description: String
        /// The mass of the law at 0 (Marchenko–Pastur with γ > 1).
        public var atomAtZero: Double?
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
    public var theory: Theory
    public var distance: SpectrumDistance
    public var histogram: Histogram?
    public var density2d: Density2D?
    /// The mean over samples of the largest eigenvalue modulus.
    public var meanSpectralRadius: Double
    public var timing: EnsembleSpectrum.Timing
    /// Paths of the files written with an output folder: eigenvalues (.npy), plot (.svg), report (.json).
    public var files: [String: String]

    public init(_ s: EnsembleSpectrum, n: Int) {
        let law = s.law
        ensemble = s.ensemble
        self.n = n
        order = s.order
        samples = s.samples
        seed = s.seed
        device = s.device
        structure = s.structure
        parameters = s.parameters
        theory = Theory(law: law.id, description: law.description, atomAtZero: law.atomAtZero > 0 ? law.atomAtZero : nil)
        distance = SpectrumStatistics.distance(re: s.re, im: s.im, law: law)
        if law.isPlanar {
            density2d = SpectrumStatistics.density2D(re: s.re, im: s.im, extent: 1.15 * law.support.upperBound)
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

    /// The plot of an ensemble's spectrum against its law: for planar laws the eigenvalues
    /// (at most `maxPoints`, evenly picked) with the boundary of the support; for 1-D laws the
    /// histogram density with the theory density.
    public static func plot(_ s: EnsembleSpectrum, report: SpectrumReport, maxPoints: Int = 20_000) -> SVGPlot {
        let law = s.law
        let params = s.parameters.sorted { $0.key < $1.key }.map { "\($0.key) = \(fmt($0.value))" }.joined(separator: ", ")
        let title = "\(s.ensemble), \(s.samples) × order \(s.order)\(params.isEmpty ? "" : ", " + params)"
            + " (KS \(String(format: "%.3f", report.distance.value)))"
        if law.isPlanar {
            let extent = 1.1 * law.support.upperBound
            var p = SVGPlot(title: title, x: .init(label: "Re λ", range: -extent...extent),
                            y: .init(label: "Im λ", range: -extent...extent))
            p.squarePlotArea()
            let step = max(1, s.re.count / max(1, maxPoints))
            let idx = Swift.stride(from: 0, to: s.re.count, by: step)
            p.scatter(idx.map { s.re[$0] }, idx.map { s.im[$0] }, name: "eigenvalues", radius: 1.2, opacity: 0.5)
            let edge = law.boundary()
            p.line(edge.map(\.x), edge.map(\.y), name: law.description, color: SVGPlot.palette[1])
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
