import OpenCLRuntime
import Foundation

/// How users name a backend: `cpu`, `opencl` (the first OpenCL device) or `opencl:N`.
public enum DeviceSpec: Equatable, Sendable, CustomStringConvertible {
    /// The CPU engine (OpenBLAS and Swift loops).
    case cpu
    /// OpenCL device N in platform order (`gpurun devices`); `opencl` alone is device 0.
    case opencl(Int)
    /// The first OpenCL device of type GPU; an error where there is none.
    case gpu

    public static let environmentVariable = "GPURUN_DEVICE"

    public init(parsing text: String) throws {
        let t = text.lowercased().trimmingWhitespace()
        if t == "cpu" { self = .cpu; return }
        if t == "opencl" { self = .opencl(0); return }
        if t == "gpu" { self = .gpu; return }
        if t.hasPrefix("opencl:"), let n = Int(t.dropFirst(7)), n >= 0 { self = .opencl(n); return }
        throw ComputeError.unknownDevice(requested: text, available: Devices.availableNames())
    }

    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .opencl(let n): "opencl:\(n)"
        case .gpu: "gpu"
        }
    }
}

/// Picks the backend for a run: an explicit `--device`, else $GPURUN_DEVICE, else the first
/// OpenCL GPU, else the CPU engine (faster than OpenCL on a CPU-only OpenCL driver such as PoCL).
public enum Devices {
    /// Every name `--device` accepts right now.
    public static func availableNames() -> [String] {
        ["cpu"] + CLPlatforms.discover().devices.map(\.label)
    }

    public static func backend(_ requested: String?) throws -> any Backend {
        let env = ProcessInfo.processInfo.environment[DeviceSpec.environmentVariable]
        if let text = requested ?? (env?.isEmpty == false ? env : nil) {
            return try backend(for: try DeviceSpec(parsing: text))
        }
        let found = CLPlatforms.discover()
        if let gpu = found.devices.first(where: \.isGPU) {
            return try OpenCLBackend(device: gpu.index)
        }
        if found.devices.isEmpty, let reason = found.reason { noteNoOpenCL(reason) }
        return CPUBackend.shared
    }

    public static func backend(for spec: DeviceSpec) throws -> any Backend {
        switch spec {
        case .cpu:
            return CPUBackend.shared
        case .opencl(let n):
            let found = CLPlatforms.discover()
            guard found.devices.indices.contains(n) else {
                if found.devices.isEmpty, let reason = found.reason {
                    throw ComputeError.unknownDevice(requested: spec.description,
                                                     available: ["cpu (no OpenCL platform: \(reason))"])
                }
                throw ComputeError.unknownDevice(requested: spec.description, available: availableNames())
            }
            return try OpenCLBackend(device: n)
        case .gpu:
            let found = CLPlatforms.discover()
            guard let gpu = found.devices.first(where: \.isGPU) else {
                throw ComputeError.invalidArgument("no OpenCL device is a GPU\(found.reason.map { " (\($0))" } ?? ""); available: \(availableNames().joined(separator: ", "))")
            }
            return try OpenCLBackend(device: gpu.index)
        }
    }

    /// The first OpenCL device, or nil with the reason none exists (validate and tests use it).
    public static func firstOpenCL() -> (backend: OpenCLBackend?, reason: String?) {
        let found = CLPlatforms.discover()
        guard let first = found.devices.first else { return (nil, found.reason ?? "no OpenCL device") }
        do { return (try OpenCLBackend(device: first.index), nil) } catch { return (nil, "\(error)") }
    }

    private static let noOpenCLNote = OnceFlag()

    /// Says once per process that the CPU backend is used because OpenCL is missing.
    public static func noteNoOpenCL(_ reason: String) {
        noOpenCLNote.once { writeStderrLine("gpurun: no OpenCL platform (\(reason)); running on the CPU backend") }
    }
}
