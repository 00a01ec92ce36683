// The runtime's value types are part of Compute's API; its handles and launchers are not.
@_exported import enum OpenCLRuntime.ComputeError
@_exported import enum OpenCLRuntime.DType
@_exported import struct OpenCLRuntime.GemmParams
@_exported import struct OpenCLRuntime.GemmTiledParams
@_exported import struct OpenCLRuntime.GemmTuning
@_exported import struct OpenCLRuntime.GemmTuningFile
@_exported import struct OpenCLRuntime.GemmTuningRecord
@_exported import enum OpenCLRuntime.GemmShapeClass
@_exported import struct OpenCLRuntime.ConvTuning
@_exported import struct OpenCLRuntime.ConvTuningRecord
@_exported import struct OpenCLRuntime.ConvDirectParams
@_exported import enum OpenCLRuntime.ConvPass
@_exported import enum OpenCLRuntime.ConvShapeClass
@_exported import struct OpenCLRuntime.Conv2dParams
@_exported import struct OpenCLRuntime.Pool2dParams
@_exported import struct OpenCLRuntime.OpenCLError
@_exported import struct OpenCLRuntime.CLBlastError
@_exported import struct OpenCLRuntime.CLDeviceInfo
@_exported import class OpenCLRuntime.CLContext
@_exported import func OpenCLRuntime.formatBytes
import RealModule

/// Float or Double: the element types every op supports on both backends.
public protocol Scalar: Real, BinaryFloatingPoint, BitwiseCopyable, Sendable, Codable, SIMDScalar {
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
