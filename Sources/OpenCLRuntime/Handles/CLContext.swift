import COpenCL
import Foundation

/// One OpenCL device with its context, its in-order queue and its compiled programs.
/// Shared per device (`CLContext.shared(index:)`); every enqueue goes through one lock, which
/// also serialises calls into CLBlast (its 1.5.3 cache races across threads).
public final class CLContext: @unchecked Sendable {
    public let info: CLDeviceInfo
    let device: cl_device_id?
    let context: cl_context?
    package let queue: cl_command_queue?
    let programs: ProgramCache
    private let lock = NSRecursiveLock()
    /// Kernels enqueued on this context so far (`run` and CLBlast calls), for launch-count
    /// tests and `--profile`; read under the queue lock.
    public private(set) var launches = 0
    /// CL_KERNEL_WORK_GROUP_SIZE of each kernel object, asked once.
    private var kernelWorkGroupLimit: [OpaquePointer: Int] = [:]

    init(entry: CLPlatforms.Entry) throws {
        info = entry.info
        device = entry.device
        var status: cl_int = 0
        var dev = entry.device
        let ctx = clCreateContext(nil, 1, &dev, nil, nil, &status)
        try clCheck(status, "clCreateContext(\(entry.info.name))")
        let q = clCreateCommandQueue(ctx, entry.device, 0, &status)
        if status != CL_SUCCESS {
            clReleaseContext(ctx)
            throw OpenCLError(code: status, call: "clCreateCommandQueue(\(entry.info.name))")
        }
        context = ctx
        queue = q
        programs = ProgramCache(diskDirectory: ProgramCache.usableDefaultDirectory())
    }

    deinit {
        programs.releaseAll()
        clReleaseCommandQueue(queue)
        clReleaseContext(context)
    }

    // MARK: shared contexts

    private final class Registry: @unchecked Sendable {
        let lock = NSLock()
        var contexts: [Int: CLContext] = [:]
    }
    private static let registry = Registry()

    /// The context of device `opencl:index`, created on first use.
    public static func shared(index: Int) throws -> CLContext {
        registry.lock.lock()
        defer { registry.lock.unlock() }
        if let c = registry.contexts[index] { return c }
        let entries = try CLPlatforms.enumerate()
        guard entries.indices.contains(index) else {
            throw ComputeError.unknownDevice(requested: "opencl:\(index)",
                                             available: ["cpu"] + entries.map { $0.info.label })
        }
        let c = try CLContext(entry: entries[index])
        registry.contexts[index] = c
        return c
    }

    // MARK: work

    /// Runs `body` holding the queue lock.
    public func serialized<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    public func buffer<T>(_ type: T.Type = T.self, count: Int) throws -> CLBuffer<T> {
        try CLBuffer<T>(context: self, count: count)
    }

    public func buffer<T>(_ values: [T]) throws -> CLBuffer<T> {
        let b = try CLBuffer<T>(context: self, count: values.count)
        try b.write(values)
        return b
    }

    public func finish() throws {
        try serialized { try clCheck(clFinish(queue), "clFinish") }
    }

    func checkAllocation(bytes: Int) throws {
        if bytes > info.maxAllocation {
            throw ComputeError.allocationTooLarge(bytes: bytes, maxAllocation: info.maxAllocation, device: info.label)
        }
    }

    /// Checks a plan's total device memory before any work starts.
    public func checkFits(totalBytes: Int) throws {
        if totalBytes > info.globalMemory {
            throw ComputeError.outOfDeviceMemory(bytes: totalBytes, available: info.globalMemory, device: info.label)
        }
    }

    /// Launches one kernel after checking fp64 support and work-group limits.
    public func run(_ inv: KernelInvocation) throws {
        if inv.needsFP64 && !info.fp64 { throw ComputeError.noFP64(device: info.label, op: inv.name) }
        try serialized {
            let kernel = try programs.kernel(file: inv.file, name: inv.name, options: inv.options, on: self)
            if let local = inv.local {
                try checkWorkGroup(kernel: kernel, name: inv.name, local: local)
            }
            for (i, arg) in inv.args.enumerated() {
                try setArg(kernel, UInt32(i), arg, name: inv.name)
            }
            var global = inv.global
            if let local = inv.local {
                for d in global.indices where local[d] > 0 { global[d] = roundUp(global[d], local[d]) }
            }
            if global.contains(0) { return }
            launches += 1
            let status: cl_int
            if var local = inv.local {
                status = clEnqueueNDRangeKernel(queue, kernel, cl_uint(global.count), nil, &global, &local, 0, nil, nil)
            } else {
                status = clEnqueueNDRangeKernel(queue, kernel, cl_uint(global.count), nil, &global, nil, 0, nil, nil)
            }
            try clCheck(status, "clEnqueueNDRangeKernel(\(inv.name), global \(global), local \(inv.local.map { "\($0)" } ?? "auto"))")
        }
    }

    /// Counts a launch enqueued outside `run` (a CLBlast routine).
    package func countLaunch() { serialized { launches += 1 } }

    /// Launches so far, read under the queue lock.
    public var launchCount: Int { serialized { launches } }

    private func checkWorkGroup(kernel: cl_kernel?, name: String, local: [Int]) throws {
        guard let kernel else { return }
        var kernelMax = kernelWorkGroupLimit[kernel] ?? 0
        if kernelMax == 0 {
            try clCheck(clGetKernelWorkGroupInfo(kernel, device, cl_kernel_work_group_info(CL_KERNEL_WORK_GROUP_SIZE),
                                                 MemoryLayout<Int>.size, &kernelMax, nil), "clGetKernelWorkGroupInfo(\(name))")
            kernelWorkGroupLimit[kernel] = kernelMax
        }
        let total = local.reduce(1, *)
        let perDim = info.maxWorkItemSizes
        let dimOK = local.enumerated().allSatisfy { $0.offset < perDim.count && $0.element <= perDim[$0.offset] }
        if total > min(kernelMax, info.maxWorkGroupSize) || !dimOK {
            throw ComputeError.workGroupTooLarge(kernel: name, requested: local,
                                                 maxTotal: min(kernelMax, info.maxWorkGroupSize), maxPerDim: perDim)
        }
    }

    private func setArg(_ k: cl_kernel?, _ i: UInt32, _ arg: KernelArg, name: String) throws {
        func set<V: BitwiseCopyable>(_ v: V) -> cl_int {
            withUnsafeBytes(of: v) { clSetKernelArg(k, i, $0.count, $0.baseAddress) }
        }
        let status: cl_int
        switch arg {
        case .buffer(let m): status = set(m)
        case .int32(let v): status = set(v)
        case .uint32(let v): status = set(v)
        case .int64(let v): status = set(v)
        case .uint64(let v): status = set(v)
        case .float(let v): status = set(v)
        case .double(let v): status = set(v)
        case .local(let bytes): status = clSetKernelArg(k, i, bytes, nil)
        }
        try clCheck(status, "clSetKernelArg(\(name), arg \(i))")
    }
}
