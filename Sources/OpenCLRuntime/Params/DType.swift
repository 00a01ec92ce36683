/// Element types a tensor and a kernel can have.
public enum DType: String, Sendable, Codable, CaseIterable {
    case f32
    case f64

    public var byteSize: Int { self == .f32 ? 4 : 8 }

    /// Build options that instantiate a kernels/*.cl file that includes real.h for this type.
    public func kernelOptions(deviceHasFP64: Bool) -> String {
        switch self {
        case .f32: deviceHasFP64 ? "-DREAL=float -DHAS_FP64" : "-DREAL=float"
        case .f64: "-DREAL=double -DREAL_IS_DOUBLE -DHAS_FP64"
        }
    }
}
