import Compute
/// Checks a model's Jacobian against central finite differences of its step (docs/checks.md C8),
/// and its CPU implementation against another backend.
public enum JacobianCheck {
    /// Max relative error (normwise, Compare with floor 1) between `jacobian(states, member)` and
    /// the central differences (step(x + εe_j) − step(x − εe_j)) / 2ε, one column per state
    /// coordinate. Use float64 on the CPU backend.
    public static func finiteDifferenceError<M: RecurrentModel>(_ model: M, states: Tensor<M.T>, member: Int = 0,
                                                                epsilon: Double = 1e-6) throws -> Double {
        let be = model.backend
        let n = model.stateSize
        let batch = model.batchSize(states)
        let base = try states.toArray()
        let analytic = try model.jacobian(states, member: member).toArray()
        var numeric = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            let (s, idx) = (j / model.units, j % model.units)
            let flat = (s * batch + member) * model.units + idx
            var plus = base, minus = base
            plus[flat] += M.T(epsilon)
            minus[flat] -= M.T(epsilon)
            let tp = try be.tensor(plus, shape: states.shape), tm = try be.tensor(minus, shape: states.shape)
            try model.step(tp)
            try model.step(tm)
            let (fp, fm) = (try tp.toArray(), try tm.toArray())
            for i in 0..<n {
                let fi = ((i / model.units) * batch + member) * model.units + i % model.units
                numeric[i * n + j] = (fp[fi].double - fm[fi].double) / (2 * epsilon)
            }
        }
        return Compare.maxRelativeError(numeric, analytic.map(\.double), floor: 1)
    }

    /// Random states with entries N(0, scale²) from Philox (seed, PhiloxStreams.initialState).
    public static func randomStates<M: RecurrentModel>(_ model: M, batch: Int, seed: UInt64,
                                                       scale: Double = 1) throws -> Tensor<M.T> {
        var v: [M.T] = []
        for b in 0..<batch {
            let z: [Double] = PhiloxFill.normal(count: model.stateSize, seed: seed, stream: PhiloxStreams.initialState(b))
            v += z.map { M.T($0 * scale) }
        }
        // per-member vectors are [segments·N]; lay them out segment-major [segments, B, N]
        var out = [M.T](repeating: 0, count: v.count)
        for b in 0..<batch {
            for s in 0..<model.segments {
                for i in 0..<model.units {
                    out[(s * batch + b) * model.units + i] = v[b * model.stateSize + s * model.units + i]
                }
            }
        }
        return try model.backend.tensor(out, shape: [model.segments, batch, model.units])
    }
}
