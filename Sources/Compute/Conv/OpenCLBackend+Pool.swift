import OpenCLRuntime
/// The OpenCL engine's pooling (kernels/pool.cl): one work-item per output element forward and
/// one per input pixel backward (a gather over the windows that contain it, no atomics).
extension OpenCLBackend {
    public func maxPool2dForward<T: Scalar>(_ x: Tensor<T>, _ p: Pool2dParams, into y: Tensor<T>) throws {
        try checkPool("maxPool2d", x: x, y: y, p)
        try checkDType(T.self, "maxPool2d")
        try cl.run(PoolKernels.forward(isMax: true, dtype: T.dtype, fp64: cl.info.fp64, x: operand(x), y: operand(y), p))
    }

    public func maxPool2dBackward<T: Scalar>(_ x: Tensor<T>, _ dy: Tensor<T>, _ p: Pool2dParams,
                                             into dx: Tensor<T>) throws {
        try checkPool("maxPool2dBackward", x: x, y: dy, p)
        try checkOperands("maxPool2dBackward", [dx], count: x.count)
        try checkDType(T.self, "maxPool2dBackward")
        try cl.run(PoolKernels.backward(isMax: true, dtype: T.dtype, fp64: cl.info.fp64, x: operand(x), dy: operand(dy),
                                        dx: operand(dx), p))
    }

    public func avgPool2dForward<T: Scalar>(_ x: Tensor<T>, _ p: Pool2dParams, into y: Tensor<T>) throws {
        try checkPool("avgPool2d", x: x, y: y, p)
        try checkDType(T.self, "avgPool2d")
        try cl.run(PoolKernels.forward(isMax: false, dtype: T.dtype, fp64: cl.info.fp64, x: operand(x), y: operand(y), p))
    }

    public func avgPool2dBackward<T: Scalar>(_ dy: Tensor<T>, _ p: Pool2dParams, into dx: Tensor<T>) throws {
        try checkPool("avgPool2dBackward", x: dx, y: dy, p)
        try checkDType(T.self, "avgPool2dBackward")
        // x is not read for average pooling; dx stands in for it.
        try cl.run(PoolKernels.backward(isMax: false, dtype: T.dtype, fp64: cl.info.fp64, x: operand(dx),
                                        dy: operand(dy), dx: operand(dx), p))
    }

    public func globalAvgPoolForward<T: Scalar>(_ x: Tensor<T>, into y: Tensor<T>) throws {
        let (planes, size) = try checkGlobalPool("globalAvgPool", x: x, y: y)
        try checkDType(T.self, "globalAvgPool")
        if kernelShape == .gpu {
            return try runGPU { GPUReduceKernels.globalAvgForward(dtype: T.dtype, fp64: cl.info.fp64, x: operand(x),
                                                                  y: operand(y), planes: planes, size: size, wg: $0) }
        }
        try cl.run(PoolKernels.globalAvgForward(dtype: T.dtype, fp64: cl.info.fp64, x: operand(x), y: operand(y),
                                                planes: planes, size: size))
    }

    public func globalAvgPoolBackward<T: Scalar>(_ dy: Tensor<T>, into dx: Tensor<T>) throws {
        let (planes, size) = try checkGlobalPool("globalAvgPoolBackward", x: dx, y: dy)
        try checkDType(T.self, "globalAvgPoolBackward")
        try cl.run(PoolKernels.globalAvgBackward(dtype: T.dtype, fp64: cl.info.fp64, dy: operand(dy), dx: operand(dx),
                                                 planes: planes, size: size))
    }
}
