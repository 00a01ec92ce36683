/// The shape of C = α op(A) op(B) + β C on row-major storage, possibly a strided batch
/// (as CLBlast's GemmStridedBatched): matrix i of the batch starts at offset + i·stride.
/// op(A) is m×k, op(B) is k×n, C is m×n; A is stored m×k (k×m if transA) with row pitch lda.
public struct GemmParams: Sendable, Equatable, CustomStringConvertible {
    public var transA: Bool
    public var transB: Bool
    public var m: Int
    public var n: Int
    public var k: Int
    public var lda: Int
    public var ldb: Int
    public var ldc: Int
    public var batch: Int
    public var strideA: Int
    public var strideB: Int
    public var strideC: Int
    public var offsetA: Int
    public var offsetB: Int
    public var offsetC: Int

    /// Dense matrices (minimal leading dimensions), packed back to back when batched.
    public init(m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false, batch: Int = 1,
                lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil) {
        self.transA = transA
        self.transB = transB
        self.m = m
        self.n = n
        self.k = k
        self.lda = lda ?? max(transA ? m : k, 1)
        self.ldb = ldb ?? max(transB ? k : n, 1)
        self.ldc = ldc ?? max(n, 1)
        self.batch = batch
        self.strideA = (transA ? k : m) * self.lda
        self.strideB = (transB ? n : k) * self.ldb
        self.strideC = m * self.ldc
        offsetA = 0
        offsetB = 0
        offsetC = 0
    }

    public var description: String {
        "\(m)x\(n)x\(k)\(transA ? " A^T" : "")\(transB ? " B^T" : "")\(batch > 1 ? " batch \(batch)" : "")"
    }

    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) * Double(batch) }

    /// Elements one stored matrix spans: rows·ld, less the unused tail of the last row.
    public static func extent(rows: Int, cols: Int, ld: Int) -> Int { rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols }

    public var extentA: Int { transA ? Self.extent(rows: k, cols: m, ld: lda) : Self.extent(rows: m, cols: k, ld: lda) }
    public var extentB: Int { transB ? Self.extent(rows: n, cols: k, ld: ldb) : Self.extent(rows: k, cols: n, ld: ldb) }
    public var extentC: Int { Self.extent(rows: m, cols: n, ld: ldc) }

    /// Why these params do not fit buffers of these sizes (sizes, leading dimensions, every
    /// matrix of the batch inside its buffer), or nil when they do.
    public func problem(countA: Int, countB: Int, countC: Int) -> String? {
        let head = "gemm \(description): "
        if m < 0 || n < 0 || k < 0 || batch < 0 { return head + "negative size" }
        if lda < max(1, transA ? m : k) { return head + "lda \(lda) < \(transA ? m : k)" }
        if ldb < max(1, transB ? k : n) { return head + "ldb \(ldb) < \(transB ? k : n)" }
        if ldc < max(1, n) { return head + "ldc \(ldc) < \(n)" }
        if [strideA, strideB, strideC, offsetA, offsetB, offsetC].contains(where: { $0 < 0 }) {
            return head + "negative stride or offset"
        }
        if batch == 0 { return nil }
        func need(_ off: Int, _ stride: Int, _ ext: Int) -> Int { ext == 0 ? 0 : off + (batch - 1) * stride + ext }
        for (name, off, stride, ext, have) in [("A", offsetA, strideA, extentA, countA),
                                               ("B", offsetB, strideB, extentB, countB),
                                               ("C", offsetC, strideC, extentC, countC)]
        where need(off, stride, ext) > have {
            return head + "\(name) needs \(need(off, stride, ext)) elements, has \(have)"
        }
        return nil
    }
}

