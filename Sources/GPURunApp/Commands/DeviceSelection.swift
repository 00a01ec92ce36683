import Compute
import Foundation

/// The GEMM engine a run asks for: our kernels, CLBlast (both on an OpenCL device), or the CPU
/// backend's OpenBLAS.
public enum EngineChoice: String, Sendable, CaseIterable {
    case own, tiled, clblast, cpu
}

/// How every command turns a requested device (and engine) into a backend: the requested
/// device, else $GPURUN_DEVICE, else the first OpenCL GPU, else the CPU backend.
public enum DeviceSelection {
    /// The device asked for: `device`, else $GPURUN_DEVICE (parsed here; nil when unset or empty).
    public static func requested(_ device: DeviceSpec?) throws -> DeviceSpec? {
        if let device { return device }
        let env = ProcessInfo.processInfo.environment[DeviceSpec.environmentVariable]
        guard let env, !env.isEmpty else { return nil }
        return try DeviceSpec(parsing: env)
    }

    /// The backend of a compute command.
    public static func backend(device: DeviceSpec?, engine: EngineChoice? = nil) throws -> any Backend {
        switch engine {
        case nil:
            if let spec = try requested(device) { return try Devices.backend(for: spec) }
            return try Devices.backend(nil)
        case .cpu?:
            return CPUBackend.shared
        case let e?:
            let chosen = try Devices.backend(for: try requested(device) ?? .opencl(0))
            guard let cl = chosen as? OpenCLBackend, let gemm = GemmEngine(rawValue: e.rawValue) else {
                throw ComputeError.invalidArgument("the \(e.rawValue) GEMM engine needs an OpenCL device, but the device is \(chosen.label)")
            }
            return try OpenCLBackend(device: cl.cl.info.index, gemmEngine: gemm)
        }
    }

    /// The OpenCL device to compare with the CPU (validate, bench matmul): the requested one, else
    /// the first OpenCL device; nil (said once on stderr) when there is none. With `onCPU`, `cpu`
    /// asks for the default too (the CPU backend is the reference) and `onCPU` hears about it;
    /// without, `cpu` is refused.
    public static func openCL(device: DeviceSpec?, onCPU: (() -> Void)? = nil) throws -> OpenCLBackend? {
        let spec = try requested(device)
        if spec == .cpu, onCPU == nil {
            throw ComputeError.invalidArgument("the device must be an OpenCL device; available: \(Devices.availableNames().joined(separator: ", "))")
        }
        if let spec, spec != .cpu {
            guard let cl = try Devices.backend(for: spec) as? OpenCLBackend else {
                throw ComputeError.unknownDevice(requested: spec.description, available: Devices.availableNames())
            }
            return cl
        }
        if spec == .cpu { onCPU?() }
        let first = Devices.firstOpenCL()
        if first.backend == nil { Devices.noteNoOpenCL(first.reason ?? "none found") }
        return first.backend
    }

    /// The backends of a list of engines (bench): those that cannot be opened are skipped, each
    /// with its reason, unless `strict`.
    public static func backends(_ specs: [DeviceSpec], strict: Bool = false,
                                skipped: (DeviceSpec, any Error) -> Void = { _, _ in }) throws -> [any Backend] {
        var out: [any Backend] = []
        for spec in specs {
            do { out.append(try Devices.backend(for: spec)) } catch {
                if strict { throw error }
                skipped(spec, error)
            }
        }
        return out
    }
}
