import Compute
import OpenCLRuntime

/// The checks of the benchmarks' settings: a wrong value is InvalidInput, in words about the value.
enum BenchInput {
    /// Throws unless every one of `values` (named by `what`, e.g. "the matrix sizes") is at least 1.
    static func positive(_ values: [Int], _ what: String) throws {
        if let bad = values.first(where: { $0 < 1 }) {
            throw InvalidInput(ComputeError.invalidArgument("\(what) must be positive, got \(bad)"))
        }
    }

    /// Square sizes: positive, and `matrices` float64 n × n matrices of the largest must fit in
    /// this machine's memory ("needs X, has Y").
    static func squareSizes(_ values: [Int], _ what: String, matrices: Int) throws {
        try positive(values, what)
        guard let n = values.max() else { return }
        try InvalidInput.check {
            let bytes = try Checked.bytes(try Checked.product([matrices, n, n], "\(what) (\(n))"), 8, "\(what) (\(n))")
            try Checked.hostMemory(bytes, for: "size \(n) of \(what)")
        }
    }

    /// Float64 arrays of `factors` elements must fit in this machine's memory.
    static func fits(_ factors: [Int], _ what: String) throws {
        try InvalidInput.check {
            try Checked.hostMemory(try Checked.bytes(try Checked.product(factors, what), 8, what), for: what)
        }
    }

    /// A time per measurement: positive, finite, at most an hour.
    static func seconds(_ value: Double, _ what: String) throws {
        guard value > 0, value <= 3600 else {
            throw InvalidInput(ComputeError.invalidArgument("\(what) must be more than 0 and at most 3600 seconds, got \(value)"))
        }
    }
}
