import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct StepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step",
        abstract: "Step a recurrent network (docs/models.md) and write its trajectories as .npy.",
        discussion: """
        Writes DIR/trajectory.npy of shape [frames, batch, stateSize] (float64), frame 0 the
        initial state and then one frame every --every steps; a state is h (rate, linear, gru),
        (h, c) for the LSTM and (h, z, r) for the gated RNN, concatenated.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Steps.") var steps: Int = 100
    @Option(help: "Record one frame every this many steps.") var every: Int = 1
    @Option(help: "Trajectories of one network (or networks, with --networks).") var batch: Int = 1
    @Flag(help: "Draw --batch independent networks instead of one.") var networks = false
    @Option(name: .customLong("x0"), help: "Initial state(s) .npy: [stateSize] or [batch, stateSize].") var x0: String?
    @Option(help: "Floating-point type.") var dtype: DType = .f64
    @OptionGroup var deviceOptions: DeviceOptions
    @Option(help: "Directory for trajectory.npy.") var output: String = "trajectory"
    @Flag(help: "Print a JSON summary on stdout.") var json = false
    @Flag(help: "Print launches, time and GFLOP/s per phase (step, transfers); under \"profile\" with --json.")
    var profile = false

    func run() throws {
        if batch <= 0 { throw ValidationError("--batch must be positive") }
        if steps < 0 || every <= 0 { throw ValidationError("--steps must be ≥ 0 and --every positive") }
        let spec = try modelOptions.spec(networks: networks ? batch : 1)
        let backend = try deviceOptions.backend()
        let s = try usageErrors {
            try StepJob.run(spec, steps: steps, every: every, batch: batch, x0: x0, dtype: dtype, on: backend,
                            output: URL(fileURLWithPath: output), profile: profile) { Output.note("  step \($0)/\(steps)") }
        }
        if json { return try Output.json(s) }
        print("\(s.model) N=\(s.n) on \(s.device): \(steps) steps × \(batch) in \(String(format: "%.2f", s.seconds)) s; wrote \(s.file) [\(s.frames), \(batch), \(s.stateSize)]")
        if let p = s.profile {
            ProfileTable.print(p.phases)
            print(String(format: "  launches per step: %.2f", p.launchesPerStep))
        }
    }
}
