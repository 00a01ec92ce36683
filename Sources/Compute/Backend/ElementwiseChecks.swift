/// Validation of the elementwise maps and reductions on both backends.
package enum ElementwiseChecks {
    static var sizes: [Int] { Validation.shapes([1, 13, 1000, 65_537], small: [1, 13, 300]) }

    package static var all: [ValidationCheck] {
        [unary(Float.self, tolerance: 2e-6), unary(Double.self, tolerance: 1e-13),
         axpby(Float.self, tolerance: 1e-6), axpby(Double.self, tolerance: 1e-14),
         reductions(Float.self, tolerance: 1e-5), reductions(Double.self, tolerance: 1e-12),
         views(Float.self, tolerance: 1e-6), views(Double.self, tolerance: 1e-14)]
    }

    /// Ops on row views (offsets into shared storage) write only their rows.
    static func views<T: Scalar>(_: T.Type, tolerance: Double) -> ValidationCheck {
        ValidationCheck(op: "views") { cpu, dev, seed in
            if T.dtype == .f64 && !dev.supportsFP64 { return [] }
            let shape = [9, 31]
            let x: [T] = inputs(9 * 31, seed: seed, stream: 15)
            let results = try [cpu, dev].map { (be: any Backend) -> [T] in
                let t = try be.tensor(x, shape: shape)
                try be.apply(.tanh, t.rows(1..<3), into: t.rows(5..<7))
                try be.axpby(T(2), t.rows(0..<2), T(0.5), t.rows(7..<9))
                let s = try be.dot(t.rows(3..<4), t.rows(4..<5))
                return try t.toArray() + [T(s)]
            }
            return [.compare(op: "views", shape: shape, ref: results[0], got: results[1], tolerance: tolerance,
                             seed: seed, floor: 1)]
        }
    }

    /// Inputs in [-4, 4) (positive for log), shared by both backends.
    static func inputs<T: Scalar>(_ n: Int, seed: UInt64, stream: UInt32, positive: Bool = false) -> [T] {
        let u: [Double] = PhiloxFill.uniform(count: n, seed: seed, stream: stream)
        return u.map { T(positive ? 4 * $0 : 8 * $0 - 4) }
    }

    static func unary<T: Scalar>(_: T.Type, tolerance: Double) -> ValidationCheck {
        ValidationCheck(op: "unary") { cpu, dev, seed in
            if T.dtype == .f64 && !dev.supportsFP64 { return [] }
            var out: [ValidationResult] = []
            for op in UnaryOp.allCases {
                let n = 1000
                let x: [T] = inputs(n, seed: seed, stream: 10, positive: op == .log || op == .sqrt)
                let a = try cpu.map(op, cpu.tensor(x)).toArray()
                let b = try dev.map(op, dev.tensor(x)).toArray()
                out.append(.compare(op: "unary.\(op)", shape: [n], ref: a, got: b, tolerance: tolerance, seed: seed))
            }
            return out
        }
    }

    static func axpby<T: Scalar>(_: T.Type, tolerance: Double) -> ValidationCheck {
        ValidationCheck(op: "axpby") { cpu, dev, seed in
            if T.dtype == .f64 && !dev.supportsFP64 { return [] }
            return try sizes.map { n in
                let x: [T] = inputs(n, seed: seed, stream: 11), y: [T] = inputs(n, seed: seed, stream: 12)
                let results = try [cpu, dev].map { (be: any Backend) -> [T] in
                    let ty = try be.tensor(y)
                    try be.axpby(T(0.75), be.tensor(x), T(-1.25), ty)
                    return try ty.toArray()
                }
                // Normwise (floor 1): a fused multiply-add on one side changes cancelled elements.
                return .compare(op: "axpby", shape: [n], ref: results[0], got: results[1], tolerance: tolerance,
                                seed: seed, floor: 1)
            }
        }
    }

    static func reductions<T: Scalar>(_: T.Type, tolerance: Double) -> ValidationCheck {
        ValidationCheck(op: "sum/dot") { cpu, dev, seed in
            if T.dtype == .f64 && !dev.supportsFP64 { return [] }
            var out: [ValidationResult] = []
            for n in sizes {
                let x: [T] = inputs(n, seed: seed, stream: 13, positive: true)
                let y: [T] = inputs(n, seed: seed, stream: 14, positive: true)
                let s = try [cpu, dev].map { try $0.sum($0.tensor(x)) }
                let d = try [cpu, dev].map { try $0.dot($0.tensor(x), $0.tensor(y)) }
                out.append(.compare(op: "sum", shape: [n], ref: [s[0]], got: [s[1]], tolerance: tolerance, seed: seed,
                                       dtype: T.dtype))
                out.append(.compare(op: "dot", shape: [n], ref: [d[0]], got: [d[1]], tolerance: tolerance, seed: seed,
                                       dtype: T.dtype))
            }
            return out
        }
    }
}
