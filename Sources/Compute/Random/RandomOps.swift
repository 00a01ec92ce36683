/// Philox random numbers on the device (docs/random.md P1–P4; shared/docs/RANDOM.md).
public protocol RandomOps: BackendBase {
    /// `offset` counts Philox blocks.
    func philoxRaw(count: Int, seed: UInt64, stream: UInt32, offset: UInt64) throws -> [UInt32]
    func uniform<T: Scalar>(_ shape: [Int], seed: UInt64, stream: UInt32, offset: UInt64) throws -> Tensor<T>
    func normal<T: Scalar>(_ shape: [Int], seed: UInt64, stream: UInt32, offset: UInt64) throws -> Tensor<T>
}
