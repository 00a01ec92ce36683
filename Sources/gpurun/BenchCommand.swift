import ArgumentParser
import Compute
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Time our engines against the reference engines in one run.",
        subcommands: [BenchMatmul.self])
}

struct BenchMatmul: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matmul", abstract: "GFLOP/s of our OpenCL GEMM, CLBlast and OpenBLAS, side by side.")

    @Option(help: "Comma-separated square sizes.") var sizes = "256,1024,2048"
    @Option(help: "f32 or f64.") var dtype = "f32"
    @Option(help: "OpenCL device for our kernel and CLBlast (default: the first).") var device: String?
    @Flag(help: "Print JSON on stdout.") var json = false

    struct Report: Encodable {
        var device: String
        var results: [BenchResult]
    }

    func run() throws {
        guard let dt = DType(rawValue: dtype) else { throw ValidationError("--dtype must be f32 or f64") }
        let ns = try sizes.split(separator: ",").map {
            guard let v = Int($0.trimmingCharacters(in: .whitespaces)), v > 0 else {
                throw ValidationError("--sizes: '\($0)' is not a positive integer")
            }
            return v
        }
        let cl: OpenCLBackend?
        if let device {
            guard let b = try? Devices.backend(for: DeviceSpec(parsing: device)) as? OpenCLBackend else {
                throw ValidationError("--device must name an OpenCL device; available: \(Devices.availableNames().joined(separator: ", "))")
            }
            cl = b
        } else {
            let first = Devices.firstOpenCL()
            if first.backend == nil { Devices.noteNoOpenCL(first.reason ?? "none") }
            cl = first.backend
        }
        let results = try MatmulBench.run(sizes: ns, dtype: dt, device: cl) { Output.note("  timing \($0)...") }
        if json { return try Output.json(Report(device: cl?.label ?? "cpu only", results: results)) }
        print("device: \(cl?.label ?? "none (OpenBLAS only)"); OpenBLAS kernels: \(CPUBackend.blasDescription.core)")
        if let w = BLASSetup.adjustment { print("note: \(w)") }
        var rows: [[String]] = []
        for n in ns {
            let r = results.filter { $0.size == n }
            func g(_ e: String) -> Double? { r.first { $0.engine == e }?.gflops }
            let ratio = { (a: Double?, b: Double?) in a.flatMap { x in b.map { String(format: "%.2f", x / $0) } } ?? "-" }
            rows.append([String(n), dtype] + ["own", "clblast", "openblas"].map { g($0).map { String(format: "%.1f", $0) } ?? "-" }
                        + [ratio(g("own"), g("clblast")), ratio(g("own"), g("openblas"))])
        }
        Output.table(["size", "dtype", "own GFLOP/s", "CLBlast", "OpenBLAS", "own/CLBlast", "own/OpenBLAS"], rows)
    }
}
