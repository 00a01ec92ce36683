import Compute
import Foundation

/// The decodable information of a frozen representation about fresh random labelings
/// (docs/dib.md D7): log₂ k − min CE / ln 2 bits, the minimum over the epochs of a head of the
/// family trained by Adam (the cross-entropy on all examples after each), averaged over K′ labelings. 0 for a representation that tells nothing; log₂ k for
/// one from which every labeling can be decoded.
public struct DecodableInformation: Codable, Sendable, Equatable {
    /// The mean over the heads, in bits.
    public var bits: Double
    /// bits / log₂ k.
    public var ofMaximum: Double
    /// log₂ k.
    public var maximumBits: Double
    /// Per head: its bits and its smallest training cross-entropy over the epochs (nats).
    public var perHeadBits: [Double]
    public var crossEntropies: [Double]

    /// The measure of features [count, dimension] (row-major, the training set's order): labelings
    /// `firstLabeling ..< firstLabeling + settings.heads` of the seed (D3), one fresh head each
    /// (stream 13 at head index = labeling index), minibatches shuffled by stream 13 from block
    /// 2⁴⁰ + 2³² j + e⌈n/4⌉ (P10), then the cross-entropy over all examples.
    public static func measure<T: Scalar>(features: [Double], count n: Int, dimension d: Int, family: DIBHeadFamily,
                                          labelingSize k: Int, firstLabeling: Int, settings: DecodableInformationSettings,
                                          scheme: InitScheme = .kaiming, seed: UInt64, as _: T.Type,
                                          on backend: any Backend) throws -> DecodableInformation {
        if let p = settings.problem() ?? family.problem() { throw ComputeError.invalidArgument(p) }
        guard n >= 1, d >= 1, features.count == n * d else {
            throw ComputeError.invalidArgument("the features (\(features.count) values) are not \(n) rows of \(d)")
        }
        guard features.allSatisfy(\.isFinite) else { throw ComputeError.invalidArgument("non-finite features") }
        let maxBits = DIBLabelings.entropyBits(size: k)
        let adam = Adam(lr: settings.learningRate)
        let loss = SoftmaxCrossEntropy<T>(on: backend)
        var zs: [Int: Tensor<T>] = [:], ys: [Int: Tensor<T>] = [:]
        func batch(_ rows: ArraySlice<Int>, _ labels: [Int32]) throws -> (Tensor<T>, Tensor<T>) {
            let m = rows.count
            let z = try zs[m] ?? backend.zeros([m, d], as: T.self), y = try ys[m] ?? backend.zeros([m], as: T.self)
            (zs[m], ys[m]) = (z, y)
            var values = [T](); values.reserveCapacity(m * d)
            for r in rows { for c in 0..<d { values.append(T(features[r * d + c])) } }
            try backend.write(values, into: z)
            try backend.write(rows.map { T(Double(labels[$0])) }, into: y)
            return (z, y)
        }
        var bits: [Double] = [], ces: [Double] = []
        let b = min(settings.batch, n)
        for j in firstLabeling..<(firstLabeling + settings.heads) {
            let labels = try DIBLabelings.draw(count: n, size: k, index: j, seed: seed)
            let head = try family.build(T.self, name: "measure\(j)", features: d, outputs: k, on: backend)
            head.needsInputGradient = false
            try DIBHeadFamily.initialize(head, index: j, scheme: scheme, seed: seed)
            let all = Array(0..<n)
            func crossEntropy() throws -> Double {
                var total = 0.0
                for s in stride(from: 0, to: n, by: b) {
                    let (z, y) = try batch(all[s..<min(s + b, n)], labels)
                    total += try loss(head.forward(z, train: false), labels: y, gradient: false).meanLoss * Double(z.shape[0])
                }
                return total / Double(n)
            }
            // The head after each epoch is a member of the family: the minimum is over all of them.
            var ce = Double.infinity
            for e in 0..<settings.epochs {
                let order = TrainingStreams.permutation(n, seed: seed, stream: DIBStreams.heads,
                                                        offset: (1 << 40) + (UInt64(j) << 32) + UInt64(e) * UInt64((n + 3) / 4))
                for s in stride(from: 0, to: n, by: b) {
                    let (z, y) = try batch(order[s..<min(s + b, n)], labels)
                    try backend.trainingStep {
                        let r = try loss(head.forward(z, train: true), labels: y, gradient: true)
                        guard r.meanLoss.isFinite else {
                            throw ComputeError.invalidArgument("the measuring head's loss diverged; lower its learning rate")
                        }
                        _ = try head.backward(r.gradient!)
                        try adam.step(head.parameters, rate: settings.learningRate)
                    }
                }
                ce = min(ce, try crossEntropy())
            }
            ces.append(ce)
            bits.append(maxBits - ce / Foundation.log(2))
        }
        let mean = bits.reduce(0, +) / Double(bits.count)
        return DecodableInformation(bits: mean, ofMaximum: mean / maxBits, maximumBits: maxBits, perHeadBits: bits,
                                    crossEntropies: ces)
    }
}
