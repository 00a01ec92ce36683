import COpenCL

/// What `gpurun devices` shows and what launch checks consult, read once per device.
public struct CLDeviceInfo: Sendable, Codable, Equatable {
    public var index: Int
    public var platformName: String
    public var platformVendor: String
    public var platformVersion: String
    public var name: String
    public var vendor: String
    public var type: String
    public var driverVersion: String
    public var deviceVersion: String
    public var openCLCVersion: String
    public var computeUnits: Int
    public var clockMHz: Int
    public var globalMemory: Int
    public var localMemory: Int
    public var localMemoryIsEmulated: Bool
    public var maxAllocation: Int
    public var maxWorkGroupSize: Int
    public var maxWorkItemSizes: [Int]
    public var fp64: Bool
    public var fp16: Bool

    /// "opencl:N (name)", how users and messages refer to it.
    public var label: String { "opencl:\(index) (\(name))" }
    public var isGPU: Bool { type == "GPU" }

    /// A description of a device from its fields (tests, tuning records).
    public init(index: Int, platformName: String, platformVendor: String, platformVersion: String, name: String, vendor: String, type: String, driverVersion: String, deviceVersion: String, openCLCVersion: String, computeUnits: Int, clockMHz: Int, globalMemory: Int, localMemory: Int, localMemoryIsEmulated: Bool, maxAllocation: Int, maxWorkGroupSize: Int, maxWorkItemSizes: [Int], fp64: Bool, fp16: Bool) {
        self.index = index
        self.platformName = platformName
        self.platformVendor = platformVendor
        self.platformVersion = platformVersion
        self.name = name
        self.vendor = vendor
        self.type = type
        self.driverVersion = driverVersion
        self.deviceVersion = deviceVersion
        self.openCLCVersion = openCLCVersion
        self.computeUnits = computeUnits
        self.clockMHz = clockMHz
        self.globalMemory = globalMemory
        self.localMemory = localMemory
        self.localMemoryIsEmulated = localMemoryIsEmulated
        self.maxAllocation = maxAllocation
        self.maxWorkGroupSize = maxWorkGroupSize
        self.maxWorkItemSizes = maxWorkItemSizes
        self.fp64 = fp64
        self.fp16 = fp16
    }
}

extension CLDeviceInfo {
    init(index: Int, platform: cl_platform_id?, device: cl_device_id?) throws {
        self.index = index
        platformName = try CLQuery.platformString(platform, CL_PLATFORM_NAME)
        platformVendor = try CLQuery.platformString(platform, CL_PLATFORM_VENDOR)
        platformVersion = try CLQuery.platformString(platform, CL_PLATFORM_VERSION)
        name = try CLQuery.deviceString(device, CL_DEVICE_NAME)
        vendor = try CLQuery.deviceString(device, CL_DEVICE_VENDOR)
        driverVersion = try CLQuery.deviceString(device, CL_DRIVER_VERSION)
        deviceVersion = try CLQuery.deviceString(device, CL_DEVICE_VERSION)
        openCLCVersion = try CLQuery.deviceString(device, CL_DEVICE_OPENCL_C_VERSION)
        let t: cl_device_type = try CLQuery.deviceValue(device, CL_DEVICE_TYPE)
        type = t & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 ? "GPU"
            : t & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 ? "CPU"
            : t & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 ? "accelerator" : "other"
        computeUnits = Int(try CLQuery.deviceValue(device, CL_DEVICE_MAX_COMPUTE_UNITS) as cl_uint)
        clockMHz = Int(try CLQuery.deviceValue(device, CL_DEVICE_MAX_CLOCK_FREQUENCY) as cl_uint)
        globalMemory = Int(try CLQuery.deviceValue(device, CL_DEVICE_GLOBAL_MEM_SIZE) as cl_ulong)
        localMemory = Int(try CLQuery.deviceValue(device, CL_DEVICE_LOCAL_MEM_SIZE) as cl_ulong)
        let lt: cl_device_local_mem_type = try CLQuery.deviceValue(device, CL_DEVICE_LOCAL_MEM_TYPE)
        localMemoryIsEmulated = lt != cl_device_local_mem_type(CL_LOCAL)
        maxAllocation = Int(try CLQuery.deviceValue(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE) as cl_ulong)
        maxWorkGroupSize = try CLQuery.deviceValue(device, CL_DEVICE_MAX_WORK_GROUP_SIZE) as Int
        let dims = Int(try CLQuery.deviceValue(device, CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS) as cl_uint)
        maxWorkItemSizes = try CLQuery.deviceArray(device, CL_DEVICE_MAX_WORK_ITEM_SIZES, count: dims)
        let ext = try CLQuery.deviceString(device, CL_DEVICE_EXTENSIONS)
        let fp64Config: cl_device_fp_config = (try? CLQuery.deviceValue(device, CL_DEVICE_DOUBLE_FP_CONFIG)) ?? 0
        fp64 = ext.contains("cl_khr_fp64") || fp64Config != 0
        fp16 = ext.contains("cl_khr_fp16")
    }
}

/// clGet*Info wrappers.
enum CLQuery {
    static func platformString(_ p: cl_platform_id?, _ param: Int32) throws -> String {
        try string("clGetPlatformInfo") { clGetPlatformInfo(p, cl_platform_info(param), $0, $1, $2) }
    }

    static func deviceString(_ d: cl_device_id?, _ param: Int32) throws -> String {
        try string("clGetDeviceInfo") { clGetDeviceInfo(d, cl_device_info(param), $0, $1, $2) }
    }

    /// A string property: one `get(size, buffer, sizeReturned)` call for its size, one for its bytes.
    private static func string(_ call: String,
                               _ get: (Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> cl_int) throws
        -> String {
        var size = 0
        try clCheck(get(0, nil, &size), call)
        var bytes = [CChar](repeating: 0, count: size + 1)
        try clCheck(bytes.withUnsafeMutableBytes { get(size, $0.baseAddress, nil) }, call)
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .trimmingWhitespace()
    }

    static func deviceValue<T: FixedWidthInteger>(_ d: cl_device_id?, _ param: Int32) throws -> T {
        var v: T = 0
        try clCheck(clGetDeviceInfo(d, cl_device_info(param), MemoryLayout<T>.size, &v, nil), "clGetDeviceInfo")
        return v
    }

    static func deviceArray(_ d: cl_device_id?, _ param: Int32, count: Int) throws -> [Int] {
        var v = [Int](repeating: 0, count: count)
        try clCheck(clGetDeviceInfo(d, cl_device_info(param), MemoryLayout<Int>.stride * count, &v, nil),
                    "clGetDeviceInfo")
        return v
    }
}

extension String {
    package func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
