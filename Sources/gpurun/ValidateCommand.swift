import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Run every op on the CPU backend and on an OpenCL device with fresh random inputs, and compare.")

    @OptionGroup var deviceOptions: OpenCLDeviceOptions
    @Option(help: "Philox seed of the inputs (default: a fresh one, printed).") var seed: UInt64?
    @Option(help: "Only checks whose op name contains this text.") var only: String?
    @Option(help: "Shapes: full, or small (a few tiny shapes per check, for simulators such as Oclgrind).")
    var shapes: Validation.ShapeSet = .full
    @Flag(help: "Print JSON on stdout.") var json = false

    struct Report: Encodable {
        var device: String
        var seed: UInt64
        var results: [ValidationResult]
        var passed: Int
        var failed: Int
    }

    func validate() throws {
        if let only {
            let ops = AllChecks.all.map(\.op)
            guard ops.contains(where: { $0.contains(only) }) else {
                var seen = Set<String>()
                let names = ops.filter { seen.insert($0).inserted }
                throw ValidationError("--only \(only) matches no check; the checks are: \(names.joined(separator: ", "))")
            }
        }
    }

    func run() throws {
        let chosen = try wrap {
            try DeviceSelection.openCL(device: deviceOptions.device) {
                Output.note("validate: cpu is the reference; comparing it with the first OpenCL device")
            }
        }
        guard let backend = chosen else {
            Output.note("validate: nothing to compare the CPU backend against; 0 checks run")
            if json { try Output.json(Report(device: "none", seed: 0, results: [], passed: 0, failed: 0)) }
            return
        }
        let seed = seed ?? UInt64.random(in: 1...UInt64(UInt32.max))
        Output.note("validate: cpu vs \(backend.label), seed \(seed)")
        let results = AllChecks.run(device: backend, seed: seed, filter: only, shapes: shapes) { op in
            if !json { Output.note("  checking \(op)...") }
        }
        let failed = results.filter { !$0.pass }.count
        if json {
            try Output.json(Report(device: backend.label, seed: seed, results: results,
                                   passed: results.count - failed, failed: failed))
        } else {
            Output.table(["op", "shape", "dtype", "max rel error", "tolerance", "pass"], results.map {
                [$0.op, $0.shape, $0.dtype, Output.sci($0.maxRelError), Output.sci($0.tolerance), $0.pass ? "yes" : "NO"]
            })
            print("\(results.count - failed) passed, \(failed) failed (seed \(seed))")
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

extension Validation.ShapeSet: ExpressibleByArgument {}
