import OpenCLRuntime
import COpenCL

/// Launchers for kernels/elementwise.cl.
package enum ElementwiseKernels {
    /// Work-items of a partial reduction; the host adds this many partials.
    package static let reductionWidth = 1024

    package static func unary(op: Int32, dtype: DType, fp64: Bool, x: Operand, y: Operand, count: Int) -> KernelInvocation {
        KernelInvocation(
            file: "elementwise.cl", name: "unary", options: dtype.kernelOptions(deviceHasFP64: fp64),
            args: x.args + y.args + [.uint64(UInt64(count)), .int32(op)],
            global: [count], local: [64], needsFP64: dtype == .f64)
    }

    package static func axpby(dtype: DType, fp64: Bool, alpha: Double, x: Operand, beta: Double, y: Operand,
                             count: Int) -> KernelInvocation {
        KernelInvocation(
            file: "elementwise.cl", name: "axpby", options: dtype.kernelOptions(deviceHasFP64: fp64),
            args: [scalar(alpha, dtype)] + x.args + [scalar(beta, dtype)] + y.args + [.uint64(UInt64(count))],
            global: [count], local: [64], needsFP64: dtype == .f64)
    }

    /// Partials are ACC: double where the device has fp64, else the dtype.
    package static func partialSum(dtype: DType, fp64: Bool, x: Operand, count: Int, partial: cl_mem?) -> KernelInvocation {
        KernelInvocation(
            file: "elementwise.cl", name: "partial_sum", options: dtype.kernelOptions(deviceHasFP64: fp64),
            args: x.args + [.uint64(UInt64(count)), .buffer(partial)],
            global: [reductionWidth], local: [64], needsFP64: dtype == .f64)
    }

    package static func partialDot(dtype: DType, fp64: Bool, x: Operand, y: Operand, count: Int,
                                  partial: cl_mem?) -> KernelInvocation {
        KernelInvocation(
            file: "elementwise.cl", name: "partial_dot", options: dtype.kernelOptions(deviceHasFP64: fp64),
            args: x.args + y.args + [.uint64(UInt64(count)), .buffer(partial)],
            global: [reductionWidth], local: [64], needsFP64: dtype == .f64)
    }

    /// A REAL scalar argument.
    package static func scalar(_ v: Double, _ dtype: DType) -> KernelArg {
        dtype == .f32 ? .float(Float(v)) : .double(v)
    }
}

extension ElementwiseKernels {
    package static func binary(op: Int32, dtype: DType, fp64: Bool, x: Operand, y: Operand, z: Operand,
                              count: Int) -> KernelInvocation {
        KernelInvocation(
            file: "elementwise.cl", name: "binary", options: dtype.kernelOptions(deviceHasFP64: fp64),
            args: x.args + y.args + z.args + [.uint64(UInt64(count)), .int32(op)],
            global: [count], local: [64], needsFP64: dtype == .f64)
    }

    /// `rows == true`: y = diag(v) X + βY; else y = X diag(v) + βY; X row-major with `cols` columns.
    package static func scale(rows: Bool, dtype: DType, fp64: Bool, v: Operand, x: Operand, y: Operand, cols: Int,
                             count: Int, beta: Double) -> KernelInvocation {
        KernelInvocation(
            file: "elementwise.cl", name: rows ? "scale_rows" : "scale_cols",
            options: dtype.kernelOptions(deviceHasFP64: fp64),
            args: v.args + x.args + y.args + [.uint64(UInt64(cols)), .uint64(UInt64(count)), scalar(beta, dtype)],
            global: [count], local: [64], needsFP64: dtype == .f64)
    }

    package static func fill(dtype: DType, fp64: Bool, y: Operand, value: Double, count: Int) -> KernelInvocation {
        KernelInvocation(
            file: "elementwise.cl", name: "fill", options: dtype.kernelOptions(deviceHasFP64: fp64),
            args: y.args + [scalar(value, dtype), .uint64(UInt64(count))],
            global: [count], local: [64], needsFP64: dtype == .f64)
    }
}
