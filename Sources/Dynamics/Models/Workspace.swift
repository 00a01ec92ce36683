import Compute
/// Scratch tensors a model reuses from step to step, keyed by name and shape, so the hot path
/// allocates nothing after the first step.
final class Workspace<T: Scalar>: @unchecked Sendable {
    let backend: any Backend
    private var tensors: [String: Tensor<T>] = [:]

    init(_ backend: any Backend) { self.backend = backend }

    func get(_ name: String, _ shape: [Int]) throws -> Tensor<T> {
        let key = name + "\(shape)"
        if let t = tensors[key] { return t }
        let t = try backend.zeros(shape, as: T.self)
        tensors[key] = t
        return t
    }
}

/// Y = α X Wᵀ + β Y for a batch of rows X ([B, nIn]) and weights W ([networks, nOut, nIn]):
/// one GEMM when all rows share one network, a strided batch of row-times-matrix products when
/// row b has its own network b.
func rowsTimesWeightsT<T: Scalar>(_ be: any Backend, _ x: Tensor<T>, _ w: Tensor<T>, networks: Int,
                                  nOut: Int, nIn: Int, alpha: T, beta: T, into y: Tensor<T>,
                                  weightOffset: Int = 0, ldw: Int? = nil, strideW: Int? = nil) throws {
    let b = x.count / max(nIn, 1)
    var p: GemmParams
    if networks == 1 {
        p = GemmParams(m: b, n: nOut, k: nIn, transB: true, ldb: ldw ?? nIn)
    } else {
        p = GemmParams(m: 1, n: nOut, k: nIn, transB: true, batch: b, ldb: ldw ?? nIn)
        p.strideB = strideW ?? nOut * nIn
    }
    p.offsetB = weightOffset
    try be.gemm(p, alpha: alpha, x, w, beta: beta, y)
}
