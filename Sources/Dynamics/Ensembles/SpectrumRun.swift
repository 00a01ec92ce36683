import Compute
import OpenCLRuntime
import Foundation

/// The eigenvalues of `samples` matrices of one ensemble.
public struct EnsembleSpectrum: Sendable {
    public var ensemble: String
    public var order: Int
    public var samples: Int
    public var seed: UInt64
    public var device: String
    public var structure: MatrixStructure
    public var law: SpectralLaw?
    public var jacobianTheory: JacobianSpectrumTheory?
    public var parameters: [String: Double]
    /// samples × order values, sample after sample, each sorted by decreasing modulus
    /// (`SpectrumStatistics.orderByModulus`); `im` is all zero for symmetric ensembles.
    public var re: [Double]
    public var im: [Double]
    public var timing: Timing

    public struct Timing: Codable, Sendable {
        /// Wall-clock seconds of the whole run.
        public var wallSeconds: Double
        /// Seconds spent generating and reading back matrices, summed over threads.
        public var generateSeconds: Double
        /// Seconds spent in LAPACK, summed over threads.
        public var eigenSeconds: Double
        /// Threads that ran LAPACK.
        public var workers: Int
    }
}

/// Runs an ensemble: generates its matrices on a backend in batches and computes their
/// eigenvalues with LAPACK on `workers` CPU threads (OpenBLAS on one thread each).
///
/// On an OpenCL backend each batch is generated with one launch per draw on the calling thread
/// and read back, then its matrices are shared between the workers. On the CPU backend, where
/// generation is itself CPU work, each worker generates the samples it decomposes. Either way
/// sample k is the same matrix: ensembles draw it from (seed, k) alone.
public enum SpectrumRun {
    public static func run(_ ensemble: any MatrixEnsemble, samples: Int, seed: UInt64, on backend: any Backend,
                           workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                           batchBytes: Int = 64 << 20) throws -> EnsembleSpectrum {
        guard samples >= 1 else { throw ComputeError.invalidArgument("the number of samples must be at least 1 (got \(samples))") }
        let n = ensemble.order
        let count = try Checked.product([samples, n], "the eigenvalues of \(samples) samples of order \(n)")
        guard count <= 1 << 31 else {
            throw ComputeError.invalidArgument("\(samples) samples of order \(n) are too many eigenvalues to hold")
        }
        let out = PairedSlots(count: count, initial: 0)
        let clock = Clock()
        let start = Date()
        let structure = ensemble.structure
        let w = max(1, min(workers, samples))
        if backend.isCPU {
            try LAPACK.parallelFor(samples, workers: w) { k in
                let t0 = Date()
                let batch = try ensemble.generate(samples: k..<k + 1, seed: seed, on: backend)
                let t1 = Date()
                let (re, im) = try eigenvalues(batch.values, n: n, structure: structure, sorted: true)
                clock.add(generate: t1.timeIntervalSince(t0), eigen: Date().timeIntervalSince(t1))
                out.store(re, im, at: k * n)
            }
        } else {
            let perMatrix = 8 * n * n * (structure == .complex ? 2 : 1)
            let batchSize = max(1, min(samples, batchBytes / max(perMatrix, 1)))
            var first = 0
            while first < samples {
                let range = first..<min(samples, first + batchSize)
                let t0 = Date()
                let batch = try ensemble.generate(samples: range, seed: seed, on: backend)
                clock.add(generate: Date().timeIntervalSince(t0), eigen: 0)
                try LAPACK.parallelFor(range.count, workers: w) { i in
                    let t1 = Date()
                    let (re, im) = try eigenvalues(batch.matrix(i), n: n, structure: structure, sorted: true)
                    clock.add(generate: 0, eigen: Date().timeIntervalSince(t1))
                    out.store(re, im, at: (range.lowerBound + i) * n)
                }
                first = range.upperBound
            }
        }
        let (re, im) = out.arrays()
        return EnsembleSpectrum(
            ensemble: ensemble.name, order: n, samples: samples, seed: seed, device: backend.label,
            structure: structure, law: ensemble.law, jacobianTheory: ensemble.jacobianTheory, parameters: ensemble.parameters, re: re, im: im,
            timing: .init(wallSeconds: Date().timeIntervalSince(start), generateSeconds: clock.generate,
                          eigenSeconds: clock.eigen, workers: w))
    }

    /// The eigenvalues of one n×n matrix (row-major; complex as interleaved pairs) by the
    /// routine its structure calls for, optionally sorted by decreasing modulus.
    public static func eigenvalues(_ m: [Double], n: Int, structure: MatrixStructure,
                                   sorted: Bool = true) throws -> (re: [Double], im: [Double]) {
        var re: [Double], im: [Double]
        switch structure {
        case .general: (re, im) = try LAPACK.eigenvalues(general: m, n: n)
        case .complex: (re, im) = try LAPACK.eigenvalues(complexInterleaved: m, n: n)
        case .symmetric:
            re = try LAPACK.eigenvalues(symmetric: m, n: n)
            im = [Double](repeating: 0, count: n)
        }
        if !sorted { return (re, im) }
        let order = SpectrumStatistics.orderByModulus(re: re, im: im)
        return (order.map { re[$0] }, order.map { im[$0] })
    }
}

/// Seconds summed over threads.
final class Clock: @unchecked Sendable {
    private let lock = NSLock()
    private var g = 0.0
    private var e = 0.0

    var generate: Double { lock.withLock { g } }
    var eigen: Double { lock.withLock { e } }

    func add(generate dg: Double, eigen de: Double) {
        lock.withLock {
            g += dg
            e += de
        }
    }
}
