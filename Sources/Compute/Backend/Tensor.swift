/// A dense, row-major array of T that lives on one backend. Reference semantics: ops write
/// into tensors in place; `reshaped` shares storage.
public final class Tensor<T: Scalar>: @unchecked Sendable {
    public let shape: [Int]
    public let backend: any Backend
    let storage: Storage

    enum Storage {
        case host(HostBuffer<T>)
        case device(CLBuffer<T>)
    }

    init(shape: [Int], backend: any Backend, storage: Storage) {
        self.shape = shape
        self.backend = backend
        self.storage = storage
    }

    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }

    /// The same storage seen with another shape of equal size.
    public func reshaped(_ newShape: [Int]) throws -> Tensor<T> {
        guard newShape.reduce(1, *) == count else {
            throw ComputeError.shapeMismatch("cannot reshape \(shape) to \(newShape)")
        }
        return Tensor(shape: newShape, backend: backend, storage: storage)
    }

    /// Copies the values to the host.
    public func toArray() throws -> [T] { try backend.read(self) }
}

/// Host storage with reference semantics (the CPU backend's buffer).
final class HostBuffer<T>: @unchecked Sendable {
    var values: [T]
    init(_ values: [T]) { self.values = values }
}

/// Shapes must be non-negative.
func validateShape(_ shape: [Int]) throws {
    if shape.contains(where: { $0 < 0 }) {
        throw ComputeError.shapeMismatch("negative dimension in shape \(shape)")
    }
}
