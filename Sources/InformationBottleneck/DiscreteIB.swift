import Compute
import OpenCLRuntime
import Foundation

/// Settings of a discrete IB sweep.
public struct DiscreteIBSettings: Sendable {
    public var clusters: Int
    /// The β grid (sorted ascending, all > 0).
    public var betas: [Double]
    /// Iterations stop when no p(t|x) changes by more than this.
    public var tolerance: Double = 1e-10
    public var maxIterations: Int = 5000
    /// Continuation passes after the first (random-start) pass; each re-solves every β from a
    /// lower (odd passes) or upper (even passes) neighbour's solution, keeping the lower IB
    /// Lagrangian. Stops early after two passes in a row improve nothing.
    public var continuationPasses: Int = 4
    /// I(T;X) above this (nats) counts as learning, for the onset.
    public var onsetThreshold: Double = 1e-6
    public var seed: UInt64 = 0

    public init(clusters: Int, betas: [Double]) {
        self.clusters = clusters
        self.betas = betas
    }

    public func validate() throws {
        guard clusters >= 2 else { throw ComputeError.invalidArgument("the number of clusters must be at least 2, got \(clusters)") }
        guard !betas.isEmpty, betas.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ComputeError.invalidArgument("every β must be positive and finite")
        }
        guard zip(betas, betas.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ComputeError.invalidArgument("the β grid must be strictly increasing")
        }
        guard tolerance > 0, maxIterations >= 1, continuationPasses >= 0, onsetThreshold > 0 else {
            throw ComputeError.invalidArgument("tolerance and onset threshold must be positive, iterations ≥ 1, passes ≥ 0")
        }
    }
}

/// One point of the discrete IB curve.
public struct DiscreteIBPoint: Sendable, Codable {
    public var beta: Double
    public var iTX: Double
    public var iTY: Double
    /// I(T;X) − β I(T;Y).
    public var lagrangian: Double
    public var iterations: Int
    /// Largest change of p(t|x) in the last iteration.
    public var finalChange: Double
    public var converged: Bool
    /// Where the kept solution started: "random", "from a lower β" or "from a higher β".
    public var start: String
}

/// A discrete IB sweep with continuation, on a backend.
public struct DiscreteIBSolution: Sendable {
    public var points: [DiscreteIBPoint]
    /// p(t|x) per β: [B][nx][k].
    public var encoders: [Double]
    public var passesRun: Int
    public var launches: Int
}

public enum DiscreteIB {
    /// Solves the IB on every β of the grid: one batched launch from random encoders, then
    /// continuation passes (each one launch) from neighbouring β.
    public static func solve<T: Scalar>(_ p: DiscreteIBProblem, _ s: DiscreteIBSettings, on backend: any Backend,
                                        as _: T.Type = Double.self) throws -> DiscreteIBSolution {
        try s.validate()
        let b = s.betas.count, nx = p.nx, k = s.clusters
        // B8: more than |X| + 2 clusters are never needed, and each one costs a column of work.
        guard k <= nx + 2 else {
            throw ComputeError.invalidArgument("\(k) clusters for \(nx) values of x: the IB optimum needs at most |X| + 2 = \(nx + 2) (docs/information-bottleneck.md B8)")
        }
        // q, logits and the kept encoders [B][nx][k], p(y|t) [B][k][ny], in float64 on the host.
        let values = try Checked.sum([try Checked.product([3, b, nx, k], "the IB encoders"),
                                      try Checked.product([b, k, p.ny], "the IB decoders")], "the IB's working set")
        try Checked.hostMemory(try Checked.bytes(values, 8, "the IB's working set"), for: "the IB sweep (\(b) β × \(nx) x × \(k) clusters)")
        let row = nx * k
        // Random initial encoders from Philox (stream 0), the same on every engine.
        let u: [Double] = PhiloxFill.uniform(count: b * row, seed: s.seed, stream: 0)
        var initial = [T](repeating: 0, count: b * row)
        for r in 0..<(b * nx) {
            let w = (0..<k).map { 0.05 + u[r * k + $0] }
            let z = w.reduce(0, +)
            for t in 0..<k { initial[r * k + t] = T(w[t] / z) }
        }
        var run = try DiscreteIBSweep.iterate(p, betas: s.betas, initial: initial, clusters: k,
                                              maxIterations: s.maxIterations, tolerance: s.tolerance, on: backend)
        var best = run.encoders
        var iters = run.iterations, change = run.change
        var start = [String](repeating: "random", count: b)
        var value = (0..<b).map { lagrangian(p, Array(best[($0 * row)..<(($0 + 1) * row)]), k, s.betas[$0]) }
        var passes = 0, launches = 1, idle = 0
        while passes < s.continuationPasses, b > 1, idle < 2 {
            passes += 1
            let fromLower = passes % 2 == 1
            // Each β starts from the solution, among those of the βs on that side that have
            // learned something (I(T;X) > threshold), with the lowest Lagrangian at this β, else
            // from its direct neighbour. The iterations never raise the Lagrangian, so a β ends
            // at least as low as every learned solution on that side; trivial solutions carry
            // nothing to continue from, and skipping them crosses a stretch of them in one pass.
            var next = [T](repeating: 0, count: b * row)
            let infos = (0..<b).map { p.informations(encoder: best[($0 * row)..<(($0 + 1) * row)].map(\.double), clusters: k) }
            for j in 0..<b {
                let side = fromLower ? Array(stride(from: j - 1, through: 0, by: -1)) : Array((j + 1)..<b)
                let learned = side.filter { infos[$0].iTX > s.onsetThreshold }
                let src = learned.min { infos[$0].iTX - s.betas[j] * infos[$0].iTY < infos[$1].iTX - s.betas[j] * infos[$1].iTY }
                    ?? side.first ?? j
                next.replaceSubrange((j * row)..<((j + 1) * row), with: best[(src * row)..<((src + 1) * row)])
            }
            run = try DiscreteIBSweep.iterate(p, betas: s.betas, initial: next, clusters: k,
                                              maxIterations: s.maxIterations, tolerance: s.tolerance, on: backend)
            launches += 1
            var improved = false
            for j in 0..<b {
                let cand = Array(run.encoders[(j * row)..<((j + 1) * row)])
                let f = lagrangian(p, cand, k, s.betas[j])
                if f < value[j] - 1e-9 * (1 + abs(value[j])) {
                    best.replaceSubrange((j * row)..<((j + 1) * row), with: cand)
                    value[j] = f
                    iters[j] = run.iterations[j]
                    change[j] = run.change[j]
                    start[j] = fromLower ? "from a lower β" : "from a higher β"
                    improved = true
                }
            }
            idle = improved ? 0 : idle + 1
        }
        let enc = best.map(\.double)
        let points = (0..<b).map { j -> DiscreteIBPoint in
            let (ix, iy) = p.informations(encoder: Array(enc[(j * row)..<((j + 1) * row)]), clusters: k)
            return DiscreteIBPoint(beta: s.betas[j], iTX: ix, iTY: iy, lagrangian: ix - s.betas[j] * iy,
                                   iterations: iters[j], finalChange: change[j], converged: change[j] < s.tolerance,
                                   start: start[j])
        }
        return DiscreteIBSolution(points: points, encoders: enc, passesRun: passes, launches: launches)
    }

    static func lagrangian<T: Scalar>(_ p: DiscreteIBProblem, _ q: [T], _ k: Int, _ beta: Double) -> Double {
        let (ix, iy) = p.informations(encoder: q.map(\.double), clusters: k)
        return ix - beta * iy
    }
}
