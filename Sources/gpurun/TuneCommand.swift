import ArgumentParser
import GPURunApp
import Compute
import Foundation

/// `gpurun tune gemm|conv|all`: search kernel parameters on one device and record the best
/// per (device, driver, dtype, shape class) in the tuning file (GPURunApp's GemmTuner).
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Search kernel parameters on a device, check each against the CPU, time them and CLBlast, and store the best.")

    enum Target: String, ExpressibleByArgument, CaseIterable { case gemm, conv, all }

    @Argument(help: "What to tune: gemm, conv or all.") var target: Target
    @OptionGroup var deviceOptions: OpenCLDeviceOptions
    @Option(help: "Floating-point type.") var dtype: DType = .f32
    @Option(help: "Seconds for the whole search; the baselines (the vendor default, CLBlast, our CPU-shaped kernel on CPUs) are timed even past it.")
    var budget: Double = 60
    @Flag(help: "Print one JSON object on stdout.") var json = false

    struct Report: Encodable {
        var device: String
        var dtype: DType
        var gemm: GemmTuner.Report?
        var conv: ConvTuner.Report?
    }

    func run() throws {
        guard budget >= 0 else { throw ValidationError("--budget must be ≥ 0 seconds, got \(budget)") }
        guard let cl = try wrap({ try DeviceSelection.openCL(device: deviceOptions.device) }) else {
            throw ValidationError("tune needs an OpenCL device; none was found")
        }
        var report = Report(device: cl.label, dtype: dtype)
        if target != .conv {
            report.gemm = try wrap {
                try GemmTuner.run(device: cl, dtype: dtype, budget: budget) { if !json { Output.note("  tuning \($0)...") } }
            }
        }
        if target != .gemm {
            // After GEMM's records are stored: the im2col path is timed with the device's tuned GEMM.
            let device = target == .all ? try wrap({ try DeviceSelection.openCL(device: deviceOptions.device) }) ?? cl : cl
            report.conv = try wrap {
                try ConvTuner.run(device: device, dtype: dtype, budget: budget) { if !json { Output.note("  tuning conv \($0)...") } }
            }
        }
        if json { return try Output.json(report) }
        print("device: \(cl.label), dtype \(dtype.rawValue)")
        if let g = report.gemm {
            print(String(format: "gemm: %d candidates, %d skipped by device limits, %d failed the check, %d timed, %.1f s",
                         g.candidates, g.skippedByLimits, g.failedCheck, g.timed, g.elapsedSeconds))
            for f in g.failures { print("  failed: \(f)") }
            Output.table(["class", "size", "chosen", "tiled parameters", "GFLOP/s by engine", "why"], g.classes.map { c in
                [c.shapeClass.rawValue, String(c.size), c.chosen, c.tiled.map { "\($0)" } ?? "-",
                 c.gflops.sorted { $0.key < $1.key }.map { String(format: "%@ %.1f", $0.key, $0.value) }.joined(separator: ", "),
                 c.why]
            })
            if let s = g.stored { print("stored in \(s)") }
            if let e = g.storeError { print("not stored: \(e)") }
        }
        if let c = report.conv {
            print(String(format: "conv (%@-shaped kernels): %d candidates, %d failed the check, %d timed, %.1f s",
                         c.kernels, c.candidates, c.failedCheck, c.timed, c.elapsedSeconds))
            for f in c.failures { print("  failed: \(f)") }
            Output.table(["pass", "class", "chosen", "why"], c.choices.map {
                [$0.pass.rawValue, $0.shapeClass.rawValue, $0.chosen, $0.why]
            })
            if let s = c.stored { print("stored in \(s)") }
            if let e = c.storeError { print("not stored: \(e)") }
        }
    }
}
