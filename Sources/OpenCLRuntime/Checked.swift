import Foundation

/// Arithmetic on numbers that come from users, checked in one place: sizes whose products may
/// overflow, reals that must become integers, and memory that must exist before it is asked
/// for. A failure is an error that names the quantity ("needs X, has Y"), never a trap.
public enum Checked {
    /// The product of `factors`, or nil when one is negative or the product overflows.
    public static func product(_ factors: [Int]) -> Int? {
        var p = 1
        for f in factors {
            guard f >= 0 else { return nil }
            let (v, overflow) = p.multipliedReportingOverflow(by: f)
            if overflow { return nil }
            p = v
        }
        return p
    }

    /// The product of `factors`, or an error naming `what` ("the tangent block, 2000000000 × 2000000000").
    public static func product(_ factors: [Int], _ what: @autoclosure () -> String) throws -> Int {
        guard let p = product(factors) else {
            throw ComputeError.invalidArgument(
                "\(what()) would need \(factors.map(String.init).joined(separator: " × ")), more than a 64-bit size can count")
        }
        return p
    }

    /// The sum of `terms`, or nil when one is negative or the sum overflows (`?? .max`
    /// saturates, for sizes that a memory check then refuses).
    public static func sum(_ terms: [Int]) -> Int? {
        var s = 0
        for t in terms {
            let (v, overflow) = s.addingReportingOverflow(t)
            guard !overflow, t >= 0 else { return nil }
            s = v
        }
        return s
    }

    /// The sum of non-negative `terms`, or an error naming `what`.
    public static func sum(_ terms: [Int], _ what: @autoclosure () -> String) throws -> Int {
        guard let s = sum(terms) else { throw ComputeError.invalidArgument("\(what()) is too large to count") }
        return s
    }

    /// `x` rounded by `rule` as an Int, or an error naming `what` when x is not finite or its
    /// rounding does not fit (Int(Double) would trap).
    public static func integer(_ x: Double, rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero,
                               _ what: @autoclosure () -> String) throws -> Int {
        let r = x.rounded(rule)
        guard r.isFinite, let i = Int(exactly: r) else {
            throw ComputeError.invalidArgument("\(what()) must be a finite number of reasonable size, got \(x)")
        }
        return i
    }

    /// Bytes of `count` values of `elementSize` bytes.
    public static func bytes(_ count: Int, _ elementSize: Int, _ what: @autoclosure () -> String) throws -> Int {
        try product([count, elementSize], what())
    }

    /// This machine's memory, the bound of every host allocation.
    public static var hostMemory: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    /// Refuses work that would hold `bytes` of host memory at once: "needs X, has Y".
    public static func hostMemory(_ bytes: Int, for what: @autoclosure () -> String) throws {
        if bytes > hostMemory {
            throw ComputeError.invalidArgument(
                "\(what()) needs \(formatBytes(bytes)) of memory; this machine has \(formatBytes(hostMemory))")
        }
    }
}
