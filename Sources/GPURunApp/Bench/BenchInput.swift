import Compute

/// The checks of the benchmarks' settings: a wrong value is InvalidInput, in words about the value.
enum BenchInput {
    /// Throws unless every one of `values` (named by `what`, e.g. "the matrix sizes") is at least 1.
    static func positive(_ values: [Int], _ what: String) throws {
        if let bad = values.first(where: { $0 < 1 }) {
            throw InvalidInput(ComputeError.invalidArgument("\(what) must be positive, got \(bad)"))
        }
    }
}
