import Compute
import Foundation

/// One batched solve of the discrete IB iterations: every β of the batch from its own initial
/// encoder, in one launch on an OpenCL device (kernels/ib.cl) or in its CPU twin, which follows
/// the kernel's order of operations (accumulations in double, stored values rounded to T).
public enum DiscreteIBSweep {
    public struct Result<T: Scalar>: Sendable {
        /// p(t|x) per β: [B][nx][k].
        public var encoders: [T]
        /// Iterations run per β.
        public var iterations: [Int]
        /// The largest change of p(t|x) in the last iteration, per β.
        public var change: [Double]
    }

    /// Runs the iterations for `betas` (all > 0) from `initial` ([B][nx][k], rows summing to 1).
    public static func iterate<T: Scalar>(_ problem: DiscreteIBProblem, betas: [Double], initial: [T], clusters k: Int,
                                          maxIterations: Int, tolerance: Double, on backend: any Backend) throws
        -> Result<T>
    {
        let b = betas.count, nx = problem.nx
        guard k >= 1, initial.count == b * nx * k else {
            throw ComputeError.shapeMismatch("IB sweep: \(initial.count) initial values for \(b) β × \(nx) x × \(k) clusters")
        }
        guard betas.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ComputeError.invalidArgument("IB sweep: every β must be positive and finite")
        }
        if b == 0 { return Result(encoders: [], iterations: [], change: []) }
        guard let ops = backend as? any DiscreteIBOps else {
            throw ComputeError.invalidArgument("the discrete IB iteration has no implementation on \(backend.label)")
        }
        return try ops.discreteIBIterate(problem, betas: betas, initial: initial, clusters: k, maxIterations: maxIterations,
                                         tolerance: tolerance)
    }

    /// The CPU twin of kernels/ib.cl, β values spread over the cores.
    public static func cpuIterate<T: Scalar>(_ p: DiscreteIBProblem, betas: [Double], initial: [T], clusters k: Int,
                                             maxIterations: Int, tolerance: Double) throws -> Result<T> {
        let b = betas.count, nx = p.nx
        let out = SweepSlots<T>(count: b)
        try LAPACK.parallelFor(b) { i in
            let slice = Array(initial[(i * nx * k)..<((i + 1) * nx * k)])
            out.set(i, solveOne(p, beta: T(betas[i]).double, q: slice, clusters: k, maxIterations: maxIterations,
                                tolerance: T(tolerance).double))
        }
        let all = out.all
        return Result(encoders: all.flatMap(\.q), iterations: all.map(\.iterations), change: all.map(\.change))
    }

    static func solveOne<T: Scalar>(_ p: DiscreteIBProblem, beta: Double, q start: [T], clusters nk: Int,
                                    maxIterations: Int, tolerance: Double) -> (q: [T], iterations: Int, change: Double) {
        let nx = p.nx, ny = p.ny
        let px = p.px.map { T($0).double }, pyx = p.pyGivenX.map { T($0).double }
        var q = start
        var pt = [T](repeating: 0, count: nk), pyt = [T](repeating: 0, count: nk * ny)
        var logits = [T](repeating: 0, count: nk)
        var it = 0
        var last = 0.0
        while it < maxIterations {
            for t in 0..<nk {
                var s = 0.0
                for x in 0..<nx { s += px[x] * q[x * nk + t].double }
                pt[t] = T(s)
            }
            for j in 0..<(nk * ny) {
                let t = j / ny, y = j % ny
                var s = 0.0
                for x in 0..<nx { s += q[x * nk + t].double * px[x] * pyx[x * ny + y] }
                pyt[j] = pt[t] > 0 ? T(s / pt[t].double) : 0
            }
            var worst = 0.0
            for x in 0..<nx {
                var m = -Double.infinity
                for t in 0..<nk {
                    var l = -Double.infinity
                    if pt[t] > 0 {
                        var kl = 0.0
                        for y in 0..<ny {
                            let a = pyx[x * ny + y]
                            if a > 0 {
                                let c = pyt[t * ny + y].double
                                kl = c > 0 ? kl + a * log(a / c) : .infinity
                            }
                        }
                        l = log(pt[t].double) - beta * kl
                    }
                    logits[t] = T(l)
                    m = max(m, logits[t].double)
                }
                if m == -.infinity { continue }
                var z = 0.0
                for t in 0..<nk { z += exp(logits[t].double - m) }
                for t in 0..<nk {
                    let v = T(exp(logits[t].double - m) / z)
                    worst = max(worst, abs(v.double - q[x * nk + t].double))
                    q[x * nk + t] = v
                }
            }
            last = worst
            it += 1
            if last < tolerance { break }
        }
        return (q, it, T(last).double)
    }
}

/// Results written by concurrent workers, one slot each.
final class SweepSlots<T: Scalar>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [(q: [T], iterations: Int, change: Double)?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ v: (q: [T], iterations: Int, change: Double)) { lock.withLock { slots[i] = v } }

    var all: [(q: [T], iterations: Int, change: Double)] {
        lock.withLock { slots.map { $0 ?? ([], 0, .nan) } }
    }
}
