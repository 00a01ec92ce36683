import Compute

/// The shapes of one batched tangent product (issue 17 point 2; docs/lyapunov.md L11): B members,
/// each with a block [S, k] of Q ([B, S, k]), S = segments·N. Products with weights are
/// strided-batched GEMMs over the members (strideA = 0 when every member uses one network), and
/// diagonal scalings of segment blocks are one `scaleBlocks` launch, so the launches of a
/// product do not depend on B.
struct TangentBatch<T: Scalar> {
    let backend: any Backend
    let ops: any TangentOps
    let members: Int
    let units: Int
    let stateSize: Int
    let k: Int
    /// The network of every member; nil: member b uses network b.
    let shared: Int?

    /// `member`: nil when `states` is the whole batch, m when it holds member m's state alone
    /// (`tangentProducts`); a model with one network uses network 0 either way.
    init<M: RecurrentModel>(_ model: M, _ states: Tensor<T>, member: Int?, _ q: Tensor<T>) throws where M.T == T {
        backend = model.backend
        ops = try model.backend.tangentOps()
        members = model.batchSize(states)
        units = model.units
        stateSize = model.stateSize
        k = q.count / max(members * stateSize, 1)
        shared = model.networks == 1 ? 0 : member
    }

    /// Segment s (N rows) of every member's block of a [B, S, k] tensor.
    func segment(_ q: Tensor<T>, _ s: Int) -> RowBlocks<T> {
        RowBlocks(q, offset: s * units * k, stride: stateSize * k)
    }

    /// Every member's block of a [B, rows, k] tensor.
    func blocks(_ t: Tensor<T>, rows: Int) -> RowBlocks<T> { RowBlocks(t, stride: rows * k) }

    /// Per-row factors [B, N] (member b's N values at b·N).
    func factors(_ v: Tensor<T>) -> RowBlocks<T> { RowBlocks(v, stride: units) }

    /// y_b = α diag(v_b) x_b + β y_b over N rows (v nil: v = 1) for every member.
    func scale(_ v: Tensor<T>?, _ x: RowBlocks<T>, into y: RowBlocks<T>, alpha: T = 1, beta: T = 0) throws {
        try ops.scaleBlocks(v.map(factors), x, into: y, rows: units, cols: k, batch: members, alpha: alpha, beta: beta)
    }

    /// y_b = α W_b x_b + β y_b for every member: W_b the [rows, N] matrix at `weightOffset` +
    /// (network of b)·`networkStride` of `w`, x_b [N, k], y_b [rows, k].
    func product(_ w: Tensor<T>, weightOffset: Int = 0, networkStride: Int, rows: Int, _ x: RowBlocks<T>,
                 alpha: T = 1, beta: T = 0, into y: RowBlocks<T>) throws {
        var p = GemmParams(m: rows, n: k, k: units, batch: members, lda: units, ldb: k, ldc: k)
        p.strideA = shared == nil ? networkStride : 0
        p.offsetA = weightOffset + (shared ?? 0) * networkStride
        (p.strideB, p.offsetB) = (x.stride, x.offset)
        (p.strideC, p.offsetC) = (y.stride, y.offset)
        try backend.gemm(p, alpha: alpha, w, x.tensor, beta: beta, y.tensor)
    }
}
