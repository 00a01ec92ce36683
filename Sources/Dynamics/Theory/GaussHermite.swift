import Compute
import CBLAS
import Foundation

/// Gauss–Hermite quadrature for expectations over a standard normal z (docs/theory.md T1):
/// E[f(z)] ≈ Σ_i w_i f(x_i), exact for polynomials of degree < 2n.
///
/// Golub–Welsch: the nodes are the eigenvalues of the Jacobi matrix of the probabilists'
/// Hermite polynomials (zero diagonal, off-diagonal √k, k = 1…n−1; LAPACK dstev), and the
/// weights the Christoffel numbers w_i = 1 / Σ_k p_k(x_i)² over the orthonormal polynomials
/// p_{k+1} = (x p_k − √k p_{k−1}) / √(k+1), summed with rescaling so that no term overflows
/// (this is the first eigenvector component squared, without forming eigenvectors: O(n²)).
public struct GaussHermite: Sendable {
    public let nodes: [Double]
    public let weights: [Double]

    public var count: Int { nodes.count }

    /// A rule from given nodes and weights (Σ w = 1), for rules of the same use (`centred`).
    init(nodes: [Double], weights: [Double]) {
        self.nodes = nodes
        self.weights = weights
    }

    /// An n-point rule, 1 ≤ n ≤ 4000.
    public init(_ n: Int) {
        precondition(n >= 1 && n <= 4000, "Gauss–Hermite: 1 ≤ n ≤ 4000, got \(n)")
        BLASSetup.configure()
        var d = [Double](repeating: 0, count: n)
        var e = (1..<max(n, 2)).map { Double($0).squareRoot() }
        var z = [Double](repeating: 0, count: 1)
        let info = LAPACKE_dstev(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "N")), Int32(n), &d, &e, &z, 1)
        precondition(info == 0, "LAPACK dstev failed on the Hermite Jacobi matrix (info \(info))")
        // Symmetrise: x_i = −x_{n−1−i} exactly, so odd integrands integrate to exactly 0.
        var x = d.sorted()
        for i in 0..<(n / 2) {
            let m = 0.5 * (x[n - 1 - i] - x[i])
            (x[i], x[n - 1 - i]) = (-m, m)
        }
        if n % 2 == 1 { x[n / 2] = 0 }
        var w = x.map { Self.christoffel($0, n) }
        let total = w.reduce(0, +)
        w = w.map { $0 / total }  // Σ w = 1 to rounding already; remove the last ulps
        nodes = x
        weights = w
    }

    /// 1 / Σ_{k<n} p_k(x)² for the orthonormal probabilists' Hermite polynomials.
    static func christoffel(_ x: Double, _ n: Int) -> Double {
        var a = 1.0, b = x, sum = 1.0, logScale = 0.0
        if n > 1 { sum += x * x }
        var k = 1
        while k + 1 < n {
            let c = (x * b - Double(k).squareRoot() * a) / Double(k + 1).squareRoot()
            (a, b) = (b, c)
            sum += c * c
            if sum > 1e200 {
                a *= 1e-100
                b *= 1e-100
                sum *= 1e-200
                logScale += 200 * M_LN10
            }
            k += 1
        }
        return Foundation.exp(-logScale - Foundation.log(sum))
    }

    /// E[f(z)], z ~ N(0, 1).
    @inlinable
    public func expectation(_ f: (Double) -> Double) -> Double {
        var s = 0.0
        for i in 0..<nodes.count where weights[i] > 0 { s += weights[i] * f(nodes[i]) }
        return s
    }

    /// Nodes needed for E[F(s z)] to about 1e-9 when F changes on unit scale (tanh, sech²):
    /// Gauss–Hermite nodes are ~π/√(2n) apart near 0, so n grows like s². Checked in
    /// TheoryTests against doubling n.
    public static func nodesFor(scale s: Double, factor: Double = 1) -> Int {
        Int(min(3000, max(48, requiredNodes(scale: s, factor: factor).rounded(.up))))
    }

    /// The nodes that accuracy would need at scale s, before the cap of 3000 (∞ for s = ∞).
    static func requiredNodes(scale s: Double, factor: Double = 1) -> Double {
        factor * (40 + 60 * s * s)
    }

    /// Sizes rules are rounded up to: 48, 56, 64, … growing by about 1/8 each, so that a
    /// computation with many scales builds few rules.
    static let sizes: [Int] = {
        var out = [48]
        while out.last! < 3000 { out.append(min(3000, (out.last! * 9 / 8 + 7) / 8 * 8)) }
        return out
    }()
}

/// Rules by size, built once each, for code that uses many sizes in one computation.
package final class GaussHermiteCache: @unchecked Sendable {
    private var rules: [Int: GaussHermite] = [:]
    private let lock = NSLock()
    /// Multiplies every rule size (accuracy checks use 2).
    let factor: Double

    package init(factor: Double = 1) { self.factor = factor }

    /// The largest scale asked of `rule(scale:)` that its capped rule does not resolve (more than
    /// 3000 nodes needed), nil when every rule so far was resolved. Solvers check it and refuse.
    package var largestUnresolvedScale: Double? {
        lock.lock()
        defer { lock.unlock() }
        return unresolved
    }

    private var unresolved: Double?

    /// Whether `rule(scale: s)` would be resolved (no more than 3000 nodes needed).
    package func resolves(scale s: Double) -> Bool {
        GaussHermite.requiredNodes(scale: s, factor: factor) <= 3000
    }

    private func noteUnresolved(_ s: Double) {
        lock.lock()
        defer { lock.unlock() }
        unresolved = max(unresolved ?? 0, s.isNaN ? .infinity : s)
    }

    func rule(_ n: Int) -> GaussHermite {
        lock.lock()
        defer { lock.unlock() }
        if let r = rules[n] { return r }
        let r = GaussHermite(n)
        rules[n] = r
        return r
    }

    /// The rule for E[F(s z)] (see GaussHermite.nodesFor), rounded up to one of
    /// `GaussHermite.sizes` so nearby scales share it.
    package func rule(scale s: Double) -> GaussHermite {
        if !resolves(scale: s) { noteUnresolved(s) }
        let n = GaussHermite.nodesFor(scale: s, factor: factor)
        return rule(GaussHermite.sizes.first { $0 >= n } ?? 3000)
    }
}
