// The runtime's value types are part of Compute's API; its handles and launchers are not.
@_exported import enum OpenCLRuntime.ComputeError
@_exported import enum OpenCLRuntime.DType
@_exported import struct OpenCLRuntime.GemmParams
@_exported import struct OpenCLRuntime.GemmTiledParams
@_exported import struct OpenCLRuntime.GemmTuning
@_exported import struct OpenCLRuntime.GemmTuningFile
@_exported import struct OpenCLRuntime.GemmTuningRecord
@_exported import enum OpenCLRuntime.GemmShapeClass
@_exported import struct OpenCLRuntime.Conv2dParams
@_exported import struct OpenCLRuntime.Pool2dParams
@_exported import struct OpenCLRuntime.OpenCLError
@_exported import struct OpenCLRuntime.CLBlastError
@_exported import struct OpenCLRuntime.CLDeviceInfo
@_exported import class OpenCLRuntime.CLContext
@_exported import func OpenCLRuntime.formatBytes
import RealModule

/// Float or Double: the element types every op supports on both backends.
public protocol Scalar: Real, BitwiseCopyable, Sendable {
    static var dtype: DType { get }
    /// Machine epsilon, for tolerances.
    static var eps: Double { get }
    init(_ d: Double)
    var double: Double { get }
    /// An integer that orders as the value does (−0 as +0; not for NaN), for comparisons
    /// without branches: the bit pattern, with the magnitude bits of negative values flipped.
    var orderKey: Int64 { get }
}

extension Float: Scalar {
    public static var dtype: DType { .f32 }
    public static var eps: Double { Double(Float.ulpOfOne) }
    public var double: Double { Double(self) }
    @inline(__always)
    public var orderKey: Int64 {
        let s = Int64(Int32(bitPattern: (self + 0).bitPattern))  // −0 + 0 = +0
        return s ^ ((s >> 63) & Int64.max)
    }
}

extension Double: Scalar {
    public static var dtype: DType { .f64 }
    public static var eps: Double { Double.ulpOfOne }
    public var double: Double { self }
    @inline(__always)
    public var orderKey: Int64 {
        let s = Int64(bitPattern: (self + 0).bitPattern)  // −0 + 0 = +0
        return s ^ ((s >> 63) & Int64.max)
    }
}
