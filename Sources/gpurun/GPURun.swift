import OpenCLRuntime
import ArgumentParser
import GPURunApp
import Compute
import Foundation

@main
struct GPURun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpurun",
        abstract: "Learning-theory computations on OpenCL devices and the CPU, with the same answers on both.",
        subcommands: [DevicesCommand.self, ValidateCommand.self, StepCommand.self, LyapunovCommand.self, BenchCommand.self,
                      TrainCommand.self, SpectrumCommand.self, RidgeCommand.self, TheoryCommand.self, IBCommand.self,
                      SweepCommand.self])
}

/// Options every compute command shares.
struct DeviceOptions: ParsableArguments {
    @Option(name: .long, help: "cpu, opencl or opencl:N (default: $GPURUN_DEVICE, else the first OpenCL GPU, else cpu).")
    var device: String?

    @Option(help: "GEMM engine: own (our kernels), clblast, or cpu (OpenBLAS on the CPU backend). Default: the fastest for the device.")
    var engine: String?

    func backend() throws -> any Backend {
        do {
            switch engine {
            case nil: return try Devices.backend(device)
            case "cpu": return CPUBackend.shared
            case let name?:
                guard let e = GemmEngine(rawValue: name) else {
                    throw ValidationError("--engine must be own, clblast or cpu, got '\(name)'")
                }
                let chosen = try Devices.backend(device ?? "opencl")
                guard let cl = chosen as? OpenCLBackend else {
                    throw ValidationError("--engine \(name) needs an OpenCL device, but --device chose \(chosen.label)")
                }
                return try OpenCLBackend(device: cl.cl.info.index, gemmEngine: e)
            }
        } catch let e as ValidationError { throw e } catch { throw ValidationError("\(error)") }
    }
}
