import Compute
import Dynamics
import Learning
import InformationBottleneck
/// `gpurun bench matmul`: square C = A B on our GPU-shaped kernel (kernels/gemm_tiled.cl, tuned or
/// default parameters), our CPU-shaped kernel on CPU devices, CLBlast and OpenBLAS, each
/// timed after a warm-up in the same run.
public enum MatmulBench {
    /// The square sizes and the element type timed.
    public struct Settings: Sendable {
        public var sizes: [Int]
        public var dtype: DType
        public init(sizes: [Int], dtype: DType) { (self.sizes, self.dtype) = (sizes, dtype) }
    }

    /// `gpurun bench matmul --json`: the device's label ("cpu only" without one) and every timing.
    public struct Report: Encodable, Sendable {
        public var device: String
        public var results: [BenchResult]
    }

    /// Times every engine at every size, on `device` and OpenBLAS (`device` nil: OpenBLAS only);
    /// `progress` hears each timing as it starts. A size below 1 is InvalidInput.
    public static func run(_ settings: Settings, device: OpenCLBackend?,
                           progress: (String) -> Void = { _ in }) throws -> Report {
        try BenchInput.squareSizes(settings.sizes, "the matrix sizes", matrices: 4)
        let results = switch settings.dtype {
        case .f32: try run(Float.self, sizes: settings.sizes, device: device, progress: progress)
        case .f64: try run(Double.self, sizes: settings.sizes, device: device, progress: progress)
        }
        return Report(device: device?.label ?? "cpu only", results: results)
    }

    static func run<T: Scalar>(_: T.Type, sizes: [Int], device: OpenCLBackend?,
                               progress: (String) -> Void) throws -> [BenchResult] {
        var out: [BenchResult] = []
        for n in sizes {
            let p = GemmParams(m: n, n: n, k: n)
            var engines: [(String, any Backend, GemmEngine?)] = []
            if let device {
                // Our GPU-shaped kernel everywhere; the CPU-shaped one where it applies (CPU devices).
                engines.append(("tiled", device, .tiled))
                if device.cl.info.type == "CPU" { engines.append(("own", device, .own)) }
                engines.append(("clblast", device, .clblast))
            }
            engines.append(("openblas", CPUBackend.shared, nil))
            for (name, be, engine) in engines {
                progress("timing \(name) \(n)")
                let a: Tensor<T> = try be.normal([n, n], seed: 1, stream: 0, offset: 0)
                let b: Tensor<T> = try be.normal([n, n], seed: 1, stream: 1, offset: 0)
                let c = try be.zeros([n, n], as: T.self)
                let seconds = try Timing.median(minSeconds: 2) {
                    if let engine, let cl = be as? OpenCLBackend {
                        try cl.gemm(p, alpha: 1, a, b, beta: 0, c, engine: engine)
                    } else {
                        try be.gemm(p, alpha: 1, a, b, beta: 0, c)
                    }
                    try be.synchronize()
                }
                out.append(BenchResult(size: n, dtype: T.dtype.rawValue, engine: name,
                                       gflops: p.flops / seconds / 1e9, seconds: seconds))
            }
        }
        return out
    }
}
