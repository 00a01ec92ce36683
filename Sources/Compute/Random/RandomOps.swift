/// Philox random numbers on the device (RANDOM.md; layout: README "Random numbers").
public protocol RandomOps: BackendBase {
    /// `offset` counts Philox blocks.
    func philoxRaw(count: Int, seed: UInt64, stream: UInt32, offset: UInt64) throws -> [UInt32]
    func uniform<T: Scalar>(_ shape: [Int], seed: UInt64, stream: UInt32, offset: UInt64) throws -> Tensor<T>
    func normal<T: Scalar>(_ shape: [Int], seed: UInt64, stream: UInt32, offset: UInt64) throws -> Tensor<T>
}
