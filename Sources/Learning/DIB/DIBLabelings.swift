import Compute
import Foundation

/// The Philox streams of the decodable information bottleneck under the run's seed
/// (docs/random.md P10). Shuffles and the encoder's and classifier's weights are training's.
public enum DIBStreams {
    /// Random labelings of the training examples (docs/dib.md D3).
    public static let labelings: UInt32 = 12
    /// Initial weights of the nuisance heads and of the measuring heads (D6, D7).
    public static let heads: UInt32 = 13

    /// The block offset of head `head`'s parameter `parameter` in stream 13: 2²²(8h + p).
    public static func headOffset(head: Int, parameter: Int) -> UInt64 {
        UInt64(8 * head + parameter) << 22
    }
}

/// Labelings of the training examples consistent with their labels (docs/dib.md D3): example i
/// of labeling j takes ⌊r k / 2³²⌋ ∈ {0, …, k−1}, r the raw Philox word i of stream 12 counted
/// from block j⌈n/4⌉ — uniform and independent per example, whatever its class.
public enum DIBLabelings {
    /// Labeling `index` of `count` examples with `size` values.
    public static func draw(count: Int, size: Int, index: Int, seed: UInt64) throws -> [Int32] {
        guard size >= 2, size <= 1 << 32 else {
            throw ComputeError.invalidArgument("a labeling needs 2 to 2³² values, got \(size)")
        }
        guard count >= 1, index >= 0 else {
            throw ComputeError.invalidArgument("a labeling needs at least one example and a non-negative index")
        }
        let words = PhiloxFill.raw(count: count, seed: seed, stream: DIBStreams.labelings,
                                   offset: UInt64(index) &* UInt64((count + 3) / 4))
        return words.map { Int32((UInt64($0) &* UInt64(size)) >> 32) }
    }

    /// The entropy of a uniform labeling with `size` values, in bits: log₂ k.
    public static func entropyBits(size: Int) -> Double { Foundation.log2(Double(size)) }
}
