import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// The `--device` a sweep's tasks run on. Several workers on one host (MPI ranks) spread over
/// the host's OpenCL devices: worker k takes device k modulo their number. A CPU sweep stays on
/// the CPU, and an explicit `opencl:N` is kept as given.
public enum SweepDevice {
    /// - Parameters:
    ///   - requested: `sweep run --device`, else the sweep's `"device"` option, else $GPURUN_DEVICE.
    ///   - localRank: this worker's index among the workers on its host.
    ///   - devices: the host's OpenCL devices (asked for only when needed).
    /// - Returns: the device for the tasks, or nil to leave the choice to each task (the CPU
    ///   engine when the host has no OpenCL GPU, the same rule a task would apply).
    public static func choose(requested: String?, localRank: Int, devices: () -> [CLDeviceInfo]) -> String? {
        let text = requested?.trimmingWhitespace().lowercased()
        switch text {
        case nil, "":
            let gpus = devices().filter(\.isGPU)
            guard !gpus.isEmpty else { return nil }
            return "opencl:\(gpus[localRank % gpus.count].index)"
        case "opencl", "gpu":
            let all = devices()
            guard !all.isEmpty else { return text }  // the task says there is none
            return "opencl:\(all[localRank % all.count].index)"
        default:
            return requested
        }
    }

    /// The requested device: the command line's, else the sweep file's, else the environment's.
    public static func requested(option: String?, spec: SweepSpec, environment: [String: String]) -> String? {
        if let option { return option }
        if let d = spec.options["device"] { return d.text }
        if let e = environment[DeviceSpec.environmentVariable], !e.isEmpty { return e }
        return nil
    }
}
