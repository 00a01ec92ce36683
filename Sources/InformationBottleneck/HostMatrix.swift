import Compute
import CBLAS

/// A small dense row-major matrix of doubles on the host, for the closed-form IB algebra
/// (covariances of a few dimensions). Products go through OpenBLAS.
public struct HostMatrix: Sendable, Equatable {
    public var rows: Int
    public var cols: Int
    public var values: [Double]

    public init(rows: Int, cols: Int, values: [Double]) {
        precondition(values.count == rows * cols, "HostMatrix: \(values.count) values for \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    public init(rows: Int, cols: Int, _ f: (Int, Int) -> Double) {
        self.init(rows: rows, cols: cols, values: (0..<rows * cols).map { f($0 / max(cols, 1), $0 % max(cols, 1)) })
    }

    public static func zeros(_ rows: Int, _ cols: Int) -> HostMatrix {
        HostMatrix(rows: rows, cols: cols, values: [Double](repeating: 0, count: rows * cols))
    }

    public static func identity(_ n: Int) -> HostMatrix { HostMatrix(rows: n, cols: n) { $0 == $1 ? 1 : 0 } }

    public subscript(i: Int, j: Int) -> Double {
        get { values[i * cols + j] }
        set { values[i * cols + j] = newValue }
    }

    public var transposed: HostMatrix { HostMatrix(rows: cols, cols: rows) { self[$1, $0] } }

    /// Column j as an array.
    public func column(_ j: Int) -> [Double] { (0..<rows).map { self[$0, j] } }

    /// (A + Aᵀ)/2: removes rounding asymmetry before a symmetric routine.
    public var symmetrized: HostMatrix { HostMatrix(rows: rows, cols: cols) { (self[$0, $1] + self[$1, $0]) / 2 } }

    public var trace: Double { (0..<min(rows, cols)).reduce(0) { $0 + self[$1, $1] } }

    public static func * (a: HostMatrix, b: HostMatrix) -> HostMatrix {
        precondition(a.cols == b.rows, "HostMatrix product: \(a.rows)×\(a.cols) times \(b.rows)×\(b.cols)")
        var c = HostMatrix.zeros(a.rows, b.cols)
        if a.rows == 0 || b.cols == 0 || a.cols == 0 { return c }
        BLASSetup.configure()
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(a.rows), Int32(b.cols), Int32(a.cols), 1,
                    a.values, Int32(a.cols), b.values, Int32(b.cols), 0, &c.values, Int32(b.cols))
        return c
    }

    public static func + (a: HostMatrix, b: HostMatrix) -> HostMatrix {
        precondition(a.rows == b.rows && a.cols == b.cols, "HostMatrix sum: shapes differ")
        return HostMatrix(rows: a.rows, cols: a.cols, values: zip(a.values, b.values).map { $0 + $1 })
    }

    public static func - (a: HostMatrix, b: HostMatrix) -> HostMatrix {
        precondition(a.rows == b.rows && a.cols == b.cols, "HostMatrix difference: shapes differ")
        return HostMatrix(rows: a.rows, cols: a.cols, values: zip(a.values, b.values).map { $0 - $1 })
    }

    public static func * (s: Double, a: HostMatrix) -> HostMatrix {
        HostMatrix(rows: a.rows, cols: a.cols, values: a.values.map { s * $0 })
    }

    /// X with rows a then b stacked as blocks [[a, b], [c, d]].
    public static func blocks(_ a: HostMatrix, _ b: HostMatrix, _ c: HostMatrix, _ d: HostMatrix) -> HostMatrix {
        precondition(a.rows == b.rows && c.rows == d.rows && a.cols == c.cols && b.cols == d.cols, "blocks: shapes")
        return HostMatrix(rows: a.rows + c.rows, cols: a.cols + b.cols) { i, j in
            if i < a.rows { return j < a.cols ? a[i, j] : b[i, j - a.cols] }
            return j < a.cols ? c[i - a.rows, j] : d[i - a.rows, j - a.cols]
        }
    }

    /// The inverse of a symmetric positive-definite matrix (column by column Cholesky solves).
    public func inverseSPD(what: String = "the matrix") throws -> HostMatrix {
        let n = rows
        let l = try HostMatrix(rows: n, cols: n, values: LAPACK.cholesky(values, n: n, what: what))
        let li = l.lowerInverse
        return li.transposed * li
    }

    /// The inverse of a lower-triangular matrix (forward substitution).
    public var lowerInverse: HostMatrix {
        let n = rows
        var inv = HostMatrix.zeros(n, n)
        for j in 0..<n {
            for i in j..<n {
                var s = i == j ? 1.0 : 0.0
                for k in j..<i { s -= self[i, k] * inv[k, j] }
                inv[i, j] = s / self[i, i]
            }
        }
        return inv
    }
}
