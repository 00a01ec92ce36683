import COpenCL

/// A device buffer of `count` elements of T, released with the object.
public final class CLBuffer<T>: @unchecked Sendable {
    public let mem: cl_mem?
    public let count: Int
    public let context: CLContext
    public var byteCount: Int { count * MemoryLayout<T>.stride }

    init(context: CLContext, count: Int) throws {
        let bytes = max(count, 1) * MemoryLayout<T>.stride
        try context.checkAllocation(bytes: bytes)
        var status: cl_int = 0
        let mem = clCreateBuffer(context.context, cl_mem_flags(CL_MEM_READ_WRITE), bytes, nil, &status)
        if status != CL_SUCCESS {
            throw OpenCLError(code: status, call: "clCreateBuffer",
                              detail: "requested \(formatBytes(bytes)) on \(context.info.label)")
        }
        self.mem = mem
        self.count = count
        self.context = context
    }

    deinit { clReleaseMemObject(mem) }

    /// Copies `values` (at most `count`) to the start of the buffer, or at element `offset`.
    public func write(_ values: [T], offset: Int = 0) throws {
        guard offset >= 0, offset + values.count <= count else {
            throw ComputeError.invalidArgument("write of \(values.count) elements at \(offset) into a buffer of \(count)")
        }
        if values.isEmpty { return }
        try context.serialized {
            try values.withUnsafeBytes { raw in
                try clCheck(clEnqueueWriteBuffer(context.queue, mem, cl_bool(CL_TRUE), offset * MemoryLayout<T>.stride,
                                                 raw.count, raw.baseAddress, 0, nil, nil), "clEnqueueWriteBuffer")
            }
        }
    }

    /// Reads `n` elements from element `offset` (all of them by default).
    public func read(offset: Int = 0, count n: Int? = nil) throws -> [T] where T: Numeric {
        let n = n ?? (count - offset)
        guard offset >= 0, n >= 0, offset + n <= count else {
            throw ComputeError.invalidArgument("read of \(n) elements at \(offset) from a buffer of \(count)")
        }
        var out = [T](repeating: 0, count: n)
        if n == 0 { return out }
        try context.serialized {
            try out.withUnsafeMutableBytes { raw in
                try clCheck(clEnqueueReadBuffer(context.queue, mem, cl_bool(CL_TRUE), offset * MemoryLayout<T>.stride,
                                                raw.count, raw.baseAddress, 0, nil, nil), "clEnqueueReadBuffer")
            }
        }
        return out
    }

    /// Device-side copy of `n` elements.
    public func copy(from src: CLBuffer<T>, srcOffset: Int = 0, dstOffset: Int = 0, count n: Int? = nil) throws {
        let n = n ?? min(src.count - srcOffset, count - dstOffset)
        guard n >= 0, srcOffset + n <= src.count, dstOffset + n <= count else {
            throw ComputeError.invalidArgument("copy of \(n) elements out of range")
        }
        if n == 0 { return }
        let s = MemoryLayout<T>.stride
        try context.serialized {
            try clCheck(clEnqueueCopyBuffer(context.queue, src.mem, mem, srcOffset * s, dstOffset * s, n * s, 0, nil, nil),
                        "clEnqueueCopyBuffer")
        }
    }
}
