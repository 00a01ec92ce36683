import CBLAS

/// Small host-side BLAS helpers on row-major arrays (OpenBLAS), for code that has already read
/// its matrices back from the device: Gram matrices and matrix-vector products.
public enum Linalg {
    /// scale · XᵀX (cols×cols, both triangles filled) of a row-major rows×cols matrix X (dsyrk).
    public static func gram(_ x: [Double], rows: Int, cols: Int, scale: Double = 1) -> [Double] {
        precondition(x.count == rows * cols, "gram: \(x.count) values for \(rows)×\(cols)")
        BLASSetup.configure()
        var c = [Double](repeating: 0, count: cols * cols)
        if rows == 0 || cols == 0 { return c }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(cols), Int32(rows), scale, x, Int32(cols), 0,
                    &c, Int32(cols))
        for i in 0..<cols {
            for j in 0..<i { c[i * cols + j] = c[j * cols + i] }
        }
        return c
    }

    /// A v for a row-major rows×cols matrix A (dgemv); with `transposed`, Aᵀ v.
    public static func multiply(_ a: [Double], rows: Int, cols: Int, _ v: [Double], transposed: Bool = false) -> [Double] {
        precondition(a.count == rows * cols && v.count == (transposed ? rows : cols), "multiply: shapes disagree")
        BLASSetup.configure()
        var y = [Double](repeating: 0, count: transposed ? cols : rows)
        if rows == 0 || cols == 0 { return y }
        cblas_dgemv(CblasRowMajor, transposed ? CblasTrans : CblasNoTrans, Int32(rows), Int32(cols), 1, a, Int32(cols),
                    v, 1, 0, &y, 1)
        return y
    }
}
