import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// `gpurun bench lyapunov`: the full spectrum of the rate network (g = 2, δ = 0.1), timed on
/// our engines and on a numpy reference of the same algorithm (bench/lyapunov_numpy.py), in one
/// run. Both do the same work: 100 state-transient steps, then `steps` steps of Q.
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
    }

    public static func ours(backend: any Backend, n: Int, k: Int, steps: Int, reorth: Int,
                            qr: TangentQR.Method = .host) throws -> Row {
        let model = try RateNetwork<Double>(backend: backend, units: n, g: 2, dt: 0.1, seed: 1)
        let config = LyapunovConfig(steps: steps, transient: 100, qTransient: 0, k: k, reorth: reorth, seed: 1, qr: qr)
        let run = try LyapunovRun(model: model, config: config, identity: [:])
        let t0 = Timing.now()
        guard case .finished(let r) = try run.run() else { throw ComputeError.invalidArgument("bench stopped") }
        return Row(n: n, k: k, steps: steps, reorth: reorth, engine: backend.isCPU ? "cpu" : "opencl", qr: qr.rawValue,
                   seconds: Timing.now() - t0,
                   lambda1: r.exponents[0])
    }

    /// Runs the numpy script with `python` (nil row and a reason when Python or numpy is missing).
    public static func numpy(script: String, python: String = "python3", n: Int, steps: Int, reorth: Int) -> (Row?, String?) {
        let data: Data
        switch ReferenceScript.run(python: python, script: script,
                                   arguments: ["--n", "\(n)", "--steps", "\(steps)", "--reorth", "\(reorth)", "--json"]) {
        case .success(let d): data = d
        case .failure(let e): return (nil, e.description)
        }
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let seconds = obj["seconds"] as? Double, let l1 = obj["lambda1"] as? Double else {
            return (nil, "\(python) \(script) failed (is numpy installed?)")
        }
        return (Row(n: n, k: n, steps: steps, reorth: reorth, engine: "numpy \(obj["numpy"] as? String ?? "")", qr: "numpy",
                    seconds: seconds, lambda1: l1), nil)
    }
}
