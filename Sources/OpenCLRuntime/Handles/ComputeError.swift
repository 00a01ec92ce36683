import Foundation

/// Errors of the library that are not a failed OpenCL call. Each reads as a sentence a user
/// can act on.
public enum ComputeError: Error, CustomStringConvertible, Sendable {
    case unknownDevice(requested: String, available: [String])
    case noOpenCL(reason: String)
    case buildFailed(file: String, device: String, options: String, log: String)
    case noFP64(device: String, op: String)
    case allocationTooLarge(bytes: Int, maxAllocation: Int, device: String)
    case outOfDeviceMemory(bytes: Int, available: Int, device: String)
    case workGroupTooLarge(kernel: String, requested: [Int], maxTotal: Int, maxPerDim: [Int])
    case localMemoryTooLarge(kernel: String, requested: Int, available: Int, device: String)
    case invalidArgument(String)
    case shapeMismatch(String)
    case backendMismatch(String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownDevice(let r, let a):
            "unknown device '\(r)'; available: \(a.joined(separator: ", "))"
        case .noOpenCL(let reason):
            "no OpenCL device is available (\(reason))"
        case .buildFailed(let f, let d, let o, let log):
            "building kernels/\(f) for \(d) failed (options: '\(o)'). Build log:\n\(log)"
        case .noFP64(let d, let op):
            "\(op) needs double precision, which device \(d) does not support (no cl_khr_fp64); use float32 or the CPU backend"
        case .allocationTooLarge(let b, let m, let d):
            "a buffer of \(formatBytes(b)) exceeds the largest single allocation on \(d) (\(formatBytes(m)))"
        case .outOfDeviceMemory(let b, let a, let d):
            "this needs \(formatBytes(b)) of device memory but \(d) has \(formatBytes(a))"
        case .workGroupTooLarge(let k, let r, let t, let p):
            "kernel \(k): work-group \(r) exceeds the device limit (\(t) in total, \(p) per dimension)"
        case .localMemoryTooLarge(let k, let r, let a, let d):
            "kernel \(k): needs \(r) bytes of local memory, \(d) has \(a) bytes a work-group"
        case .invalidArgument(let s), .shapeMismatch(let s), .backendMismatch(let s):
            s
        case .io(let p, let r):
            "\(p): \(r)"
        }
    }
}

/// "1.50 GiB", "12.0 MiB", "512 B".
public func formatBytes(_ n: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var v = Double(n), u = 0
    while v >= 1024, u < units.count - 1 { v /= 1024; u += 1 }
    return u == 0 ? "\(n) B" : String(format: "%.2f ", v) + units[u]
}
