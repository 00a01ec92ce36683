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
                      TrainCommand.self, SSLCommand.self, SpectrumCommand.self, RidgeCommand.self, TheoryCommand.self, IBCommand.self,
                      SweepCommand.self, TuneCommand.self, LotteryCommand.self, BackgroundsCommand.self, DIBCommand.self])
}

/// The device options every command that runs on a device shares: the only place `--device`
/// is parsed. GPURunApp's DeviceSelection adds $GPURUN_DEVICE and the defaults.
struct DeviceOptions: ParsableArguments {
    @Option(name: .long, help: "cpu, gpu (the first OpenCL GPU), opencl or opencl:N (default: $GPURUN_DEVICE, else the first OpenCL GPU, else cpu).",
            transform: DeviceSpec.parse)
    var device: DeviceSpec?

    @Option(help: "GEMM engine: own (our CPU-shaped kernel), tiled (our GPU-shaped kernel), clblast, or cpu (OpenBLAS on the CPU backend). Default: the tuning record, else by device type.")
    var engine: EngineChoice?

    func backend() throws -> any Backend {
        try wrap { try DeviceSelection.backend(device: device, engine: engine) }
    }
}

/// The device options of the benchmarks and `validate`, which compare one OpenCL device with the CPU.
struct OpenCLDeviceOptions: ParsableArguments {
    @Option(name: .long, help: "The OpenCL device: opencl or opencl:N (default: $GPURUN_DEVICE, else the first OpenCL device).",
            transform: DeviceSpec.parse)
    var device: DeviceSpec?
}
