import Compute
/// Validation of the discrete IB sweep on a device against its CPU twin: the same random joint
/// distribution and initial encoders, one batched launch over a β grid, in f64 and f32.
package enum IBChecks {
    static var all: [ValidationCheck] { [sweep] }

    /// A random joint table (odd sizes) and a β grid that crosses the onset.
    package static func problem(seed: UInt64, nx: Int = 5, ny: Int = 3) throws -> DiscreteIBProblem {
        let u: [Double] = PhiloxFill.uniform(count: nx * ny, seed: seed, stream: 11)
        let w = u.map { 0.05 + $0 * $0 * 3 }
        let s = w.reduce(0, +)
        return try DiscreteIBProblem(joint: w.map { $0 / s }, rows: nx, cols: ny)
    }

    package static let sweep = ValidationCheck(op: "ib.sweep") { cpu, dev, seed in
        let p = try problem(seed: seed)
        let k = 3
        let betas = (0..<Validation.size(13, small: 3)).map { 1.0 + 2.0 * Double($0) }
        var out: [ValidationResult] = []
        for dtype in [DType.f64, .f32] where dtype == .f32 || dev.supportsFP64 {
            let u: [Double] = PhiloxFill.uniform(count: betas.count * p.nx * k, seed: seed, stream: 12)
            var initial = [Double](repeating: 0, count: u.count)
            for r in 0..<(betas.count * p.nx) {
                let z = (0..<k).reduce(0) { $0 + 0.05 + u[r * k + $1] }
                for t in 0..<k { initial[r * k + t] = (0.05 + u[r * k + t]) / z }
            }
            let tol = dtype == .f64 ? 1e-12 : 1e-6
            let shape = [betas.count, p.nx, k]
            /// The sweep from `start` on the CPU, then on the device.
            func sweeps<T: Scalar>(_ start: [T]) throws -> (DiscreteIBSweep.Result<T>, DiscreteIBSweep.Result<T>) {
                let run = { (b: any Backend) in
                    try DiscreteIBSweep.iterate(p, betas: betas, initial: start, clusters: k, maxIterations: 300,
                                                tolerance: tol, on: b)
                }
                return (try run(cpu), try run(dev))
            }
            if dtype == .f64 {
                let (a, b) = try sweeps(initial)
                out.append(.compare(op: "ib.sweep.encoders", shape: shape, ref: a.encoders, got: b.encoders,
                                    tolerance: 1e-9, seed: seed))
                out.append(iterationCheck(a.iterations, b.iterations, shape: shape, dtype: "f64", slack: 1, seed: seed))
            } else {
                let (a, b) = try sweeps(initial.map { Float($0) })
                out.append(.compare(op: "ib.sweep.encoders", shape: shape, ref: a.encoders, got: b.encoders,
                                    tolerance: 2e-3, seed: seed))
            }
        }
        return out
    }

    /// Iteration counts per β agree within `slack`.
    static func iterationCheck(_ a: [Int], _ b: [Int], shape: [Int], dtype: String, slack: Int, seed: UInt64)
        -> ValidationResult
    {
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        return ValidationResult(op: "ib.sweep.iterations", shape: shape.map(String.init).joined(separator: "x"),
                                dtype: dtype, maxRelError: Double(worst), tolerance: Double(slack), seed: seed)
    }
}
