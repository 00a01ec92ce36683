import COpenCL

/// One argument of an OpenCL kernel, typed as the kernel declares it.
public enum KernelArg {
    case buffer(cl_mem?)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case float(Float)
    case double(Double)
    /// `__local` scratch of this many bytes.
    case local(Int)
}

/// A buffer and an element offset into it: how kernels take tensor views (`buffer, ulong offset`).
public struct Operand {
    public var mem: cl_mem?
    public var offset: Int
    public init(_ mem: cl_mem?, _ offset: Int = 0) {
        self.mem = mem
        self.offset = offset
    }
    public var args: [KernelArg] { [.buffer(mem), .uint64(UInt64(offset))] }
}

/// Everything a runtime needs to launch one kernel: which program (a file in kernels/ plus
/// build options), which entry point, its arguments and the NDRange.
public struct KernelInvocation {
    public var file: String
    public var name: String
    public var options: String
    public var args: [KernelArg]
    public var global: [Int]
    /// nil lets the driver choose.
    public var local: [Int]?
    /// The kernel computes in double precision.
    public var needsFP64: Bool

    public init(file: String, name: String, options: String = "", args: [KernelArg],
                global: [Int], local: [Int]? = nil, needsFP64: Bool = false) {
        self.file = file
        self.name = name
        self.options = options
        self.args = args
        self.global = global
        self.local = local
        self.needsFP64 = needsFP64
    }
}

/// Rounds `n` up to a multiple of `m` (global sizes must be multiples of local sizes in 1.2).
@inlinable public func roundUp(_ n: Int, _ m: Int) -> Int { m <= 1 ? n : (n + m - 1) / m * m }
