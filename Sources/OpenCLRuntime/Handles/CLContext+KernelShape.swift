import COpenCL

/// Which family of kernels a device runs. CPU devices (PoCL) get the register-blocked kernels
/// with one work-item a work-group (kernels/conv2d.cl, train.cl, pool.cl); GPUs and
/// accelerators get the work-group kernels (kernels/conv2d_gpu.cl, reduce_gpu.cl): tree
/// reductions in local memory, coalesced reads, work-groups sized from the device's limits.
public enum KernelShape: String, Sendable, CaseIterable {
    case cpu
    case gpu

    /// `.cpu` for CL_DEVICE_TYPE_CPU devices, `.gpu` for GPUs, accelerators and the rest.
    public static func forDevice(_ info: CLDeviceInfo) -> KernelShape { info.type == "CPU" ? .cpu : .gpu }
}

extension CLContext {
    /// The work-group size for kernel `name` of `file` built with `options`: the largest power of
    /// two no larger than `preferred`, CL_DEVICE_MAX_WORK_GROUP_SIZE, CL_DEVICE_MAX_WORK_ITEM_SIZES[0]
    /// and the compiled kernel's CL_KERNEL_WORK_GROUP_SIZE (so a 256-item device gets 256).
    package func workGroupSize(file: String, name: String, options: String, preferred: Int) throws -> Int {
        try serialized {
            let kernel = try programs.kernel(file: file, name: name, options: options, on: self)
            var kernelMax = 0
            try clCheck(clGetKernelWorkGroupInfo(kernel, device, cl_kernel_work_group_info(CL_KERNEL_WORK_GROUP_SIZE),
                                                 MemoryLayout<Int>.size, &kernelMax, nil),
                        "clGetKernelWorkGroupInfo(\(name))")
            let limit = min(preferred, info.maxWorkGroupSize, info.maxWorkItemSizes.first ?? 1,
                            kernelMax > 0 ? kernelMax : 1)
            var l = 1
            while l * 2 <= limit { l *= 2 }
            return l
        }
    }

    /// The invocation `make(l)` for the work-group size `l` of `workGroupSize` (built once with
    /// l = 1 to learn its program and entry point).
    package func sized(preferred: Int, _ make: (Int) -> KernelInvocation) throws -> KernelInvocation {
        let probe = make(1)
        return make(try workGroupSize(file: probe.file, name: probe.name, options: probe.options, preferred: preferred))
    }

    /// Throws `ComputeError.localMemoryTooLarge` when the `__local` arguments of `inv` need more
    /// than the device's CL_DEVICE_LOCAL_MEM_SIZE (requested against available, before launch).
    package func checkLocalArguments(_ inv: KernelInvocation) throws {
        let bytes = inv.args.reduce(0) { sum, arg in
            if case .local(let b) = arg { return sum + b }
            return sum
        }
        if bytes > info.localMemory {
            throw ComputeError.localMemoryTooLarge(kernel: inv.name, requested: bytes, available: info.localMemory,
                                                   device: info.label)
        }
    }

    /// `run` after `checkLocalArguments`: how the work-group kernels are launched.
    package func runChecked(_ inv: KernelInvocation) throws {
        try checkLocalArguments(inv)
        try run(inv)
    }
}
