import Compute

/// InfoNCE with temperature τ of queries q [N, d] against their positive keys [N, d] and a queue
/// of negatives [K, d] (docs/ssl.md S3, S4), written with the existing ops so both engines run
/// the same computation: the logits [N, 1 + K] are two GEMMs, the loss and ∂ℓ/∂logits the
/// softmax cross-entropy op with label 0, and ∂ℓ/∂q two GEMMs and a row scaling.
public final class InfoNCE<T: Scalar> {
    public let temperature: Double
    public let selection: NegativeSelection
    let backend: any Backend
    private var logits = Reusable<T>(), masked = Reusable<T>(), mask = Reusable<T>(), labels = Reusable<T>()
    private var loss = Reusable<T>(), correct = Reusable<T>(), grad = Reusable<T>(), dq = Reusable<T>()
    private var product = Reusable<T>(), positiveGrad = Reusable<T>(), extraProduct = Reusable<T>(), extraGrad = Reusable<T>()
    private var onesD = Reusable<T>(), one = Reusable<T>()
    /// The band statistics so far (S8): the kept negatives, and the whole queue.
    public var band = BandStatistics(), whole = BandStatistics()

    public struct Result {
        public var meanLoss: Double
        /// Queries whose positive has the largest logit.
        public var correct: Int
        /// ∂(mean loss)/∂q, valid until the next call.
        public var gradient: Tensor<T>?
    }

    public init(temperature: Double, selection: NegativeSelection = .all, on backend: any Backend) throws {
        guard temperature > 0, temperature.isFinite else {
            throw ComputeError.invalidArgument("the temperature must be positive, got \(temperature)")
        }
        if let p = selection.problem() { throw ComputeError.invalidArgument(p) }
        self.temperature = temperature
        self.selection = selection
        self.backend = backend
    }

    /// The value added to the logits of excluded negatives: their softmax weight is exactly 0.
    var excluded: Double { -(1e4 + 2 / temperature) }

    /// The loss of `q` against `positives` and `queue`; `labels` and `queueLabels` (−1 = none)
    /// feed the band statistics (needed when `selection` is a band, or `statistics`). `extra`
    /// ([N, d]): one more negative per query, outside the queue and its bands (BG_Swaps'
    /// negative, docs/ssl.md S12); its logit is the last column, excluded (softmax weight 0) in
    /// the rows where `extraKept` is false.
    public func callAsFunction(_ q: Tensor<T>, positives: Tensor<T>, queue: Tensor<T>, labels: [Int32] = [],
                               queueLabels: [Int32] = [], gradient wantGradient: Bool = true,
                               statistics: Bool = false, extra: Tensor<T>? = nil, extraKept: [Bool]? = nil) throws -> Result {
        guard q.rank == 2, positives.shape == q.shape, queue.rank == 2, queue.shape[1] == q.shape[1], q.shape[0] > 0,
              queue.shape[0] > 0, extra.map({ $0.shape == q.shape }) ?? true else {
            throw ComputeError.shapeMismatch("InfoNCE: queries \(q.shape), positives \(positives.shape), queue \(queue.shape)"
                + (extra.map { ", extra negatives \($0.shape)" } ?? ""))
        }
        let (n, d, k) = (q.shape[0], q.shape[1], queue.shape[0])
        let ranked = selection != .all || statistics
        if ranked, labels.count != n || queueLabels.count != k {
            throw ComputeError.invalidArgument("InfoNCE: band statistics need \(n) labels and \(k) queue labels")
        }
        if let p = selection.problem(queue: k) { throw ComputeError.invalidArgument(p) }
        let inv = T(1 / temperature)
        let w = 1 + k + (extra == nil ? 0 : 1)
        let z = try logits.get([n, w], on: backend)
        let prod = try product.get([n, d], on: backend), ones = try onesD.get([d, 1], on: backend)
        try backend.fill(ones, with: 1)
        try backend.binary(.mul, q, positives, into: prod)
        try backend.gemm(GemmParams(m: n, n: 1, k: d, ldc: w), alpha: inv, prod, ones, beta: 0, z)
        var negatives = GemmParams(m: n, n: k, k: d, transB: true, ldc: w)
        negatives.offsetC = 1
        try backend.gemm(negatives, alpha: inv, q, queue, beta: 0, z)
        if let extra {
            let p2 = try extraProduct.get([n, d], on: backend)
            try backend.binary(.mul, q, extra, into: p2)
            var last = GemmParams(m: n, n: 1, k: d, ldc: w)
            last.offsetC = 1 + k
            try backend.gemm(last, alpha: inv, p2, ones, beta: 0, z)
        }
        // The additive mask: excluded negatives of the band (S7) and the rows without an extra negative.
        var maskValues: [Double]?
        if ranked {
            // The band statistics and mask see the positive and the queue (columns 0...K).
            let all = try z.toArray().map { $0.double * temperature }
            var similarities = all
            if w != 1 + k {
                similarities = []
                for i in 0..<n { similarities += all[(i * w)..<(i * w + 1 + k)] }
            }
            var m = BandSelector.select(similarities, n: n, k: k, selection: selection, queueLabels: queueLabels, labels: labels,
                                        excluded: excluded, band: &band, whole: &whole)
            if w != 1 + k {
                var wide: [Double] = []
                for i in 0..<n { wide += m[(i * (1 + k))..<((i + 1) * (1 + k))]; wide.append(0) }
                m = wide
            }
            if selection != .all { maskValues = m }
        }
        if extra != nil, let kept = extraKept, kept.contains(false) {
            var m = maskValues ?? [Double](repeating: 0, count: n * w)
            for i in 0..<n where !kept[i] { m[i * w + w - 1] = excluded }
            maskValues = m
        }
        var input = z
        if let m = maskValues {
            let mt = try mask.get(z.shape, on: backend)
            try backend.write(m.map { T($0) }, into: mt)
            input = try masked.get(z.shape, on: backend)
            try backend.binary(.add, z, mt, into: input)
        }
        let y = try self.labels.get([n], on: backend)
        try backend.fill(y, with: 0)
        let l = try loss.get([n], on: backend), c = try correct.get([n], on: backend)
        let g = wantGradient ? try grad.get(z.shape, on: backend) : nil
        try backend.softmaxCrossEntropy(input, labels: y, loss: l, correct: c, gradient: g, gradScale: T(1 / Double(n)))
        var result = Result(meanLoss: try backend.sum(l) / Double(n), correct: Int(try backend.sum(c).rounded()), gradient: nil)
        if let g { result.gradient = try queryGradient(g, positives: positives, queue: queue, extra: extra) }
        return result
    }

    /// ∂ℓ/∂q = (1/τ) [G₀ ⊙ k⁺ + G_{1..K} queue (+ G_{K+1} ⊙ e)] from G = ∂ℓ/∂logits (S4, S12).
    func queryGradient(_ g: Tensor<T>, positives: Tensor<T>, queue: Tensor<T>, extra: Tensor<T>?) throws -> Tensor<T> {
        let (n, d, k) = (positives.shape[0], positives.shape[1], queue.shape[0])
        let w = 1 + k + (extra == nil ? 0 : 1)
        let inv = T(1 / temperature)
        let out = try dq.get([n, d], on: backend)
        var neg = GemmParams(m: n, n: d, k: k, lda: w)
        neg.offsetA = 1
        try backend.gemm(neg, alpha: inv, g, queue, beta: 0, out)
        let unit = try one.get([1, 1], on: backend)
        try backend.fill(unit, with: 1)
        // Row scalings by one column of G: the positive's (column 0) and the extra negative's (K + 1).
        func addColumn(_ column: Int, times rows: Tensor<T>, _ scratch: inout Reusable<T>) throws {
            let v = try scratch.get([n, 1], on: backend)
            var p = GemmParams(m: n, n: 1, k: 1, lda: w)
            p.offsetA = column
            try backend.gemm(p, alpha: inv, g, unit, beta: 0, v)
            try backend.scale(rows: true, v, rows, cols: d, beta: 1, into: out)
        }
        try addColumn(0, times: positives, &positiveGrad)
        if let extra { try addColumn(1 + k, times: extra, &extraGrad) }
        return out
    }
}
