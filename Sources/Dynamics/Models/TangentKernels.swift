import Compute
import OpenCLRuntime
import COpenCL

/// Launchers for kernels/tangent.cl: the strided-batch diagonal row scalings of the batched
/// tangent products, one work-item per element of the batch.
public enum TangentKernels {
    /// A buffer, the element offset of block 0 and the stride between blocks.
    public struct Blocks {
        public var mem: cl_mem?
        public var offset: Int
        public var stride: Int
        public init(mem: cl_mem?, offset: Int, stride: Int) {
            self.mem = mem
            self.offset = offset
            self.stride = stride
        }
        var args: [KernelArg] { [.buffer(mem), .uint64(UInt64(offset)), .uint64(UInt64(stride))] }
    }

    /// scale_blocks: y_b = α diag(v_b) x_b + β y_b; v nil reads no v (v = 1).
    public static func scaleBlocks(dtype: DType, fp64: Bool, v: Blocks?, x: Blocks, y: Blocks, rows: Int, cols: Int,
                                   batch: Int, alpha: Double, beta: Double) -> KernelInvocation {
        let total = batch * rows * cols
        return KernelInvocation(
            file: "tangent.cl", name: "scale_blocks", options: dtype.kernelOptions(deviceHasFP64: fp64),
            args: (v ?? x).args + [.int32(v == nil ? 0 : 1)] + x.args + y.args
                + [.uint64(UInt64(rows)), .uint64(UInt64(cols)), .uint64(UInt64(total)),
                   ElementwiseKernels.scalar(alpha, dtype), ElementwiseKernels.scalar(beta, dtype)],
            global: [total], local: [64], needsFP64: dtype == .f64)
    }
}
