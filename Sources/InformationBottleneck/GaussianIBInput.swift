import Compute
import Foundation

/// A jointly Gaussian pair (X, Y), zero mean, given by its covariance blocks Σ_x (d_x×d_x),
/// Σ_y (d_y×d_y) and Σ_xy = E[X Yᵀ] (d_x×d_y). Construction checks shapes, finiteness and
/// symmetry, and that Σ_x, Σ_y and the joint covariance [[Σ_x, Σ_xy], [Σ_yx, Σ_y]] are positive
/// definite (Cholesky), so that every λ_i of Σ_{x|y} Σ_x⁻¹ lies in (0, 1].
public struct GaussianIBProblem: Sendable {
    public let covX: HostMatrix
    public let covY: HostMatrix
    public let covXY: HostMatrix
    /// Where the covariances came from ("covariances" or "N samples").
    public var source: String

    public var dx: Int { covX.rows }
    public var dy: Int { covY.rows }

    public init(covX: HostMatrix, covY: HostMatrix, covXY: HostMatrix, source: String = "covariances") throws {
        guard covX.rows == covX.cols, covX.rows > 0 else {
            throw ComputeError.shapeMismatch("Σ_x must be a non-empty square matrix, got \(covX.rows)×\(covX.cols)")
        }
        guard covY.rows == covY.cols, covY.rows > 0 else {
            throw ComputeError.shapeMismatch("Σ_y must be a non-empty square matrix, got \(covY.rows)×\(covY.cols)")
        }
        guard covXY.rows == covX.rows, covXY.cols == covY.rows else {
            throw ComputeError.shapeMismatch(
                "Σ_xy must be d_x×d_y = \(covX.rows)×\(covY.rows), got \(covXY.rows)×\(covXY.cols)")
        }
        for (name, m) in [("Σ_x", covX), ("Σ_y", covY), ("Σ_xy", covXY)] {
            if let bad = m.values.first(where: { !$0.isFinite }) {
                throw ComputeError.invalidArgument("\(name) has a non-finite entry (\(bad))")
            }
        }
        for (name, m) in [("Σ_x", covX), ("Σ_y", covY)] {
            let scale = m.values.map(abs).max() ?? 0
            for i in 0..<m.rows { for j in 0..<i where abs(m[i, j] - m[j, i]) > 1e-9 * max(scale, 1e-300) {
                throw ComputeError.invalidArgument(
                    "\(name) is not symmetric: entry (\(i), \(j)) is \(m[i, j]) but (\(j), \(i)) is \(m[j, i])")
            } }
        }
        self.covX = covX.symmetrized
        self.covY = covY.symmetrized
        self.covXY = covXY
        self.source = source
        // Pivots below 1e-12 of the diagonal count as singular: the eigenvalues λ would be lost
        // in rounding.
        _ = try LAPACK.cholesky(self.covX.values, n: dx, what: "the covariance Σ_x", pivotFloor: 1e-12)
        _ = try LAPACK.cholesky(self.covY.values, n: dy, what: "the covariance Σ_y", pivotFloor: 1e-12)
        _ = try LAPACK.cholesky(joint.values, n: dx + dy, what: "the joint covariance [[Σ_x, Σ_xy], [Σ_yx, Σ_y]] "
                                + "(Y must not determine X exactly)", pivotFloor: 1e-12)
    }

    /// [[Σ_x, Σ_xy], [Σ_yx, Σ_y]].
    public var joint: HostMatrix { .blocks(covX, covXY, covXY.transposed, covY) }

    /// Σ_{x|y} = Σ_x − Σ_xy Σ_y⁻¹ Σ_yx, the covariance of X given Y.
    public func conditionalCovX() throws -> HostMatrix {
        let yInv = try covY.inverseSPD(what: "the covariance Σ_y")
        return (covX - covXY * yInv * covXY.transposed).symmetrized
    }

    /// Sample covariances (divided by n − 1, means removed) of paired rows of X (n×d_x) and Y (n×d_y).
    public static func fromSamples(x: HostMatrix, y: HostMatrix) throws -> GaussianIBProblem {
        guard x.rows == y.rows else {
            throw ComputeError.shapeMismatch("the samples of X (\(x.rows) rows) and Y (\(y.rows) rows) must pair up row by row")
        }
        let n = x.rows
        guard n > x.cols + y.cols else {
            throw ComputeError.invalidArgument(
                "\(n) samples cannot give a positive-definite covariance of \(x.cols + y.cols) dimensions; need more than \(x.cols + y.cols)")
        }
        for (name, m) in [("X", x), ("Y", y)] {
            if let i = m.values.firstIndex(where: { !$0.isFinite }) {
                throw ComputeError.invalidArgument("the samples of \(name) have a non-finite value at row \(i / m.cols)")
            }
        }
        let z = HostMatrix(rows: n, cols: x.cols + y.cols) { i, j in j < x.cols ? x[i, j] : y[i, j - x.cols] }
        var means = [Double](repeating: 0, count: z.cols)
        for i in 0..<n { for j in 0..<z.cols { means[j] += z[i, j] } }
        means = means.map { $0 / Double(n) }
        let centred = HostMatrix(rows: n, cols: z.cols) { z[$0, $1] - means[$1] }
        let c = HostMatrix(rows: z.cols, cols: z.cols,
                           values: Linalg.gram(centred.values, rows: n, cols: z.cols, scale: 1 / Double(n - 1)))
        let dx = x.cols, dy = y.cols
        return try GaussianIBProblem(
            covX: HostMatrix(rows: dx, cols: dx) { c[$0, $1] },
            covY: HostMatrix(rows: dy, cols: dy) { c[dx + $0, dx + $1] },
            covXY: HostMatrix(rows: dx, cols: dy) { c[$0, dx + $1] }, source: "\(n) samples")
    }

    /// Reads Σ_x, Σ_y and Σ_xy from .npy files (2-D; a 1-element array is a 1×1 matrix).
    public static func load(covX: URL, covY: URL, covXY: URL) throws -> GaussianIBProblem {
        try GaussianIBProblem(covX: matrix(covX), covY: matrix(covY), covXY: matrix(covXY))
    }

    /// Reads paired samples X (n×d_x) and Y (n×d_y) from .npy files (a 1-D array is n×1).
    public static func load(samplesX: URL, samplesY: URL) throws -> GaussianIBProblem {
        try fromSamples(x: matrix(samplesX, vector: .column), y: matrix(samplesY, vector: .column))
    }

    enum VectorAs { case scalar, column }

    static func matrix(_ url: URL, vector: VectorAs = .scalar) throws -> HostMatrix {
        let a = try Npy.read(url)
        let v = try a.doubles()
        switch a.shape.count {
        case 2: return HostMatrix(rows: a.shape[0], cols: a.shape[1], values: v)
        case 1 where vector == .column: return HostMatrix(rows: v.count, cols: 1, values: v)
        case 0: return HostMatrix(rows: 1, cols: 1, values: v)
        case 1 where v.count == 1: return HostMatrix(rows: 1, cols: 1, values: v)
        default:
            throw ComputeError.shapeMismatch("\(url.path): expected a 2-D array, got shape \(a.shape)")
        }
    }
}
