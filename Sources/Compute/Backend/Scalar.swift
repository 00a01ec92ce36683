@_exported import Kernels
import RealModule

/// Float or Double: the element types every op supports on both backends.
public protocol Scalar: Real, BitwiseCopyable, Sendable {
    static var dtype: DType { get }
    /// Machine epsilon, for tolerances.
    static var eps: Double { get }
    init(_ d: Double)
    var double: Double { get }
}

extension Float: Scalar {
    public static var dtype: DType { .f32 }
    public static var eps: Double { Double(Float.ulpOfOne) }
    public var double: Double { Double(self) }
}

extension Double: Scalar {
    public static var dtype: DType { .f64 }
    public static var eps: Double { Double.ulpOfOne }
    public var double: Double { self }
}
