/// The one comparison every CPU-vs-OpenCL check uses.
///
/// Error of element i: |ref_i − got_i| / max(|ref_i|, floor · max_j |ref_j|, tiny). The floor keeps
/// elements near zero (cancellation) from dominating: a result is judged relative to its own
/// scale. Two NaNs, or two equal infinities, agree; a NaN or infinity against anything else is an
/// infinite error.
public enum Compare {
    public static let defaultFloor = 1e-3

    public static func maxRelativeError<T: Scalar>(_ ref: [T], _ got: [T], floor: Double = defaultFloor) -> Double {
        maxRelativeError(ref.map(\.double), got.map(\.double), floor: floor)
    }

    public static func maxRelativeError(_ ref: [Double], _ got: [Double], floor: Double = defaultFloor) -> Double {
        guard ref.count == got.count else { return .infinity }
        let scale = ref.lazy.filter(\.isFinite).map(Swift.abs).max() ?? 0
        let denomFloor = Swift.max(floor * scale, Double.leastNormalMagnitude)
        var worst = 0.0
        for (a, b) in zip(ref, got) {
            if a.isNaN || b.isNaN {
                if !(a.isNaN && b.isNaN) { return .infinity }
                continue
            }
            if a.isInfinite || b.isInfinite {
                if a != b { return .infinity }
                continue
            }
            worst = Swift.max(worst, Swift.abs(a - b) / Swift.max(Swift.abs(a), denomFloor))
        }
        return worst
    }
}

/// One line of `gpurun validate`.
public struct ValidationResult: Codable, Sendable {
    public var op: String, shape: String, dtype: String
    public var maxRelError: Double, tolerance: Double
    public var pass: Bool
    public var seed: UInt64

    public init(op: String, shape: String, dtype: String, maxRelError: Double, tolerance: Double, seed: UInt64) {
        (self.op, self.shape, self.dtype, self.maxRelError) = (op, shape, dtype, maxRelError)
        (self.tolerance, self.pass, self.seed) = (tolerance, maxRelError <= tolerance, seed)
    }

    /// Compares two results with the shared helper.
    public static func compare<T: Scalar>(op: String, shape: [Int], ref: [T], got: [T], tolerance: Double,
                                          seed: UInt64, floor: Double = Compare.defaultFloor,
                                          dtype: DType? = nil) -> ValidationResult {
        ValidationResult(op: op, shape: shape.map(String.init).joined(separator: "x"), dtype: (dtype ?? T.dtype).rawValue,
                         maxRelError: Compare.maxRelativeError(ref, got, floor: floor), tolerance: tolerance, seed: seed)
    }
}
