import Compute
import Learning
import Foundation
import XCTest

/// The MoCo pieces (docs/ssl.md S2–S9): InfoNCE and L2 normalisation against their formulas and
/// finite differences, both engines against each other, band selection, queue, EMA, views.
final class MoCoTests: XCTestCase {
    /// Normal values [n, d] from Philox stream `stream` of `seed`.
    func randoms(_ n: Int, _ d: Int, seed: UInt64, stream: UInt32) -> [Double] {
        PhiloxFill.normal(count: n * d, seed: seed, stream: stream)
    }

    func unitRows(_ v: [Double], _ d: Int) -> [Double] {
        var out = v
        for r in 0..<(v.count / d) {
            let s = v[(r * d)..<((r + 1) * d)].reduce(0) { $0 + $1 * $1 }.squareRoot()
            for c in 0..<d { out[r * d + c] /= s }
        }
        return out
    }

    /// ℓ of S3 on the host, negatives j of row i kept when keep(i, j).
    func hostInfoNCE(_ q: [Double], _ kp: [Double], _ queue: [Double], n: Int, d: Int, k: Int, tau: Double,
                     keep: (Int, Int) -> Bool = { _, _ in true }) -> Double {
        var total = 0.0
        for i in 0..<n {
            func dot(_ a: [Double], _ ar: Int, _ b: [Double], _ br: Int) -> Double {
                (0..<d).reduce(0) { $0 + a[ar * d + $1] * b[br * d + $1] }
            }
            let pos = dot(q, i, kp, i) / tau
            var zs = [pos]
            for j in 0..<k where keep(i, j) { zs.append(dot(q, i, queue, j) / tau) }
            let m = zs.max()!
            total += -pos + m + Foundation.log(zs.reduce(0) { $0 + Foundation.exp($1 - m) })
        }
        return total / Double(n)
    }

    func testInfoNCEMatchesFormulaAndFiniteDifferences() throws {
        let seed = freshSeed()
        let be = CPUBackend()
        let (n, d, k, tau) = (5, 7, 11, 0.3)
        let q = unitRows(randoms(n, d, seed: seed, stream: 1), d), kp = unitRows(randoms(n, d, seed: seed, stream: 2), d)
        let qu = unitRows(randoms(k, d, seed: seed, stream: 3), d)
        let loss = try InfoNCE<Double>(temperature: tau, on: be)
        let qt = try be.tensor(q, shape: [n, d]), kt = try be.tensor(kp, shape: [n, d]), queue = try be.tensor(qu, shape: [k, d])
        let r = try loss(qt, positives: kt, queue: queue)
        XCTAssertEqual(r.meanLoss, hostInfoNCE(q, kp, qu, n: n, d: d, k: k, tau: tau), accuracy: 1e-12)
        let g = try r.gradient!.toArray()
        let h = 1e-6
        for idx in [0, 3, 9, 17, n * d - 1] {
            var plus = q, minus = q
            plus[idx] += h
            minus[idx] -= h
            let fd = (hostInfoNCE(plus, kp, qu, n: n, d: d, k: k, tau: tau) - hostInfoNCE(minus, kp, qu, n: n, d: d, k: k, tau: tau)) / (2 * h)
            XCTAssertEqual(g[idx], fd, accuracy: 1e-7, "∂ℓ/∂q[\(idx)]")
        }
    }

    /// BG_Swaps' extra negative (S12): one more logit per query, excluded where a row has none;
    /// loss against the host formula with that negative appended to the queue of its row, gradient by
    /// central differences, with and without a band, on both engines.
    func testExtraNegativePerQuery() throws {
        let seed = freshSeed()
        let (n, d, k, tau) = (4, 6, 20, 0.25)
        let q = unitRows(randoms(n, d, seed: seed, stream: 1), d), kp = unitRows(randoms(n, d, seed: seed, stream: 2), d)
        let qu = unitRows(randoms(k, d, seed: seed, stream: 3), d), ex = unitRows(randoms(n, d, seed: seed, stream: 4), d)
        let kept = [true, false, true, true]
        // Row i's negatives: the queue, then (when kept) its extra one.
        func host(_ q: [Double], keep: (Int, Int) -> Bool = { _, _ in true }) -> Double {
            var total = 0.0
            for i in 0..<n {
                let qi = Array(q[(i * d)..<((i + 1) * d)]), pi = Array(kp[(i * d)..<((i + 1) * d)])
                var negatives: [Double] = []
                for j in 0..<k where keep(i, j) { negatives += qu[(j * d)..<((j + 1) * d)] }
                if kept[i] { negatives += ex[(i * d)..<((i + 1) * d)] }
                total += hostInfoNCE(qi, pi, negatives, n: 1, d: d, k: negatives.count / d, tau: tau)
            }
            return total / Double(n)
        }
        var results: [[Double]] = []
        for be in [CPUBackend() as any Backend] + ((try? openCLBackend()).map { [$0] } ?? []) {
            let qt = try be.tensor(q, shape: [n, d]), kt = try be.tensor(kp, shape: [n, d])
            let queue = try be.tensor(qu, shape: [k, d]), extra = try be.tensor(ex, shape: [n, d])
            let r = try InfoNCE<Double>(temperature: tau, on: be)(qt, positives: kt, queue: queue, extra: extra, extraKept: kept)
            XCTAssertEqual(r.meanLoss, host(q), accuracy: 1e-12, be.label)
            let g = try r.gradient!.toArray()
            for idx in [0, 5, 7, 13, n * d - 1] {
                var plus = q, minus = q
                plus[idx] += 1e-6
                minus[idx] -= 1e-6
                XCTAssertEqual(g[idx], (host(plus) - host(minus)) / 2e-6, accuracy: 1e-7, "∂ℓ/∂q[\(idx)] on \(be.label)")
            }
            // With a band the extra negative stays outside the ranking: the band keeps its ranks of the queue.
            let band = NegativeSelection.band(lo: 50, hi: 100)
            let labels: [Int32] = [0, 1, 2, 0], queueLabels = (0..<k).map { Int32($0 % 3) }
            let banded = try InfoNCE<Double>(temperature: tau, selection: band, on: be)(
                qt, positives: kt, queue: queue, labels: labels, queueLabels: queueLabels, extra: extra, extraKept: kept)
            let ranks = band.ranks(queue: k)
            let want = host(q) { i, j in
                let sims = (0..<k).map { jj in (0..<d).reduce(0) { $0 + q[i * d + $1] * qu[jj * d + $1] } }
                let order = (0..<k).sorted { sims[$0] != sims[$1] ? sims[$0] < sims[$1] : $0 < $1 }
                return ranks.contains(order.firstIndex(of: j)!)
            }
            XCTAssertEqual(banded.meanLoss, want, accuracy: 1e-12, be.label)
            results.append(g)
        }
        if results.count == 2 { for (a, b) in zip(results[0], results[1]) { XCTAssertEqual(a, b, accuracy: 1e-12) } }
    }

    func testBandMaskEqualsDroppingNegatives() throws {
        let seed = freshSeed()
        let be = CPUBackend()
        let (n, d, k, tau) = (4, 6, 40, 0.2)
        let q = unitRows(randoms(n, d, seed: seed, stream: 1), d), kp = unitRows(randoms(n, d, seed: seed, stream: 2), d)
        let qu = unitRows(randoms(k, d, seed: seed, stream: 3), d)
        let band = NegativeSelection.band(lo: 90, hi: 97.5)
        XCTAssertEqual(band.ranks(queue: k), 36..<39)
        let loss = try InfoNCE<Double>(temperature: tau, selection: band, on: be)
        let labels: [Int32] = [0, 1, 2, 0], queueLabels = (0..<k).map { Int32($0 % 3) - ($0 < 10 ? 4 : 0) }.map { max($0, -1) }
        let r = try loss(try be.tensor(q, shape: [n, d]), positives: try be.tensor(kp, shape: [n, d]),
                         queue: try be.tensor(qu, shape: [k, d]), labels: labels, queueLabels: queueLabels)
        // Host: rank each row's similarities, keep ranks 36, 37, 38.
        var kept = Set<[Int]>()
        for i in 0..<n {
            let s = (0..<k).map { j in (0..<d).reduce(0.0) { $0 + q[i * d + $1] * qu[j * d + $1] } }
            let order = (0..<k).sorted { s[$0] != s[$1] ? s[$0] < s[$1] : $0 < $1 }
            for r in 36..<39 { kept.insert([i, order[r]]) }
        }
        let expected = hostInfoNCE(q, kp, qu, n: n, d: d, k: k, tau: tau) { kept.contains([$0, $1]) }
        XCTAssertEqual(r.meanLoss, expected, accuracy: 1e-12)
        XCTAssertEqual(loss.band.negatives, 3 * n)
        XCTAssertEqual(loss.whole.negatives, k * n)
        XCTAssertGreaterThan(loss.band.meanSimilarity, loss.whole.meanSimilarity)
        // Queue labels: rows 0..<10 unlabelled, then j % 3.
        var above = 0, labelled = 0
        for i in 0..<n {
            let inBand = kept.filter { $0[0] == i }.map { $0[1] }.filter { queueLabels[$0] >= 0 }
            if inBand.isEmpty { continue }
            labelled += 1
            let all = (0..<k).filter { queueLabels[$0] >= 0 }
            let f = Double(inBand.filter { queueLabels[$0] == labels[i] }.count) / Double(inBand.count)
            if f > Double(all.filter { queueLabels[$0] == labels[i] }.count) / Double(all.count) { above += 1 }
        }
        XCTAssertEqual(loss.band.labelledQueries, labelled)
        XCTAssertEqual(loss.band.aboveChance, above)
    }

    func testL2NormalizeForwardAndGradient() throws {
        let seed = freshSeed()
        let be = CPUBackend()
        let (n, d) = (3, 5)
        let x = randoms(n, d, seed: seed, stream: 4), w = randoms(n, d, seed: seed, stream: 5)
        let layer = L2Normalize<Double>("norm", on: be)
        let y = try layer.forward(try be.tensor(x, shape: [n, d]), train: true).toArray()
        for (a, b) in zip(y, unitRows(x, d)) { XCTAssertEqual(a, b, accuracy: 1e-14) }
        let dx = try layer.backward(try be.tensor(w, shape: [n, d]))!.toArray()
        func f(_ v: [Double]) -> Double { zip(unitRows(v, d), w).reduce(0) { $0 + $1.0 * $1.1 } }
        for idx in 0..<(n * d) {
            var p = x, m = x
            p[idx] += 1e-6
            m[idx] -= 1e-6
            XCTAssertEqual(dx[idx], (f(p) - f(m)) / 2e-6, accuracy: 1e-8)
        }
    }

    func testEnginesAgreeOnInfoNCEAndNormalization() throws {
        let seed = freshSeed()
        let cl = try openCLBackend(), cpu = CPUBackend()
        let (n, d, k) = (8, 16, 64)
        let z = randoms(n, d, seed: seed, stream: 1).map { Float($0) }, kp = randoms(n, d, seed: seed, stream: 2).map { Float($0) }
        let qu = unitRows(randoms(k, d, seed: seed, stream: 3), d).map { Float($0) }
        let labels = (0..<n).map { Int32($0 % 4) }, queueLabels = (0..<k).map { Int32($0 % 5) - 1 }
        var out: [(Double, [Float], [Float], BandStatistics)] = []
        for be in [cpu, cl] as [any Backend] {
            let norm = L2Normalize<Float>("n", on: be), knorm = L2Normalize<Float>("k", on: be)
            let q = try norm.forward(try be.tensor(z, shape: [n, d]), train: true)
            let kt = try knorm.forward(try be.tensor(kp, shape: [n, d]), train: true)
            let loss = try InfoNCE<Float>(temperature: 0.2, selection: .band(lo: 50, hi: 100), on: be)
            let r = try loss(q, positives: kt, queue: try be.tensor(qu, shape: [k, d]), labels: labels, queueLabels: queueLabels)
            let dz = try norm.backward(r.gradient!)!
            out.append((r.meanLoss, try r.gradient!.toArray(), try dz.toArray(), loss.band))
        }
        XCTAssertEqual(out[0].0, out[1].0, accuracy: 1e-5)
        for (a, b) in zip(out[0].1, out[1].1) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        for (a, b) in zip(out[0].2, out[1].2) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        XCTAssertEqual(out[0].3.negatives, out[1].3.negatives)
        XCTAssertEqual(out[0].3.meanSimilarity, out[1].3.meanSimilarity, accuracy: 1e-5)
    }

    func testNegativeSelectionParsingAndErrors() throws {
        XCTAssertEqual(try NegativeSelection(parsing: "all"), .all)
        XCTAssertEqual(try NegativeSelection(parsing: "band:95:99.9"), .band(lo: 95, hi: 99.9))
        XCTAssertEqual(NegativeSelection.band(lo: 95, hi: 99.9).ranks(queue: 4096), 3891..<4092)
        XCTAssertEqual(NegativeSelection.band(lo: 0, hi: 95).ranks(queue: 4096), 0..<3892)
        for (bad, text) in [("band:95:95", "LO < HI"), ("band:96:95", "LO < HI"), ("band:-1:50", "[0, 100]"),
                            ("band:50:101", "[0, 100]"), ("band:1", "band:LO:HI"), ("hard", "band:LO:HI")] {
            XCTAssertThrowsError(try NegativeSelection(parsing: bad)) { e in
                XCTAssertTrue("\(e)".contains(text), "\(bad): \(e)")
            }
        }
        XCTAssertNil(NegativeSelection.band(lo: 99.99, hi: 100).problem(queue: 10))  // ⌈9.999⌉ = 10 keeps rank 9
        XCTAssertNotNil(NegativeSelection.band(lo: 0, hi: 0.001).problem(queue: 0))
        XCTAssertThrowsError(try InfoNCE<Float>(temperature: 0, on: CPUBackend()))
        XCTAssertThrowsError(try InfoNCE<Float>(temperature: -1, on: CPUBackend()))
    }

    func testQueueIsAFIFOThatWraps() throws {
        let be = CPUBackend()
        let queue = try NegativeQueue<Double>(size: 5, dimension: 2, seed: freshSeed(), on: be)
        let start = try queue.keys.toArray()
        for r in 0..<5 { XCTAssertEqual(start[2 * r] * start[2 * r] + start[2 * r + 1] * start[2 * r + 1], 1, accuracy: 1e-14) }
        XCTAssertEqual(queue.labels, [-1, -1, -1, -1, -1])
        try queue.enqueue(try be.tensor([1, 1, 2, 2, 3, 3], shape: [3, 2]), labels: [7, 8, 9])
        try queue.enqueue(try be.tensor([4, 4, 5, 5, 6, 6], shape: [3, 2]), labels: [1, 2, 3])
        XCTAssertEqual(try queue.keys.toArray(), [6, 6, 2, 2, 3, 3, 4, 4, 5, 5])
        XCTAssertEqual(queue.labels, [3, 8, 9, 1, 2])
        XCTAssertEqual(queue.pointer, 1)
    }

    func testMomentumUpdate() throws {
        let be = CPUBackend()
        let model = ModelChoice.described(ModelDescription(name: "tiny", layers: [LayerSpec(.flatten), LayerSpec(.linear, out: 3),
                                                                                  LayerSpec(.relu), LayerSpec(.linear)]))
        let q = try MoCoEncoder<Double>(model: model, shape: [1, 2, 2], classes: 2, projectionDim: 2, on: be)
        let k = try MoCoEncoder<Double>(model: model, shape: [1, 2, 2], classes: 2, projectionDim: 2, on: be)
        XCTAssertEqual(q.features, 3)
        try InitScheme.kaiming.initialize(q.parameters, seed: 3)
        try InitScheme.kaiming.initialize(k.parameters, seed: 4)
        let before = try k.parameters.map { try $0.value.toArray() }, qv = try q.parameters.map { try $0.value.toArray() }
        try k.momentumUpdate(from: q, momentum: 0.9)
        for (i, p) in k.parameters.enumerated() {
            for (j, v) in try p.value.toArray().enumerated() { XCTAssertEqual(v, 0.9 * before[i][j] + 0.1 * qv[i][j], accuracy: 1e-15) }
        }
        try k.copy(from: q)
        XCTAssertEqual(try k.parameters.map { try $0.value.toArray() }, qv)
    }

    func testViewsAreDrawnPerSampleViewAndEpoch() throws {
        let seed = freshSeed()
        let image = (0..<64).map { Float($0 % 9) - 4 }
        func view(_ i: Int, _ v: Int, _ e: Int) -> [Float] {
            var s = image
            ViewAugmentation.mocoV2.apply(&s, shape: [1, 8, 8], seed: seed, epoch: e, index: i, count: 10, view: v)
            return s
        }
        XCTAssertEqual(view(3, 0, 1), view(3, 0, 1))
        XCTAssertNotEqual(view(3, 0, 1), view(3, 1, 1))
        XCTAssertNotEqual(view(3, 0, 1), view(3, 0, 2))
        XCTAssertNotEqual(view(3, 0, 1), view(4, 0, 1))
        // A full-image crop is the identity; jitter keeps the mean shift b and scales deviations.
        var s = image
        ViewOps.resizedCrop(&s, c: 1, h: 8, w: 8, x0: 0, y0: 0, cropW: 8, cropH: 8)
        XCTAssertEqual(s, image)
        var j = [Float](arrayLiteral: 1, 3)
        ViewOps.jitter(&j, c: 1, plane: 2, contrast: 0.5, brightness: 1)
        XCTAssertEqual(j, [2.5, 3.5])
        XCTAssertNotNil(ViewStep.crop(minScale: 0, maxScale: 1).problem())
        XCTAssertNotNil(ViewStep.jitter(brightness: 0.1, contrast: 1, probability: 0.5).problem())
    }
}
