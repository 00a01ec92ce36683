import Compute
import OpenCLRuntime
import CBLAS
import Foundation

/// Covariant Lyapunov vectors by Ginelli's method (docs/lyapunov.md L15–L18). The forward run
/// hands over the Gram–Schmidt basis Q at the end of the accumulation window, then the R factor
/// of every reorthonormalisation of a further window of F steps; `backward` runs an upper
/// triangular C back through those factors (C ← R⁻¹C, columns normalised, L16) and returns
/// V = Q C, whose column i is the vector of exponent i (L17).
public struct CovariantWindow: Sendable {
    let s: Int, k: Int
    /// Per member: Q at the end of accumulation, [S, k] row-major.
    let basis: [[Double]]
    /// Per QR of the window, oldest first: every member's R (k × k row-major, upper triangular).
    private(set) var factors: [[[Double]]] = []
    /// Steps each QR of the window spans.
    private(set) var intervalSteps: [Int] = []

    /// The host memory a window of `steps` steps keeps (L18): the factors, the basis, the vectors.
    public static func bytes(members b: Int, stateSize s: Int, k: Int, steps: Int, reorth: Int) -> Int {
        let r = max(reorth, 1), intervals = steps / r + (steps % r == 0 ? 0 : 1)  // ⌈F/reorth⌉ without overflow
        let factors = Checked.product([intervals, b, k, k, 8]) ?? .max
        let blocks = Checked.product([2, b, s, k, 8]) ?? .max
        return Checked.sum([factors, blocks]) ?? .max
    }

    /// `q`: every member's Q at the end of accumulation ([B, S, k]).
    init(basis q: [Double], members b: Int, stateSize s: Int, k: Int) {
        (self.s, self.k) = (s, k)
        basis = (0..<b).map { m in Array(q[(m * s * k)..<((m + 1) * s * k)]) }
    }

    /// Adds one reorthonormalisation: `before` the blocks M Q going into the QR, `after` the Q
    /// coming out ([B, S, k] each), over `steps` steps. R = Qᵀ(M Q) (L15), below the diagonal zeroed.
    mutating func add(before: [Double], after: [Double], steps: Int) {
        let (s, k) = (self.s, self.k)
        var rs: [[Double]] = []
        for m in basis.indices {
            var r = [Double](repeating: 0, count: k * k)
            before.withUnsafeBufferPointer { a in
                after.withUnsafeBufferPointer { q in
                    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(k), Int32(k), Int32(s), 1,
                                q.baseAddress! + m * s * k, Int32(k), a.baseAddress! + m * s * k, Int32(k), 0, &r, Int32(k))
                }
            }
            for i in 1..<max(k, 1) { for j in 0..<i { r[i * k + j] = 0 } }
            rs.append(r)
        }
        factors.append(rs)
        intervalSteps.append(steps)
    }

    /// The backward pass (L16, L17) from a C drawn from Philox (seed, PhiloxStreams.covariant(m)).
    /// `timeStep` turns growth per interval into growth per unit time.
    public func backward(seed: UInt64, timeStep: Double) throws -> CovariantVectors {
        let (s, k) = (self.s, self.k)
        guard !factors.isEmpty else {
            throw ComputeError.invalidArgument("covariant vectors: the window after accumulation holds no reorthonormalisation")
        }
        var vectors: [[Double]] = [], growth = [[[Double]]](repeating: [], count: factors.count)
        for m in basis.indices {
            let z: [Double] = PhiloxFill.normal(count: k * k, seed: seed, stream: PhiloxStreams.covariant(m))
            var c = [Double](repeating: 0, count: k * k)
            for i in 0..<k { for j in i..<k { c[i * k + j] = z[i * k + j] } }
            _ = Self.normalizeColumns(&c, rows: k, k: k)
            for w in factors.indices.reversed() {
                let r = factors[w][m]
                for i in 0..<k where !(r[i * k + i] != 0 && r[i * k + i].isFinite) {
                    throw ComputeError.invalidArgument(
                        "covariant vectors: R_\(i + 1)\(i + 1) = \(r[i * k + i]) at interval \(w + 1) of the window (member \(m)): the tangent block lost rank")
                }
                cblas_dtrsm(CblasRowMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(k), Int32(k), 1,
                            r, Int32(k), &c, Int32(k))
                let norms = Self.normalizeColumns(&c, rows: k, k: k)
                // ‖R⁻¹c_i‖ is the inverse of vector i's growth over the interval (L16).
                growth[w].append(norms.map { -Foundation.log($0) / (Double(intervalSteps[w]) * timeStep) })
            }
            var v = [Double](repeating: 0, count: s * k)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(s), Int32(k), Int32(k), 1,
                        basis[m], Int32(k), c, Int32(k), 0, &v, Int32(k))
            _ = Self.normalizeColumns(&v, rows: s, k: k)
            Self.fixSigns(&v, rows: s, k: k)
            guard v.allSatisfy(\.isFinite) else {
                throw ComputeError.invalidArgument("covariant vectors: the backward pass of member \(m) overflowed")
            }
            vectors.append(v)
        }
        return CovariantVectors(stateSize: s, k: k, vectors: vectors, growth: growth, intervalSteps: intervalSteps,
                                timeStep: timeStep)
    }

    /// Scales every column of a row-major [rows, k] matrix to unit length; returns the old norms.
    static func normalizeColumns(_ a: inout [Double], rows: Int, k: Int) -> [Double] {
        var norms = [Double](repeating: 0, count: k)
        for r in 0..<rows { for i in 0..<k { norms[i] += a[r * k + i] * a[r * k + i] } }
        norms = norms.map { $0.squareRoot() }
        for r in 0..<rows { for i in 0..<k where norms[i] > 0 { a[r * k + i] /= norms[i] } }
        return norms
    }

    /// Each column's largest-magnitude entry made positive (the vectors' sign is arbitrary, L17).
    static func fixSigns(_ a: inout [Double], rows: Int, k: Int) {
        for i in 0..<k {
            var best = 0
            for r in 0..<rows where abs(a[r * k + i]) > abs(a[best * k + i]) { best = r }
            if a[best * k + i] < 0 { for r in 0..<rows { a[r * k + i] = -a[r * k + i] } }
        }
    }
}

/// The covariant vectors at the end of the accumulation window, and their local growth rates
/// over the window after it (docs/lyapunov.md L17, L18).
public struct CovariantVectors: Sendable {
    public let stateSize: Int, k: Int
    /// Per member: V [S, k] row-major, column i the unit vector of exponent i.
    public let vectors: [[Double]]
    /// Per interval of the window (oldest first), per member, per vector: the local growth rate
    /// per unit time, ln of the vector's stretch over the interval divided by its duration.
    public let growth: [[[Double]]]
    public let intervalSteps: [Int]
    public let timeStep: Double

    /// Column i of member m's V.
    public func vector(_ i: Int, member m: Int = 0) -> [Double] { (0..<stateSize).map { vectors[m][$0 * k + i] } }

    /// Member m's angles (degrees, in [0, 90]) between the lines of every pair of vectors, [k, k].
    public func angles(member m: Int) -> [Double] {
        let cols = (0..<k).map { vector($0, member: m) }
        var out = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in 0..<k where j != i {
                let d = min(1, abs(zip(cols[i], cols[j]).reduce(0) { $0 + $1.0 * $1.1 }))
                out[i * k + j] = Foundation.acos(d) * 180 / .pi
            }
        }
        return out
    }

    /// Member m's inverse participation ratios Σ_r v_r⁴ of the unit vectors (L18).
    public func inverseParticipationRatios(member m: Int) -> [Double] {
        (0..<k).map { i in (0..<stateSize).reduce(0) { $0 + Foundation.pow(vectors[m][$1 * k + i], 4) } }
    }

    /// The summary for the result (L18).
    public var summary: CovariantSummary {
        let members = vectors.count
        // Intervals nearest the end of accumulation, where C has converged: the older half.
        let converged = growth.prefix(max(1, growth.count / 2))
        let exponents = (0..<k).map { i in
            converged.reduce(0) { acc, w in acc + w.reduce(0) { $0 + $1[i] } } / Double(converged.count * members)
        }
        func mean(_ rows: [[Double]]) -> [Double] {
            (0..<k).map { i in rows.reduce(0) { $0 + $1[i] } / Double(rows.count) }
        }
        let minAngles = mean((0..<members).map { m in
            let a = angles(member: m)
            return (0..<k).map { i in k == 1 ? 90 : (0..<k).filter { $0 != i }.map { a[i * k + $0] }.min()! }
        })
        let first = growth.flatMap { $0.map { $0[0] } }
        return CovariantSummary(windowSteps: intervalSteps.reduce(0, +), intervals: intervalSteps.count,
                                exponents: exponents, minimumAngles: minAngles,
                                inverseParticipationRatios: mean((0..<members).map(inverseParticipationRatios)),
                                firstVectorGrowth: BlockStatistics.distribution(first))
    }
}

/// What `--covariant` adds to the result (docs/lyapunov.md L18), means over the batch.
public struct CovariantSummary: Codable, Sendable, Equatable {
    /// Steps of the window after accumulation, and its reorthonormalisations.
    public var windowSteps: Int, intervals: Int
    /// Each vector's mean local growth rate over the older half of the window (where the backward
    /// pass has converged): the covariant estimate of exponent i.
    public var exponents: [Double]
    /// Each vector's smallest angle to another vector, degrees.
    public var minimumAngles: [Double]
    /// Σ_r v_r⁴ of each unit vector: 1/S when spread evenly, 1 on a single coordinate.
    public var inverseParticipationRatios: [Double]
    /// The first vector's local growth rates over every interval and member (as L13's λ1).
    public var firstVectorGrowth: BlockStatistics.Distribution
}
