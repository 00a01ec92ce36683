import OpenCLRuntime
import CBLAS
import Foundation
import RealModule

/// The CPU engine: OpenBLAS and LAPACKE for dense linear algebra, Swift loops for the rest.
public final class CPUBackend: Backend, @unchecked Sendable {
    public static let shared = CPUBackend()

    public var kind: BackendKind { .cpu }
    public var label: String { "cpu" }
    public var supportsFP64: Bool { true }

    public init() { BLASSetup.configure() }

    /// BLAS vendor line, the kernel family OpenBLAS chose for this CPU, and its thread count.
    public static var blasDescription: (config: String, core: String, threads: Int) {
        BLASSetup.configure()
        return (String(cString: openblas_get_config()), String(cString: openblas_get_corename()),
         Int(openblas_get_num_threads()))
    }

    /// The first element of a tensor (views included).
    package func ptr<T>(_ t: Tensor<T>) -> UnsafeMutablePointer<T> {
        guard case .host(let h) = t.storage else { preconditionFailure("CPU backend got a device tensor") }
        return h.pointer + t.offset
    }

    func buf<T>(_ t: Tensor<T>) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(start: ptr(t), count: t.count)
    }

    // MARK: memory

    public func tensor<T: Scalar>(_ values: [T], shape: [Int]) throws -> Tensor<T> {
        try validateShape(shape)
        guard shape.reduce(1, *) == values.count else {
            throw ComputeError.shapeMismatch("\(values.count) values do not fill shape \(shape)")
        }
        return Tensor(shape: shape, backend: self, storage: .host(HostBuffer(values)))
    }

    public func zeros<T: Scalar>(_ shape: [Int], as type: T.Type) throws -> Tensor<T> {
        try validateShape(shape)
        return try tensor([T](repeating: 0, count: shape.reduce(1, *)), shape: shape)
    }

    public func read<T: Scalar>(_ t: Tensor<T>) throws -> [T] {
        try checkOperands("read", [t])
        return Array(buf(t))
    }

    public func write<T: Scalar>(_ values: [T], into t: Tensor<T>) throws {
        try checkOperands("write", [t], count: values.count)
        _ = buf(t).update(fromContentsOf: values)
    }

    public func copy<T: Scalar>(_ src: Tensor<T>, into dst: Tensor<T>) throws {
        try checkOperands("copy", [src, dst], count: src.count)
        ptr(dst).update(from: ptr(src), count: src.count)
    }

    public func synchronize() throws {}

    // MARK: random

    public func philoxRaw(count: Int, seed: UInt64, stream: UInt32, offset: UInt64) throws -> [UInt32] {
        PhiloxFill.raw(count: count, seed: seed, stream: stream, offset: offset)
    }

    public func uniform<T: Scalar>(_ shape: [Int], seed: UInt64, stream: UInt32, offset: UInt64) throws -> Tensor<T> {
        try philoxTensor(shape, { PhiloxFill.uniform(count: $0, seed: seed, stream: stream, offset: offset) },
                         { PhiloxFill.uniform(count: $0, seed: seed, stream: stream, offset: offset) })
    }

    public func normal<T: Scalar>(_ shape: [Int], seed: UInt64, stream: UInt32, offset: UInt64) throws -> Tensor<T> {
        try philoxTensor(shape, { PhiloxFill.normal(count: $0, seed: seed, stream: stream, offset: offset) },
                         { PhiloxFill.normal(count: $0, seed: seed, stream: stream, offset: offset) })
    }

    /// A tensor of `shape` filled by the float32 or float64 generator, as T is.
    private func philoxTensor<T: Scalar>(_ shape: [Int], _ f32: (Int) -> [Float], _ f64: (Int) -> [Double]) throws
        -> Tensor<T> {
        let n = shape.reduce(1, *)
        return try tensor(T.dtype == .f32 ? f32(n) as! [T] : f64(n) as! [T], shape: shape)
    }

    // MARK: elementwise

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func apply<T: Scalar>(_ op: UnaryOp, _ x: Tensor<T>, into y: Tensor<T>) throws {
        try checkOperands("apply(\(op))", [x, y], count: x.count)
        let px = ptr(x), py = ptr(y)
        Self.split(x.count) { r in
            let (px, py) = (px, py)  // locals: stores through py cannot change them, so loops vectorise
            if op == .relu {
                for i in r { py[i] = px[i] > 0 ? px[i] : 0 }
            } else {
                for i in r { py[i] = Self.unary(op, px[i]) }
            }
        }
    }

    /// body(r) over 0..<count: in two halves run concurrently on large arrays (elementwise
    /// loops over disjoint elements), in one piece below `minimum`.
    static func split(_ count: Int, minimum: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
        if count < minimum { return body(0..<count) }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let task = body
            DispatchQueue.concurrentPerform(iterations: 2) { h in task((h * count / 2)..<((h + 1) * count / 2)) }
        }
    }

    /// The CPU twin of unary_apply in kernels/elementwise.cl.
    static func unary<T: Scalar>(_ op: UnaryOp, _ x: T) -> T {
        switch op {
        case .tanh: return T.tanh(x)
        case .sech2: let c = T.cosh(x); return 1 / (c * c)
        case .sigmoid: return 1 / (1 + T.exp(-x))
        case .exp: return T.exp(x)
        case .log: return T.log(x)
        case .abs: return Swift.abs(x)
        case .relu: return x > 0 ? x : 0
        case .square: return x * x
        case .sqrt: return T.sqrt(x)
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func axpby<T: Scalar>(_ alpha: T, _ x: Tensor<T>, _ beta: T, _ y: Tensor<T>) throws {
        try checkOperands("axpby", [x, y], count: x.count)
        let px = ptr(x), py = ptr(y)
        Self.split(x.count) { r in
            let (px, py) = (px, py)  // locals (see apply)
            if beta == 0 {
                for i in r { py[i] = alpha * px[i] }
            } else {
                for i in r { py[i] = alpha * px[i] + beta * py[i] }
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func sum<T: Scalar>(_ x: Tensor<T>) throws -> Double {
        try checkOperands("sum", [x])
        return buf(x).reduce(0.0) { $0 + $1.double }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func dot<T: Scalar>(_ x: Tensor<T>, _ y: Tensor<T>) throws -> Double {
        try checkOperands("dot", [x, y], count: x.count)
        let a = ptr(x), b = ptr(y)
        var s = 0.0
        for i in 0..<x.count { s += a[i].double * b[i].double }
        return s
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func binary<T: Scalar>(_ op: BinaryOp, _ x: Tensor<T>, _ y: Tensor<T>, into z: Tensor<T>) throws {
        try checkOperands("binary(\(op))", [x, y, z], count: x.count)
        let a = ptr(x), b = ptr(y), c = ptr(z)
        Self.split(x.count) { r in
            let (a, b, c) = (a, b, c)  // locals (see apply)
            switch op {
            case .add: for i in r { c[i] = a[i] + b[i] }
            case .sub: for i in r { c[i] = a[i] - b[i] }
            case .mul: for i in r { c[i] = a[i] * b[i] }
            case .div: for i in r { c[i] = a[i] / b[i] }
            case .maskPositive: for i in r { let v = a[i]; c[i] = b[i] > 0 ? v : 0 }  // both loads: no branch
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func scale<T: Scalar>(rows: Bool, _ v: Tensor<T>, _ x: Tensor<T>, cols: Int, beta: T, into y: Tensor<T>) throws {
        try checkScale(rows: rows, v, x, cols: cols, y)
        let pv = ptr(v), px = ptr(x), py = ptr(y)
        let nRows = cols == 0 ? 0 : x.count / cols
        for r in 0..<nRows {
            for c in 0..<cols {
                let s = (rows ? pv[r] : pv[c]) * px[r * cols + c]
                py[r * cols + c] = beta == 0 ? s : s + beta * py[r * cols + c]
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func fill<T: Scalar>(_ y: Tensor<T>, with value: T) throws {
        try checkOperands("fill", [y])
        ptr(y).update(repeating: value, count: y.count)
    }
}
