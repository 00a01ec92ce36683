import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// The spectrum benchmark: eigenvalues of `samples` real Ginibre matrices of order n, ours
/// (Philox generation on the backend, LAPACK dgeev on all cores) against numpy's
/// `linalg.eigvals` in a Python loop (bench/eigvals_numpy.py), in one run, as a ratio.
public enum EnsembleBench {
    public struct Result: Codable, Sendable {
        public var n: Int
        public var samples: Int
        public var seed: UInt64
        public var device: String
        /// Our wall-clock seconds, generation included, and their split (summed over threads).
        public var seconds: Double
        public var generateSeconds: Double
        public var eigenSeconds: Double
        public var workers: Int
        public var secondsPerMatrix: Double
        /// The numpy script's JSON report, when it ran.
        public var numpy: NumpyTiming?
        /// Why numpy did not run.
        public var numpySkipped: String?
        /// numpy seconds / our seconds, generation included on both sides: ≥ 1 means we are faster.
        public var ratio: Double?
    }

    /// What bench/eigvals_numpy.py prints.
    public struct NumpyTiming: Codable, Sendable {
        public var numpy: String
        public var threads: String
        public var n: Int
        public var samples: Int
        public var seconds: Double
        public var generateSeconds: Double
        public var eigvalsSeconds: Double
        public var secondsPerMatrix: Double
    }

    /// Times ours, then (unless `numpyScript` is nil) runs `python numpyScript --n N --samples B`
    /// with `numpyThreads` BLAS threads (nil: numpy's default) and reads its JSON. An order or a
    /// count below 1 is InvalidInput.
    public static func run(n: Int = 500, samples: Int = 200, seed: UInt64 = 0, on backend: any Backend,
                           numpyScript: String? = "bench/eigvals_numpy.py", python: String = "python3",
                           numpyThreads: Int? = nil) throws -> Result {
        guard n >= 1, samples >= 1 else {
            throw InvalidInput(ComputeError.invalidArgument(
                "the matrix order and the number of matrices must be at least 1, got \(n) and \(samples)"))
        }
        let s = try SpectrumRun.run(Ginibre(n: n), samples: samples, seed: seed, on: backend)
        var r = Result(n: n, samples: samples, seed: seed, device: backend.label, seconds: s.timing.wallSeconds,
                       generateSeconds: s.timing.generateSeconds, eigenSeconds: s.timing.eigenSeconds,
                       workers: s.timing.workers, secondsPerMatrix: s.timing.wallSeconds / Double(samples))
        guard let script = numpyScript else {
            r.numpySkipped = "not requested"
            return r
        }
        do {
            let np = try runNumpy(script: script, python: python, n: n, samples: samples, seed: seed, threads: numpyThreads)
            r.numpy = np
            r.ratio = np.seconds / max(r.seconds, 1e-9)
        } catch {
            r.numpySkipped = "\(error)"
        }
        return r
    }

    static func runNumpy(script: String, python: String, n: Int, samples: Int, seed: UInt64,
                         threads: Int?) throws -> NumpyTiming {
        guard FileManager.default.fileExists(atPath: script) else {
            throw ComputeError.io(path: script, reason: "the numpy benchmark script is not there (run from the "
                + "repository root, or pass its path)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, script, "--n", String(n), "--samples", String(samples), "--seed", String(seed)]
            + (threads.map { ["--threads", String($0)] } ?? [])
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch {
            throw ComputeError.invalidArgument("cannot start \(python): \(error.localizedDescription)")
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let tail = String(decoding: e, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: " / ")
            throw ComputeError.invalidArgument("\(python) \(script) exited with status \(p.terminationStatus): \(tail)")
        }
        do {
            return try JSONDecoder().decode(NumpyTiming.self, from: o)
        } catch {
            throw ComputeError.invalidArgument("\(script) printed no valid JSON report (\(error))")
        }
    }
}
