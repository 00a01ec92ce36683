import Compute
import Foundation

/// β grids for the IB commands: a comma-separated list, or LO:HI:N (N points, LO and HI included).
public enum IBBetaGrid {
    public static func parse(list: String?, range: String?) throws -> [Double]? {
        if list != nil && range != nil { throw ComputeError.invalidArgument("give a β list or a β range, not both") }
        if let list {
            let parts = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let v = try parts.map { s -> Double in
                guard let d = Double(s), d.isFinite, d > 0 else {
                    throw ComputeError.invalidArgument("β list: '\(s)' is not a positive number")
                }
                return d
            }
            guard !v.isEmpty else { throw ComputeError.invalidArgument("the β list is empty") }
            let sorted = Array(Set(v)).sorted()
            return sorted
        }
        if let range {
            let parts = range.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let lo = Double(parts[0]), let hi = Double(parts[1]), let n = Int(parts[2]) else {
                throw ComputeError.invalidArgument("a β range must read LO:HI:N, got '\(range)'")
            }
            guard lo > 0, hi.isFinite, hi > lo, n >= 2, n <= 100_000 else {
                throw ComputeError.invalidArgument("a β range LO:HI:N needs 0 < LO < HI and 2 ≤ N ≤ 100000, got '\(range)'")
            }
            return (0..<n).map { lo + (hi - lo) * Double($0) / Double(n - 1) }
        }
        return nil
    }
}

/// One closed-form point of the Gaussian IB curve.
public struct GaussianIBPoint: Sendable, Codable {
    public var beta: Double, iTX: Double, iTY: Double
    /// I(T;X) − β I(T;Y) at the optimum.
    public var objective: Double
    public var activeDirections: Int
    /// The optimal encoder A (d_x×d_x row-major; row i = αᵢ vᵢᵀ).
    public var encoder: [Double]
}

/// Everything `gpurun ib gaussian` reports.
public struct GaussianIBReport: Sendable, Codable {
    public var measure: String
    public var dx: Int, dy: Int
    public var source: String
    /// λᵢ of Σ_{x|y} Σ_x⁻¹ (ascending) and βᵢ = 1/(1 − λᵢ).
    public var eigenvalues: [Double], criticalBetas: [Double]
    /// I(X;Y) = −½ Σ log λᵢ: the ceiling of I(T;Y).
    public var mutualInformation: Double
    /// The closed-form Shannon IB curve on the grid.
    public var shannon: [GaussianIBPoint]
    /// For Rényi and Jeffreys: the optimised encoders, their transitions on the grid and whether
    /// every transition falls in the grid bracket of the Shannon βᵢ.
    public var generalized: [GaussianIBSolution]?
    public var transitions: [IBTransition]?
    public var transitionsMatchShannon: Bool?
    /// The largest Shannon gap of the generalised solutions (how far from IB-optimal they are).
    public var worstShannonGap: Double?
    public var files: [String: String] = [:]

    public static func run(_ p: GaussianIBProblem, measure: IBMeasure, betas given: [Double]?, seed: UInt64 = 0)
        throws -> GaussianIBReport
    {
        let ib = try GaussianIB(p)
        let finite = ib.criticalBetas.filter(\.isFinite)
        let top: Double = max(2, 1.5 * (finite.max() ?? 2))
        let betas: [Double] = given ?? (0..<60).map { (i: Int) -> Double in 1 + (top - 1) * Double(i) / 59 }
        let shannon = betas.map { b -> GaussianIBPoint in
            let c = ib.curve(beta: b)
            return GaussianIBPoint(beta: b, iTX: c.iTX, iTY: c.iTY, objective: c.iTX - b * c.iTY,
                                   activeDirections: ib.activeCount(beta: b), encoder: ib.encoder(beta: b).values)
        }
        var r = GaussianIBReport(measure: measure.name, dx: p.dx, dy: p.dy, source: p.source, eigenvalues: ib.eigenvalues,
                                 criticalBetas: ib.criticalBetas,
                                 mutualInformation: -0.5 * ib.eigenvalues.reduce(0) { $0 + log($1) }, shannon: shannon)
        if measure != .shannon {
            var solver = try GeneralizedGaussianIB(ib, measure: measure)
            solver.seed = seed
            let sols = try solver.solve(betas: betas)
            let t: [IBTransition] = IBTransition.detect(sols, critical: ib.criticalBetas,
                                                        threshold: solver.activityThreshold)
            r.generalized = sols
            r.transitions = t
            r.transitionsMatchShannon = t.allSatisfy { (x: IBTransition) in x.matches }
            r.worstShannonGap = sols.map { (x: GaussianIBSolution) in x.shannonGap }.max()
        }
        return r
    }
}

/// Everything `gpurun ib discrete` reports.
public struct DiscreteIBReport: Sendable, Codable {
    public var nx: Int, ny: Int, droppedRows: Int, droppedCols: Int
    public var clusters: Int
    /// I(X;Y) in nats: the ceiling of I(T;Y).
    public var mutualInformation: Double
    public var device: String
    public var tolerance: Double
    public var maxIterations: Int
    /// Continuation passes run after the random-start pass, and batched launches in all.
    public var continuationPasses: Int, launches: Int, convergedPoints: Int
    public var seed: UInt64
    public var points: [DiscreteIBPoint]
    public var onset: IBOnset
    public var files: [String: String] = [:]
    /// p(t|x) per β ([B][nx][k]); written to encoders.npy, not to the JSON.
    public var encoders: [Double] = []

    enum CodingKeys: String, CodingKey {
        case nx, ny, droppedRows, droppedCols, clusters, mutualInformation, device, tolerance, maxIterations,
             continuationPasses, launches, convergedPoints, seed, points, onset, files
    }

    /// The default grid: 40 points from 1 to 3/ρ² (at least 10).
    public static func defaultBetas(_ p: DiscreteIBProblem) throws -> [Double] {
        let rho = try IBOnset.secondSingularValue(p)
        let hi = max(10, 3 / max(rho * rho, 1e-6))
        return (0..<40).map { 1 + (hi - 1) * Double($0) / 39 }
    }

    public static func run(_ p: DiscreteIBProblem, _ s: DiscreteIBSettings, on backend: any Backend) throws
        -> DiscreteIBReport
    {
        let sol = try DiscreteIB.solve(p, s, on: backend)
        let onset = try IBOnset.estimate(p, points: sol.points, threshold: s.onsetThreshold, seed: s.seed)
        return DiscreteIBReport(
            nx: p.nx, ny: p.ny, droppedRows: p.droppedRows, droppedCols: p.droppedCols, clusters: s.clusters,
            mutualInformation: p.mutualInformation, device: backend.label, tolerance: s.tolerance,
            maxIterations: s.maxIterations, continuationPasses: sol.passesRun, launches: sol.launches,
            convergedPoints: sol.points.filter(\.converged).count, seed: s.seed, points: sol.points, onset: onset,
            encoders: sol.encoders)
    }
}
