/// Validation of binary maps, row/column scaling and fill, on views.
package enum PrimitiveChecks {
    static var all: [ValidationCheck] { [check(Float.self), check(Double.self)] }

    package static func check<T: Scalar>(_: T.Type) -> ValidationCheck {
        ValidationCheck(op: "binary/scale/fill") { cpu, dev, seed in
            if T.dtype == .f64 && !dev.supportsFP64 { return [] }
            let (rows, cols) = (37, 23)
            let x: [T] = ElementwiseChecks.inputs(rows * cols, seed: seed, stream: 30, positive: true)
            let y: [T] = ElementwiseChecks.inputs(rows * cols, seed: seed, stream: 31, positive: true)
            let v: [T] = ElementwiseChecks.inputs(rows, seed: seed, stream: 32)
            var out: [ValidationResult] = []
            for op in BinaryOp.allCases {
                let r = try [cpu, dev].map { be -> [T] in
                    let z = try be.zeros([rows, cols], as: T.self)
                    try be.binary(op, be.tensor(x, shape: [rows, cols]), be.tensor(y, shape: [rows, cols]), into: z)
                    return try z.toArray()
                }
                out.append(.compare(op: "binary.\(op)", shape: [rows, cols], ref: r[0], got: r[1],
                                    tolerance: 4 * T.eps, seed: seed))
            }
            for byRows in [true, false] {
                let r = try [cpu, dev].map { be -> [T] in
                    let t = try be.tensor(x, shape: [rows, cols])
                    let vec = try be.tensor(Array(v.prefix(byRows ? rows - 2 : cols)))
                    // in place on a view of rows 2..<rows
                    try be.scale(rows: byRows, vec, t.rows(2..<rows), cols: cols, into: t.rows(2..<rows))
                    try be.scale(rows: byRows, vec, t.rows(2..<rows), cols: cols, beta: T(0.5), into: t.rows(2..<rows))
                    try be.fill(t.rows(0..<1), with: T(0.25))
                    return try t.toArray()
                }
                out.append(.compare(op: byRows ? "scale.rows+fill" : "scale.cols+fill", shape: [rows, cols],
                                    ref: r[0], got: r[1], tolerance: 2 * T.eps, seed: seed))
            }
            return out
        }
    }
}
