import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// `gpurun bench lyapunov`: the full spectrum of the rate network (g = 2, δ = 0.1), timed on
/// our engines and on references of the same algorithm in numpy and PyTorch CPU
/// (bench/lyapunov_reference.py), in one run. All do the same work: 100 state-transient steps,
/// then `steps` steps of Q.
public enum LyapunovBench {
    public struct Row: Codable, Sendable {
        public var n: Int
        public var k: Int
        public var steps: Int
        public var reorth: Int
        public var engine: String
        public var qr: String
        public var seconds: Double
        public var lambda1: Double
        /// Our rows: the run's floating-point work (GFLOP: state and tangent GEMMs, QRs; docs/lyapunov.md L12)
        /// and the time it takes at this engine's dgemm rate measured on an N × N by N × k product.
        public var gflop: Double? = nil
        public var floorSeconds: Double? = nil
    }

    /// The grid (every N with every interval) and the engines' QR methods.
    public struct Settings: Sendable {
        public var sizes: [Int]
        /// Steps accumulated, after 100 transient steps.
        public var steps: Int
        public var reorth: [Int]
        /// Leading exponents (nil: all, k = N).
        public var k: Int?
        /// The QR methods tried on OpenCL engines (CPU engines use Householder).
        public var qr: [TangentQR.Method]
        public var referenceScript: String, python: String
        /// The reference libraries run ("numpy", "torch"); one missing from `python` gives a note.
        public var references: [String]

        public init(sizes: [Int], steps: Int, reorth: [Int], k: Int?, qr: [TangentQR.Method], referenceScript: String,
                    python: String, references: [String] = ["numpy", "torch"]) {
            (self.sizes, self.steps, self.reorth, self.k, self.qr) = (sizes, steps, reorth, k, qr)
            (self.referenceScript, self.python, self.references) = (referenceScript, python, references)
        }
    }

    /// `gpurun bench lyapunov --json`: every row, and why a reference has none where it has none.
    public struct Report: Encodable, Sendable {
        public var results: [Row]
        public var notes: [String]
    }

    /// Per N and interval: each backend with each of its QR methods, then the references; `progress`
    /// hears each run as it starts. A size or interval below 1 is InvalidInput.
    public static func run(_ s: Settings, on backends: [any Backend], progress: (String) -> Void = { _ in }) throws -> Report {
        try BenchInput.squareSizes(s.sizes, "the network sizes", matrices: 6)
        try BenchInput.positive(s.reorth, "the reorthonormalisation intervals")
        var rows: [Row] = [], notes: [String] = []
        // The floor's dgemm rate, measured once per backend and N.
        var rates: [[Int]: Double] = [:]
        func rate(_ i: Int, _ be: any Backend, _ n: Int) throws -> Double {
            if let r = rates[[i, n]] { return r }
            let r = try dgemmRate(be, n: n, k: s.k ?? n)
            rates[[i, n]] = r
            return r
        }
        for n in s.sizes {
            for r in s.reorth {
                for (i, be) in backends.enumerated() {
                    for method in be.isCPU ? [TangentQR.Method.householder] : s.qr.map({ $0.resolved(for: be) }) {
                        progress("\(be.label), \(method.rawValue) QR: N = \(n), reorth \(r)")
                        rows.append(try ours(backend: be, n: n, k: s.k ?? n, steps: s.steps, reorth: r, qr: method,
                                             dgemmRate: try rate(i, be, n)))
                    }
                }
                for library in s.references {
                    progress("\(library): N = \(n), reorth \(r)")
                    let (row, why) = reference(library, script: s.referenceScript, python: s.python, n: n, steps: s.steps, reorth: r)
                    if let row { rows.append(row) } else if let why, !notes.contains(why) { notes.append(why) }
                }
            }
        }
        return Report(results: rows, notes: notes)
    }

    /// `dgemmRate`: FLOP/s for the floor, measured here when not given.
    public static func ours(backend: any Backend, n: Int, k: Int, steps: Int, reorth: Int,
                            qr: TangentQR.Method = .host, dgemmRate rate: Double? = nil) throws -> Row {
        let model = try RateNetwork<Double>(backend: backend, units: n, g: 2, dt: 0.1, seed: 1)
        let config = LyapunovConfig(steps: steps, transient: 100, qTransient: 0, k: k, reorth: reorth, seed: 1, qr: qr)
        let run = try LyapunovRun(model: model, config: config, identity: [:])
        let t0 = Timing.now()
        guard case .finished(let r) = try run.run() else { throw ComputeError.invalidArgument("bench stopped") }
        let seconds = Timing.now() - t0
        let qrs = Double((steps + reorth - 1) / reorth)
        let flops = Double(config.transient + steps) * model.stepGemmFlops(batch: 1)
            + Double(steps) * model.tangentGemmFlops(batch: 1, k: k)
            + qrs * LyapunovProfile.qrFlops(qr.resolved(for: backend), members: 1, s: n, k: k)
        return Row(n: n, k: k, steps: steps, reorth: reorth, engine: backend.isCPU ? "cpu" : "opencl", qr: qr.rawValue,
                   seconds: seconds, lambda1: r.exponents[0], gflop: flops / 1e9,
                   floorSeconds: flops / (try rate ?? dgemmRate(backend, n: n, k: k)))
    }

    /// FLOP/s of this engine's dgemm on an N × N by N × k product (the tangent product's shape).
    static func dgemmRate(_ backend: any Backend, n: Int, k: Int) throws -> Double {
        let a: Tensor<Double> = try backend.normal([n, n], seed: 1, stream: 1, offset: 0)
        let b: Tensor<Double> = try backend.normal([n, k], seed: 1, stream: 2, offset: 0)
        let c = try backend.zeros([n, k], as: Double.self)
        let t = try Timing.median(minSeconds: 0.3) {
            try backend.gemm(GemmParams(m: n, n: k, k: n), alpha: 1, a, b, beta: 0, c)
            try backend.synchronize()
        }
        return 2 * Double(n) * Double(n) * Double(k) / t
    }

    /// Runs the reference script with `python` for `library` (numpy or torch); nil row and a
    /// reason when Python or the library is missing.
    public static func reference(_ library: String, script: String, python: String = "python3", n: Int, steps: Int,
                                 reorth: Int) -> (Row?, String?) {
        let data: Data
        switch ReferenceScript.run(python: python, script: script,
                                   arguments: ["--library", library, "--n", "\(n)", "--steps", "\(steps)", "--reorth", "\(reorth)", "--json"]) {
        case .success(let d): data = d
        case .failure(let e): return (nil, e.description)
        }
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let seconds = obj["seconds"] as? Double, let l1 = obj["lambda1"] as? Double else {
            return (nil, "\(python) \(script) --library \(library) failed (is \(library) installed?)")
        }
        return (Row(n: n, k: n, steps: steps, reorth: reorth, engine: "\(library) \(obj[library] as? String ?? "")", qr: library,
                    seconds: seconds, lambda1: l1), nil)
    }
}
