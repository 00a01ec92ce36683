import Compute
import Foundation

/// Probes of a frozen encoder (docs/ssl.md S10, S11): a linear classifier trained on its
/// features of the labelled training set, and k-NN by cosine similarity; both scored on the
/// test set.
public enum SSLProbes {
    /// The linear probe's settings (S10).
    public static let probeEpochs = 10, probeBatch = 256, probeRate = 1e-2

    /// Features [n, F] of `set` from `backbone` in evaluation mode, on the host.
    public static func features<T: Scalar>(_ backbone: Sequential<T>, _ set: Dataset, batch: Int, on backend: any Backend) throws
        -> (values: [Double], width: Int) {
        var out: [Double] = []
        var width = 0
        let all = Array(0..<set.count)
        for start in stride(from: 0, to: set.count, by: batch) {
            let rows = set.rows(all[start..<min(start + batch, set.count)])
            let x = try backend.tensor(rows.map { T(Double($0)) }, shape: [rows.count / set.sampleSize] + set.sampleShape)
            let f = try backbone.forward(x, train: false)
            width = f.count / x.shape[0]
            out += try f.toArray().map(\.double)
        }
        return (out, width)
    }

    /// Test accuracy of softmax regression on the features, standardised per dimension by the
    /// training features' mean and standard deviation, weights starting at zero, Adam (S10).
    public static func linearProbe<T: Scalar>(_ t: T.Type, train: [Double], trainLabels: [Int32], test: [Double],
                                             testLabels: [Int32], width f: Int, classes: Int, seed: UInt64,
                                             on backend: any Backend) throws -> Double {
        try linearProbe(t, train: train, trainLabels: trainLabels, tests: [(test, testLabels)], width: f, classes: classes,
                        seed: seed, on: backend)[0]
    }

    /// The same classifier scored on several test sets (the Backgrounds-Challenge sets).
    public static func linearProbe<T: Scalar>(_: T.Type, train: [Double], trainLabels: [Int32],
                                             tests: [(features: [Double], labels: [Int32])], width f: Int, classes: Int,
                                             seed: UInt64, on backend: any Backend) throws -> [Double] {
        let n = trainLabels.count
        var mean = [Double](repeating: 0, count: f), sd = [Double](repeating: 0, count: f)
        for i in 0..<n { for j in 0..<f { mean[j] += train[i * f + j] / Double(n) } }
        for i in 0..<n { for j in 0..<f { sd[j] += (train[i * f + j] - mean[j]) * (train[i * f + j] - mean[j]) / Double(n) } }
        sd = sd.map { max($0.squareRoot(), 1e-8) }
        func standardized(_ v: [Double]) -> [T] { v.indices.map { T((v[$0] - mean[$0 % f]) / sd[$0 % f]) } }
        let xs = standardized(train)
        let layer = try Linear<T>("probe", in: f, out: classes, on: backend)
        layer.needsInputGradient = false
        let loss = SoftmaxCrossEntropy<T>(on: backend)
        let adam = Adam(lr: probeRate)
        let b = min(probeBatch, n)
        for epoch in 0..<probeEpochs {
            let order = TrainingStreams.permutation(n, seed: seed, stream: SSLStreams.probe, offset: UInt64(epoch) &* UInt64((n + 3) / 4))
            for start in stride(from: 0, to: n, by: b) {
                let idx = order[start..<min(start + b, n)]
                let x = try backend.tensor(idx.flatMap { xs[($0 * f)..<(($0 + 1) * f)] }, shape: [idx.count, f])
                let y = try backend.tensor(idx.map { T(Double(trainLabels[$0])) }, shape: [idx.count])
                let r = try loss(layer.forward(x, train: true), labels: y, gradient: true)
                _ = try layer.backward(r.gradient!)
                try adam.step(layer.parameters, rate: probeRate)
            }
        }
        return try tests.map { test, testLabels in
            let xt = standardized(test)
            var correct = 0
            for start in stride(from: 0, to: testLabels.count, by: probeBatch) {
                let m = min(probeBatch, testLabels.count - start)
                let x = try backend.tensor(Array(xt[(start * f)..<((start + m) * f)]), shape: [m, f])
                let y = try backend.tensor((start..<(start + m)).map { T(Double(testLabels[$0])) }, shape: [m])
                correct += try loss(layer.forward(x, train: false), labels: y, gradient: false).correct
            }
            return Double(correct) / Double(testLabels.count)
        }
    }

    /// k-NN test accuracy on L2-normalised features: the k most similar training samples (ties
    /// to the lower index) vote with their similarities (ties to the lower class) (S11).
    public static func knn<T: Scalar>(_: T.Type, train: [Double], trainLabels: [Int32], test: [Double], testLabels: [Int32],
                                      width f: Int, classes: Int, k: Int, on backend: any Backend) throws -> Double {
        func unit(_ v: [Double]) -> [T] {
            var out = [T](repeating: 0, count: v.count)
            for r in 0..<(v.count / f) {
                let s = max(v[(r * f)..<((r + 1) * f)].reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
                for j in 0..<f { out[r * f + j] = T(v[r * f + j] / s) }
            }
            return out
        }
        let n = trainLabels.count, kk = min(k, n)
        let bank = try backend.tensor(unit(train), shape: [n, f]), queries = unit(test)
        var correct = 0
        let chunk = 256
        for start in stride(from: 0, to: testLabels.count, by: chunk) {
            let m = min(chunk, testLabels.count - start)
            let q = try backend.tensor(Array(queries[(start * f)..<((start + m) * f)]), shape: [m, f])
            let sims = try backend.matmul(q, bank, transB: true).toArray().map(\.double)
            for i in 0..<m {
                let row = sims[(i * n)..<((i + 1) * n)], base = i * n
                let nearest = topK(row, base: base, k: kk)
                var votes = [Double](repeating: 0, count: classes)
                for j in nearest { votes[Int(trainLabels[j])] += row[base + j] }
                let best = votes.indices.max { votes[$0] != votes[$1] ? votes[$0] < votes[$1] : $0 > $1 }!
                if best == Int(testLabels[start + i]) { correct += 1 }
            }
        }
        return Double(correct) / Double(testLabels.count)
    }

    /// Indices of the k largest of row[base ..< base + n], larger first, ties to the lower index
    /// (one pass with a sorted buffer of k).
    static func topK(_ row: ArraySlice<Double>, base: Int, k: Int) -> [Int] {
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        for j in 0..<row.count {
            let v = row[base + j]
            if best.count == k, v <= row[base + best[k - 1]] { continue }  // a tie keeps the lower index already held
            var at = best.count
            while at > 0, row[base + best[at - 1]] < v { at -= 1 }
            best.insert(j, at: at)
            if best.count > k { best.removeLast() }
        }
        return best
    }
}
