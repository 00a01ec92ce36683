import ArgumentParser
import Compute
import Foundation

@main
struct GPURun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpurun",
        abstract: "Learning-theory computations on OpenCL devices and the CPU, with the same answers on both.",
        subcommands: [DevicesCommand.self, ValidateCommand.self, BenchCommand.self])
}

/// Options every compute command shares.
struct DeviceOptions: ParsableArguments {
    @Option(name: .long, help: "cpu, opencl or opencl:N (default: $GPURUN_DEVICE, else the first OpenCL GPU, else cpu).")
    var device: String?

    func backend() throws -> any Backend {
        do { return try Devices.backend(device) } catch { throw ValidationError("\(error)") }
    }
}
