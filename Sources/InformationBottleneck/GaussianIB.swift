import Compute
import Foundation

/// The exact Gaussian information bottleneck (Chechik, Globerson, Tishby & Weiss, JMLR 2005;
/// docs/information-bottleneck.md B1–B5):
/// minimise I(T;X) − β I(T;Y) over encoders T = A X + ξ, ξ ~ N(0, I).
///
/// The left eigenvectors vᵢ of Σ_{x|y} Σ_x⁻¹ (equivalently Σ_{x|y} v = λ Σ_x v, solved as a
/// symmetric-definite problem) with eigenvalues 0 < λ₁ ≤ … ≤ λ_d ≤ 1 give the optimal encoder
/// A = diag(αᵢ) Vᵀ, αᵢ = sqrt((β(1 − λᵢ) − 1) / (λᵢ rᵢ)), rᵢ = vᵢᵀ Σ_x vᵢ, for β above the
/// critical value βᵢ = 1/(1 − λᵢ) and αᵢ = 0 below it. Because the vᵢ diagonalise Σ_x and Σ_{x|y}
/// at once, A Σ_x Aᵀ = diag(αᵢ² rᵢ) and A Σ_{x|y} Aᵀ = diag(αᵢ² λᵢ rᵢ), so with n(β) active
/// directions
///   I(T;X) = ½ Σᵢ log((β − 1)(1 − λᵢ)/λᵢ),   I(T;Y) = I(T;X) − ½ Σᵢ log(β(1 − λᵢ))   (nats).
public struct GaussianIB: Sendable {
    public let problem: GaussianIBProblem
    /// λᵢ, ascending.
    public let eigenvalues: [Double]
    /// d_x×d_x, column i is vᵢ (normalised so that rᵢ = 1 up to rounding).
    public let eigenvectors: HostMatrix
    /// rᵢ = vᵢᵀ Σ_x vᵢ.
    public let norms: [Double]
    /// Σ_{x|y}.
    public let conditional: HostMatrix

    public init(_ problem: GaussianIBProblem) throws {
        self.problem = problem
        conditional = try problem.conditionalCovX()
        let (w, v) = try LAPACK.generalizedSymmetricEigen(conditional.values, problem.covX.values, n: problem.dx,
                                                          whatB: "the covariance Σ_x")
        // The joint covariance is positive definite, so every λ lies in (0, 1]; clamp rounding,
        // and snap λ within 1e-12 of 1 (a direction of X uncorrelated with Y, e.g. when
        // d_y < d_x) to 1, whose critical β is infinite.
        eigenvalues = w.map { $0 > 1 - 1e-12 ? 1 : max($0, .leastNormalMagnitude) }
        eigenvectors = HostMatrix(rows: problem.dx, cols: problem.dx, values: v)
        let vs = eigenvectors
        norms = (0..<problem.dx).map { i in
            let c = vs.column(i)
            let sv = Linalg.multiply(problem.covX.values, rows: problem.dx, cols: problem.dx, c)
            return zip(c, sv).reduce(0) { $0 + $1.0 * $1.1 }
        }
    }

    /// βᵢ = 1/(1 − λᵢ), ascending (infinite for λᵢ = 1: a direction that says nothing about Y).
    public var criticalBetas: [Double] { eigenvalues.map { $0 < 1 ? 1 / (1 - $0) : .infinity } }

    /// Number of directions in use at β (those with βᵢ < β).
    public func activeCount(beta: Double) -> Int { criticalBetas.filter { $0 < beta }.count }

    /// αᵢ(β) for every direction (0 below its critical β).
    public func gains(beta: Double) -> [Double] {
        (0..<eigenvalues.count).map { i in
            let l = eigenvalues[i]
            let num = beta * (1 - l) - 1
            return num > 0 ? (num / (l * norms[i])).squareRoot() : 0
        }
    }

    /// The optimal encoder at β: d_x×d_x, row i = αᵢ vᵢᵀ (rows of inactive directions are zero).
    public func encoder(beta: Double) -> HostMatrix {
        let a = gains(beta: beta)
        return HostMatrix(rows: problem.dx, cols: problem.dx) { i, j in a[i] * eigenvectors[j, i] }
    }

    /// The closed-form point (I(T;X), I(T;Y)) of the IB curve at β, in nats.
    public func curve(beta: Double) -> (iTX: Double, iTY: Double) {
        Self.curve(eigenvalues: eigenvalues, beta: beta)
    }

    /// The same point from the eigenvalues λᵢ of Σ_{x|y} Σ_x⁻¹ alone: each λᵢ < 1 with
    /// β (1 − λᵢ) > 1 adds ½ log((β − 1)(1 − λᵢ)/λᵢ) to I(T;X), and that less ½ log(β (1 − λᵢ))
    /// to I(T;Y).
    public static func curve(eigenvalues: [Double], beta: Double) -> (iTX: Double, iTY: Double) {
        var ix = 0.0, iy = 0.0
        for l in eigenvalues where l < 1 && beta * (1 - l) > 1 {
            let x = 0.5 * log((beta - 1) * (1 - l) / l)
            ix += x
            iy += x - 0.5 * log(beta * (1 - l))
        }
        return (ix, iy)
    }

    /// The optimal value of I(T;X) − β I(T;Y).
    public func optimalObjective(beta: Double) -> Double {
        let c = curve(beta: beta)
        return c.iTX - beta * c.iTY
    }

    /// I(T;X) and I(T;Y) of any linear encoder T = A X + ξ (A k×d_x, ξ ~ N(0, I_k)):
    /// I(T;X) = ½ log det(A Σ_x Aᵀ + I), I(T;Y) = I(T;X) − ½ log det(A Σ_{x|y} Aᵀ + I).
    public func informations(encoder a: HostMatrix) throws -> (iTX: Double, iTY: Double) {
        let k = a.rows
        let mx = (a * problem.covX * a.transposed).symmetrized + .identity(k)
        let mc = (a * conditional * a.transposed).symmetrized + .identity(k)
        let ix = 0.5 * (try LAPACK.logDetPositiveDefinite(mx.values, n: k, what: "A Σ_x Aᵀ + I"))
        let hc = 0.5 * (try LAPACK.logDetPositiveDefinite(mc.values, n: k, what: "A Σ_{x|y} Aᵀ + I"))
        return (ix, ix - hc)
    }
}
