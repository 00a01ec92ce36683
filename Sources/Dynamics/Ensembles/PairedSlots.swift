/// Two arrays of doubles that worker threads fill at disjoint indices (eigenvalues' real and
/// imaginary parts, a sample's ridge and minimum-norm risks), read once every worker is done.
final class PairedSlots: @unchecked Sendable {
    private let first: UnsafeMutableBufferPointer<Double>
    private let second: UnsafeMutableBufferPointer<Double>

    /// `count` slots in each array, all `initial` (NaN marks a slot nobody filled).
    init(count: Int, initial: Double) {
        first = .allocate(capacity: count)
        second = .allocate(capacity: count)
        first.initialize(repeating: initial)
        second.initialize(repeating: initial)
    }

    deinit {
        first.deallocate()
        second.deallocate()
    }

    /// a and b at slot i of each array.
    func store(_ i: Int, _ a: Double, _ b: Double) {
        first[i] = a
        second[i] = b
    }

    /// a and b (of equal length) from slot `offset` on.
    func store(_ a: [Double], _ b: [Double], at offset: Int) {
        for k in a.indices { store(offset + k, a[k], b[k]) }
    }

    func arrays() -> ([Double], [Double]) { (Array(first), Array(second)) }
}
