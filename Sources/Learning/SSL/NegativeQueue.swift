import Compute

/// MoCo's FIFO of K key embeddings [K, d] on the backend, with the labels of the images whose
/// keys they are (−1: none) and the write pointer (docs/ssl.md S6).
public final class NegativeQueue<T: Scalar> {
    public let keys: Tensor<T>
    public internal(set) var labels: [Int32]
    public internal(set) var pointer = 0
    public var size: Int { keys.shape[0] }
    public var dimension: Int { keys.shape[1] }

    /// K unit vectors from the float64 normals of stream 7 (row j: elements jd..jd+d−1).
    public init(size: Int, dimension: Int, seed: UInt64, on backend: any Backend) throws {
        guard size > 0, dimension > 0 else {
            throw ComputeError.invalidArgument("the queue needs a positive size and dimension, got \(size) × \(dimension)")
        }
        let z: [Double] = PhiloxFill.normal(count: size * dimension, seed: seed, stream: SSLStreams.queue)
        var v = [T](repeating: 0, count: size * dimension)
        for j in 0..<size {
            let row = z[(j * dimension)..<((j + 1) * dimension)]
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for c in 0..<dimension { v[j * dimension + c] = T(row[row.startIndex + c] / norm) }
        }
        keys = try backend.tensor(v, shape: [size, dimension])
        labels = [Int32](repeating: -1, count: size)
    }

    /// Writes `batch` [N, d] (N ≤ K) at the pointer, wrapping around, and advances it.
    public func enqueue(_ batch: Tensor<T>, labels batchLabels: [Int32]) throws {
        let n = batch.shape[0]
        guard batch.rank == 2, batch.shape[1] == dimension, n <= size, batchLabels.count == n else {
            throw ComputeError.shapeMismatch("enqueue: keys \(batch.shape) with \(batchLabels.count) labels into a queue \(keys.shape)")
        }
        let first = min(n, size - pointer)
        try keys.backend.copy(batch.rows(0..<first), into: keys.rows(pointer..<(pointer + first)))
        labels.replaceSubrange(pointer..<(pointer + first), with: batchLabels[0..<first])
        if first < n {
            try keys.backend.copy(batch.rows(first..<n), into: keys.rows(0..<(n - first)))
            labels.replaceSubrange(0..<(n - first), with: batchLabels[first..<n])
        }
        pointer = (pointer + n) % size
    }

    /// Restores keys, labels and pointer (checkpoints).
    func restore(keys values: [T], labels: [Int32], pointer: Int) throws {
        guard values.count == keys.count, labels.count == size, (0..<size).contains(pointer) else {
            throw ComputeError.invalidArgument("the saved queue does not fit a queue of \(size) × \(dimension)")
        }
        try keys.backend.write(values, into: keys)
        (self.labels, self.pointer) = (labels, pointer)
    }
}

/// The Philox streams of self-supervised training (docs/random.md P8).
public enum SSLStreams {
    /// The initial queue (S6).
    public static let queue: UInt32 = 7
    /// The two views of every image (S9).
    public static let views: UInt32 = 8
    /// The linear probe's shuffles (S10).
    public static let probe: UInt32 = 9
}
