import OpenCLRuntime
import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List OpenCL platforms and devices, and the CPU backend.")

    @Flag(help: "Print JSON on stdout.") var json = false

    struct Report: Encodable {
        var opencl: [CLDeviceInfo]
        var openclUnavailableReason: String?
        var cpu: CPUInfo
        var defaultDevice: String
        /// Per OpenCL device (same order): the GEMM tuning records found for it, "dtype/class → engine".
        var tuning: [[String]]
        /// Per OpenCL device: records of the tuning file refused for it, with the reason
        /// (another driver version, parameters beyond its limits).
        var refusedTuning: [[String]]
        /// Per OpenCL device: the convolution records, "dtype/pass/class → path [shapes]", and those refused.
        var convTuning: [[String]]
        var refusedConvTuning: [[String]]
    }

    struct CPUInfo: Encodable {
        var blas: String
        var blasCore: String
        var blasAdjustment: String?
        var blasThreads: Int
        var cores: Int
    }

    func run() throws {
        let found = CLPlatforms.discover()
        let blas = CPUBackend.blasDescription
        let defaultDevice = found.devices.first(where: \.isGPU)?.label ?? "cpu"
        let tuningRecords = GemmTuningFile.standard.load()
        let tunings = found.devices.map { GemmTuning(info: $0, records: tuningRecords) }
        let tuning = tunings.map { $0.records.map { "\($0.dtype.rawValue)/\($0.shapeClass.rawValue) → \($0.engine)" } }
        let convRecords = GemmTuningFile.standard.loadConv()
        let convTunings = found.devices.map { ConvTuning(info: $0, records: convRecords) }
        let convTuning = convTunings.map { $0.records.map {
            "\($0.dtype.rawValue)/\($0.pass.rawValue)/\($0.shapeClass.rawValue) → \($0.path)\($0.direct.map { " \($0.lx)×\($0.ly)/\($0.reduction)" } ?? "")"
        } }
        let report = Report(
            opencl: found.devices, openclUnavailableReason: found.devices.isEmpty ? found.reason : nil,
            cpu: CPUInfo(blas: blas.config, blasCore: blas.core, blasAdjustment: BLASSetup.adjustment, blasThreads: blas.threads, cores: ProcessInfo.processInfo.activeProcessorCount),
            defaultDevice: defaultDevice, tuning: tuning, refusedTuning: tunings.map(\.refused), convTuning: convTuning,
            refusedConvTuning: convTunings.map(\.refused))
        if json { return try Output.json(report) }

        print("cpu: \(blas.config), kernels \(blas.core), \(blas.threads) BLAS threads, \(report.cpu.cores) cores")
        if let w = BLASSetup.adjustment { print("  note: \(w)") }
        if found.devices.isEmpty {
            print("opencl: none (\(found.reason ?? "no devices"))")
        }
        for (i, d) in found.devices.enumerated() {
            let tuned = tuning[i].isEmpty
                ? "not tuned (built-in defaults: \(d.type == "CPU" ? "CPU-shaped kernel" : "GPU-shaped kernel, vendor parameters"); run `gpurun tune gemm`)"
                : "tuned: " + tuning[i].joined(separator: ", ")
            let refused = tunings[i].refused.map { "\n  gemm refused    \($0)" }.joined()
            let conv = convTuning[i].isEmpty
                ? "not tuned (the path rule of Conv2dPath.choose, built-in work-group shapes; run `gpurun tune conv`)"
                : "tuned: " + convTuning[i].joined(separator: ", ")
            let convRefused = convTunings[i].refused.map { "\n  conv refused    \($0)" }.joined()
            print("""
            \(d.label)
              platform        \(d.platformName) (\(d.platformVendor)), \(d.platformVersion)
              device          \(d.name) [\(d.type)], vendor \(d.vendor)
              driver          \(d.driverVersion); \(d.deviceVersion); \(d.openCLCVersion)
              compute units   \(d.computeUnits) at \(d.clockMHz) MHz
              global memory   \(formatBytes(d.globalMemory)), max allocation \(formatBytes(d.maxAllocation))
              local memory    \(formatBytes(d.localMemory))\(d.localMemoryIsEmulated ? " (emulated in global memory)" : "")
              work-group      \(d.maxWorkGroupSize) max, per dimension \(d.maxWorkItemSizes)
              fp64 \(d.fp64 ? "yes" : "no"), fp16 \(d.fp16 ? "yes" : "no")
              gemm            \(tuned)\(refused)
              conv            \(conv)\(convRefused)
            """)
        }
        print("default device: \(defaultDevice) (override with --device or $\(DeviceSpec.environmentVariable))")
    }
}
