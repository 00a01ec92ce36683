import ArgumentParser
import GPURunApp
import Compute
import Foundation

/// `gpurun bench spectrum`: to be listed in `BenchCommand`'s subcommands.
struct BenchSpectrum: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectrum",
        abstract: "Eigenvalues of B Ginibre matrices: ours (Philox on the device, LAPACK on all cores) against numpy's eigvals in a loop.",
        discussion: """
            Both sides generate their matrices (entries N(0, 1/n)) and compute all eigenvalues; the ratio is \
            numpy's seconds over ours, so at least 1 means gpurun is faster. numpy runs as \
            `PYTHON bench/eigvals_numpy.py`, from the current folder unless --numpy-script says otherwise.
            """)

    @Option(help: "Matrix order.") var n = 500
    @Option(help: "Number of matrices.") var samples = 200
    @Option(help: "Philox seed.") var seed: UInt64 = 0
    @Option(help: "The numpy side's script.") var numpyScript = "bench/eigvals_numpy.py"
    @Option(help: "The Python that runs it.") var python = "python3"
    @Option(help: "BLAS threads for numpy (default: numpy's own choice).") var numpyThreads: Int?
    @Flag(help: "Time gpurun only.") var noNumpy = false
    @Flag(help: "Print JSON on stdout.") var json = false
    @OptionGroup var deviceOptions: DeviceOptions

    func validate() throws {
        guard n >= 1, samples >= 1 else { throw ValidationError("--n and --samples must be at least 1") }
        if let t = numpyThreads, t < 1 { throw ValidationError("--numpy-threads must be at least 1") }
    }

    func run() throws {
        let backend = try deviceOptions.backend()
        if !json { Output.note("bench spectrum: \(samples) Ginibre matrices of order \(n) on \(backend.label)...") }
        let r = try usageErrors {
            try EnsembleBench.run(n: n, samples: samples, seed: seed, on: backend,
                                  numpyScript: noNumpy ? nil : numpyScript, python: python, numpyThreads: numpyThreads)
        }
        if json { return try Output.json(r) }
        var rows = [["gpurun (\(r.device), \(r.workers) LAPACK threads)", String(format: "%.2f", r.seconds),
                     String(format: "%.4f", r.secondsPerMatrix), String(format: "%.2f", r.generateSeconds),
                     String(format: "%.2f", r.eigenSeconds)]]
        if let np = r.numpy {
            rows.append(["numpy \(np.numpy) (BLAS threads: \(np.threads))", String(format: "%.2f", np.seconds),
                         String(format: "%.4f", np.secondsPerMatrix), String(format: "%.2f", np.generateSeconds),
                         String(format: "%.2f", np.eigvalsSeconds)])
        }
        Output.table(["engine", "seconds", "per matrix", "generate", "eigenvalues"], rows)
        if let ratio = r.ratio {
            print(String(format: "ratio numpy/gpurun: %.2f (goal ≥ 1.0)", ratio))
        } else {
            print("numpy not run: \(r.numpySkipped ?? "unknown reason")")
        }
    }
}
