import OpenCLRuntime
import COpenCL

/// The OpenCL engine: our kernels (kernels/*.cl) and CLBlast, on one device.
public final class OpenCLBackend: Backend, @unchecked Sendable {
    public let cl: CLContext
    /// Forces the kernel family (tests run the GPU kernels on PoCL with `.gpu`); nil: by device
    /// type (`kernelShape`).
    package var kernelShapeOverride: KernelShape?
    /// Forces the direct convolution's work-group shapes (the conv tuner's candidates); nil:
    /// `convTuning`'s record, else the built-in shapes.
    package var convShapeOverride: ConvDirectParams?
    /// The engine asked for (`--engine`), or nil: then each GEMM (the convolution's included)
    /// follows `gemmTuning`, whose defaults are our CPU-shaped kernel on CPU devices and the
    /// GPU-shaped one elsewhere (`gpurun tune` may record CLBlast where it measured faster).
    public let requestedGemmEngine: GemmEngine?
    /// This device's tuning records (`gpurun tune`), else the built-in defaults per device type and vendor.
    public let gemmTuning: GemmTuning
    /// This device's convolution records (`gpurun tune conv`): path and direct-kernel shapes per
    /// pass and shape class; without one, `Conv2dPath.choose` and the built-in shapes.
    public package(set) var convTuning: ConvTuning

    public init(device index: Int, gemmEngine: GemmEngine? = nil) throws {
        cl = try CLContext.shared(index: index)
        requestedGemmEngine = gemmEngine
        gemmTuning = GemmTuning.load(for: cl.info)
        convTuning = ConvTuning.load(for: cl.info)
    }

    public var kind: BackendKind { .opencl(cl) }
    public var label: String { cl.info.label }
    public var supportsFP64: Bool { cl.info.fp64 }

    func buffer<T>(_ t: Tensor<T>) -> CLBuffer<T> {
        guard case .device(let b) = t.storage else { preconditionFailure("OpenCL backend got a host tensor") }
        return b
    }

    func mem<T>(_ t: Tensor<T>) -> cl_mem? { buffer(t).mem }

    /// A tensor (view) as a kernel operand: buffer plus element offset.
    package func operand<T>(_ t: Tensor<T>) -> Operand { Operand(buffer(t).mem, t.offset) }

    /// Refuses f64 work on a device without fp64, naming the op.
    package func checkDType<T: Scalar>(_ type: T.Type, _ op: String) throws {
        if T.dtype == .f64 && !cl.info.fp64 { throw ComputeError.noFP64(device: label, op: op) }
    }

    // MARK: memory

    public func tensor<T: Scalar>(_ values: [T], shape: [Int]) throws -> Tensor<T> {
        try validateShape(shape)
        guard shape.reduce(1, *) == values.count else {
            throw ComputeError.shapeMismatch("\(values.count) values do not fill shape \(shape)")
        }
        try checkDType(T.self, "a float64 tensor")
        return Tensor(shape: shape, backend: self, storage: .device(try cl.buffer(values)))
    }

    public func zeros<T: Scalar>(_ shape: [Int], as type: T.Type) throws -> Tensor<T> {
        try validateShape(shape)
        try checkDType(T.self, "a float64 tensor")
        let t = Tensor<T>(shape: shape, backend: self, storage: .device(try cl.buffer(count: shape.reduce(1, *))))
        try fill(t, with: 0)
        return t
    }

    public func read<T: Scalar>(_ t: Tensor<T>) throws -> [T] {
        try checkOperands("read", [t])
        return try buffer(t).read(offset: t.offset, count: t.count)
    }

    public func write<T: Scalar>(_ values: [T], into t: Tensor<T>) throws {
        try checkOperands("write", [t], count: values.count)
        try buffer(t).write(values, offset: t.offset)
    }

    public func copy<T: Scalar>(_ src: Tensor<T>, into dst: Tensor<T>) throws {
        try checkOperands("copy", [src, dst], count: src.count)
        try buffer(dst).copy(from: buffer(src), srcOffset: src.offset, dstOffset: dst.offset, count: src.count)
    }

    public func synchronize() throws { try cl.finish() }

    // MARK: random

    public func philoxRaw(count: Int, seed: UInt64, stream: UInt32, offset: UInt64) throws -> [UInt32] {
        let out: CLBuffer<UInt32> = try cl.buffer(count: count)
        try cl.run(RandomKernels.fill(.raw, out: out.mem, count: count, seed: seed, stream: stream, offset: offset))
        return try out.read()
    }

    public func uniform<T: Scalar>(_ shape: [Int], seed: UInt64, stream: UInt32, offset: UInt64) throws -> Tensor<T> {
        try fill(T.dtype == .f32 ? .uniformF32 : .uniformF64, shape, seed, stream, offset)
    }

    public func normal<T: Scalar>(_ shape: [Int], seed: UInt64, stream: UInt32, offset: UInt64) throws -> Tensor<T> {
        try fill(T.dtype == .f32 ? .normalF32 : .normalF64, shape, seed, stream, offset)
    }

    private func fill<T: Scalar>(_ kind: RandomKernels.Fill, _ shape: [Int], _ seed: UInt64, _ stream: UInt32,
                                 _ offset: UInt64) throws -> Tensor<T> {
        try validateShape(shape)
        try checkDType(T.self, kind.rawValue)
        let t = Tensor<T>(shape: shape, backend: self, storage: .device(try cl.buffer(count: shape.reduce(1, *))))
        try cl.run(RandomKernels.fill(kind, out: mem(t), count: t.count, seed: seed, stream: stream, offset: offset))
        return t
    }

    // MARK: elementwise

    public func apply<T: Scalar>(_ op: UnaryOp, _ x: Tensor<T>, into y: Tensor<T>) throws {
        try checkOperands("apply(\(op))", [x, y], count: x.count)
        try cl.run(ElementwiseKernels.unary(op: op.rawValue, dtype: T.dtype, fp64: cl.info.fp64,
                                            x: operand(x), y: operand(y), count: x.count))
    }

    public func axpby<T: Scalar>(_ alpha: T, _ x: Tensor<T>, _ beta: T, _ y: Tensor<T>) throws {
        try checkOperands("axpby", [x, y], count: x.count)
        try cl.run(ElementwiseKernels.axpby(dtype: T.dtype, fp64: cl.info.fp64, alpha: alpha.double, x: operand(x),
                                            beta: beta.double, y: operand(y), count: x.count))
    }

    public func sum<T: Scalar>(_ x: Tensor<T>) throws -> Double {
        try checkOperands("sum", [x])
        return try reducePartials(T.self) {
            ElementwiseKernels.partialSum(dtype: T.dtype, fp64: cl.info.fp64, x: operand(x), count: x.count, partial: $0)
        }
    }

    public func dot<T: Scalar>(_ x: Tensor<T>, _ y: Tensor<T>) throws -> Double {
        try checkOperands("dot", [x, y], count: x.count)
        return try reducePartials(T.self) {
            ElementwiseKernels.partialDot(dtype: T.dtype, fp64: cl.info.fp64, x: operand(x), y: operand(y),
                                          count: x.count, partial: $0)
        }
    }

    public func binary<T: Scalar>(_ op: BinaryOp, _ x: Tensor<T>, _ y: Tensor<T>, into z: Tensor<T>) throws {
        try checkOperands("binary(\(op))", [x, y, z], count: x.count)
        try cl.run(ElementwiseKernels.binary(op: op.rawValue, dtype: T.dtype, fp64: cl.info.fp64, x: operand(x),
                                             y: operand(y), z: operand(z), count: x.count))
    }

    public func scale<T: Scalar>(rows: Bool, _ v: Tensor<T>, _ x: Tensor<T>, cols: Int, beta: T, into y: Tensor<T>) throws {
        try checkScale(rows: rows, v, x, cols: cols, y)
        try cl.run(ElementwiseKernels.scale(rows: rows, dtype: T.dtype, fp64: cl.info.fp64, v: operand(v),
                                            x: operand(x), y: operand(y), cols: max(cols, 1), count: x.count,
                                            beta: beta.double))
    }

    public func fill<T: Scalar>(_ y: Tensor<T>, with value: T) throws {
        try checkOperands("fill", [y])
        try cl.run(ElementwiseKernels.fill(dtype: T.dtype, fp64: cl.info.fp64, y: operand(y), value: value.double,
                                           count: y.count))
    }

    /// Runs a partial-reduction kernel and adds its partials on the host (ACC is double on fp64 devices).
    private func reducePartials<T: Scalar>(_: T.Type, _ make: (cl_mem?) -> KernelInvocation) throws -> Double {
        let width = ElementwiseKernels.reductionWidth
        if cl.info.fp64 {
            let partial: CLBuffer<Double> = try cl.buffer(count: width)
            try cl.run(make(partial.mem))
            return try partial.read().reduce(0, +)
        }
        let partial: CLBuffer<Float> = try cl.buffer(count: width)
        try cl.run(make(partial.mem))
        return try partial.read().reduce(0.0) { $0 + Double($1) }
    }
}
