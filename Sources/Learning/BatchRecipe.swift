import Compute

/// The Philox streams of training under the run's seed (docs/random.md P5, P7).
public enum TrainingStreams {
    /// Epoch shuffles (P5).
    public static let shuffle: UInt32 = 1
    /// Crop offsets and flips, one block per (epoch, sample).
    public static let augment: UInt32 = 2
    /// Random labels of `Augmentation.randomLabels`, one block per sample.
    public static let randomLabels: UInt32 = 3
    /// Pre-training: its shuffles, its per-(epoch, sample) draws (rotations), its random labels.
    public static let pretrainShuffle: UInt32 = 4, pretrainDraws: UInt32 = 5, pretrainLabels: UInt32 = 6
    /// Perturbations of parameter i at the rewind point: 0x500000 + i.
    public static func perturbation(_ i: Int) -> UInt32 { 0x500000 + UInt32(i) }

    /// A Fisher–Yates shuffle of 0..<n driven by the raw words of a stream from block `offset`:
    /// word i picks j = ⌊r_i (i+1) / 2³²⌋ for i = n−1, ..., 1 (P5).
    public static func permutation(_ n: Int, seed: UInt64, stream: UInt32, offset: UInt64 = 0) -> [Int] {
        let r = PhiloxFill.raw(count: n, seed: seed, stream: stream, offset: offset)
        var p = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, Int((UInt64(r[i]) &* UInt64(i + 1)) >> 32)) }
        return p
    }
}

/// How one epoch's training rows are transformed: augmentations (crop, flip, blur) and, for
/// rotation pre-training, a random quarter turn per sample whose index becomes the label.
struct BatchRecipe {
    var augmentations: [Augmentation]
    var epoch: Int
    var stream: UInt32 = TrainingStreams.augment
    var rotations = false
    /// BG_RM or BG_Random, applied first (docs/backgrounds.md BG13).
    var backgrounds: BackgroundBatch?

    init(_ augmentations: [Augmentation], epoch: Int) {
        self.augmentations = augmentations.filter(\.needsImages)
        self.epoch = epoch
    }

    var isIdentity: Bool { augmentations.isEmpty && !rotations && backgrounds == nil }

    /// Transforms `rows` (the samples `indices` of a set of `count`, each of `shape`) in place.
    func apply(_ rows: inout [Float], _ labels: inout [Int32], indices: ArraySlice<Int>, count: Int, shape: [Int],
               seed: UInt64) throws {
        guard !isIdentity else { return }
        let (c, h, w) = (shape[0], shape[1], shape[2]), size = c * h * w
        for (row, i) in indices.enumerated() {
            let r = PhiloxFill.raw(count: 4, seed: seed, stream: stream, offset: UInt64(epoch) &* UInt64(count) &+ UInt64(i))
            var v = Array(rows[(row * size)..<((row + 1) * size)])
            if let backgrounds { v = try backgrounds.apply(v, sample: i, count: count, epoch: epoch, shape: shape, seed: seed) }
            for a in augmentations {
                switch a {
                case .crop(let pad):
                    let span = UInt32(2 * pad + 1)
                    ImageOps.crop(&v, c: c, h: h, w: w, pad: pad, dx: Int(r[1] % span), dy: Int(r[2] % span))
                case .flip where r[0] & 1 == 1: ImageOps.flip(&v, c: c, h: h, w: w)
                case .blur(let sigma): ImageOps.blur(&v, c: c, h: h, w: w, sigma: sigma)
                default: break
                }
            }
            if rotations {
                let k = Int(r[3] % 4)
                ImageOps.rotate(&v, c: c, n: h, quarterTurns: k)
                labels[row] = Int32(k)
            }
            rows.replaceSubrange((row * size)..<((row + 1) * size), with: v)
        }
    }

    /// Labels with `fraction` of them replaced by uniform random classes: sample i is replaced
    /// when u(word 0 of block i) ≤ fraction, by word 1 mod K.
    static func randomLabels(_ labels: [Int32], fraction: Double, classes: Int, seed: UInt64, stream: UInt32) -> [Int32] {
        let r = PhiloxFill.raw(count: 4 * labels.count, seed: seed, stream: stream)
        return labels.indices.map { i in
            Double((r[4 * i] >> 8) + 1) * 0x1p-24 <= fraction ? Int32(r[4 * i + 1] % UInt32(classes)) : labels[i]
        }
    }
}
