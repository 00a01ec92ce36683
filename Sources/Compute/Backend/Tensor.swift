import OpenCLRuntime
/// A dense, row-major array of T that lives on one backend. Reference semantics: ops write
/// into tensors in place. A tensor may be a view: `offset` elements into shared storage, as
/// `rows(_:)` and `reshaped(_:)` return; every op honours the offset.
public final class Tensor<T: Scalar>: @unchecked Sendable {
    public let shape: [Int]
    public let backend: any Backend
    /// Start of this tensor in its storage, in elements.
    public let offset: Int
    let storage: Storage

    enum Storage {
        case host(HostBuffer<T>)
        case device(CLBuffer<T>)
    }

    init(shape: [Int], backend: any Backend, storage: Storage, offset: Int = 0) {
        self.shape = shape
        self.backend = backend
        self.storage = storage
        self.offset = offset
    }

    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }

    /// The same elements seen with another shape of equal size.
    public func reshaped(_ newShape: [Int]) throws -> Tensor<T> {
        guard newShape.reduce(1, *) == count, !newShape.contains(where: { $0 < 0 }) else {
            throw ComputeError.shapeMismatch("cannot reshape \(shape) to \(newShape)")
        }
        return Tensor(shape: newShape, backend: backend, storage: storage, offset: offset)
    }

    /// Rows `range` of the leading dimension, as a view (contiguous in row-major order).
    public func rows(_ range: Range<Int>) throws -> Tensor<T> {
        guard let first = shape.first, range.lowerBound >= 0, range.upperBound <= first else {
            throw ComputeError.shapeMismatch("rows \(range) out of range for shape \(shape)")
        }
        let rowSize = shape.dropFirst().reduce(1, *)
        return Tensor(shape: [range.count] + shape.dropFirst(), backend: backend, storage: storage,
                      offset: offset + range.lowerBound * rowSize)
    }

    /// Copies the values to the host.
    public func toArray() throws -> [T] { try backend.read(self) }
}

/// Host storage with reference semantics (the CPU backend's buffer): plain memory, so views of
/// one buffer may be read and written by one op, as in BLAS, without Swift's exclusivity checks.
final class HostBuffer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    let count: Int

    init(_ values: [T]) {
        count = values.count
        pointer = .allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { pointer.initialize(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }
}

/// Shapes must be non-negative.
func validateShape(_ shape: [Int]) throws {
    if shape.contains(where: { $0 < 0 }) {
        throw ComputeError.shapeMismatch("negative dimension in shape \(shape)")
    }
}
