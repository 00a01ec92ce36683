import Compute
import Dynamics
import Learning
import InformationBottleneck
/// `gpurun bench matmul`: square C = A B on our GPU-shaped kernel (kernels/gemm_tiled.cl, tuned or
/// default parameters), our CPU-shaped kernel on CPU devices, CLBlast and OpenBLAS, each
/// timed after a warm-up in the same run.
public enum MatmulBench {
    public static func run(sizes: [Int], dtype: DType, device: OpenCLBackend?,
                           progress: (String) -> Void = { _ in }) throws -> [BenchResult] {
        switch dtype {
        case .f32: try run(Float.self, sizes: sizes, device: device, progress: progress)
        case .f64: try run(Double.self, sizes: sizes, device: device, progress: progress)
        }
    }

    static func run<T: Scalar>(_: T.Type, sizes: [Int], device: OpenCLBackend?,
                               progress: (String) -> Void) throws -> [BenchResult] {
        var out: [BenchResult] = []
        for n in sizes {
            guard n > 0 else { throw ComputeError.invalidArgument("bench matmul: size \(n) must be positive") }
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
                progress("\(name) \(n)")
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
