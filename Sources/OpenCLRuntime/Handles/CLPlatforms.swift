import COpenCL

/// Every OpenCL device on every platform, numbered across platforms in discovery order:
/// `opencl:N` names the N-th.
public enum CLPlatforms {
    struct Entry {
        let platform: cl_platform_id?
        let device: cl_device_id?
        let info: CLDeviceInfo
    }

    /// Devices found, or the reason none were (no ICD, no platform, loader error).
    public static func discover() -> (devices: [CLDeviceInfo], reason: String?) {
        do {
            let entries = try enumerate()
            return (entries.map(\.info), entries.isEmpty ? "the OpenCL platforms report no devices" : nil)
        } catch let e as OpenCLError {
            return ([], "\(e.call): \(e.name)")
        } catch {
            return ([], "\(error)")
        }
    }

    static func enumerate() throws -> [Entry] {
        var count: cl_uint = 0
        let status = clGetPlatformIDs(0, nil, &count)
        if status == -1001 || count == 0 { return [] }  // CL_PLATFORM_NOT_FOUND_KHR: no ICD installed
        try clCheck(status, "clGetPlatformIDs")
        var platforms = [cl_platform_id?](repeating: nil, count: Int(count))
        try clCheck(clGetPlatformIDs(count, &platforms, nil), "clGetPlatformIDs")
        var out: [Entry] = []
        for p in platforms {
            var n: cl_uint = 0
            let s = clGetDeviceIDs(p, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &n)
            if s == CL_DEVICE_NOT_FOUND || n == 0 { continue }
            try clCheck(s, "clGetDeviceIDs")
            var devices = [cl_device_id?](repeating: nil, count: Int(n))
            try clCheck(clGetDeviceIDs(p, cl_device_type(CL_DEVICE_TYPE_ALL), n, &devices, nil), "clGetDeviceIDs")
            for d in devices {
                out.append(Entry(platform: p, device: d, info: try CLDeviceInfo(index: out.count, platform: p, device: d)))
            }
        }
        return out
    }
}
