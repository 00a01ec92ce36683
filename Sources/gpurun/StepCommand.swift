import ArgumentParser
import GPURunApp
import Compute
import Foundation

struct StepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step",
        abstract: "Step a recurrent network (MODELS.md) and write its trajectories as .npy.",
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
    @Option(help: "f64 (default) or f32.") var dtype: String = "f64"
    @OptionGroup var deviceOptions: DeviceOptions
    @Option(help: "Directory for trajectory.npy.") var output: String = "trajectory"
    @Flag(help: "Print a JSON summary on stdout.") var json = false

    func run() throws {
        if batch <= 0 { throw ValidationError("--batch must be positive") }
        if steps < 0 || every <= 0 { throw ValidationError("--steps must be ≥ 0 and --every positive") }
        let spec = try modelOptions.spec(networks: networks ? batch : 1)
        let backend = try deviceOptions.backend()
        switch try parseDType(dtype) {
        case .f64: try go(spec, backend, Double.self)
        case .f32: try go(spec, backend, Float.self)
        }
    }

    func go<T: Scalar>(_ spec: ModelSpec, _ backend: any Backend, _: T.Type) throws {
        let model: any RecurrentModel<T>
        do { model = try spec.make(on: backend, as: T.self) } catch { throw ValidationError("\(error)") }
        try record(model, spec)
    }

    func record<M: RecurrentModel>(_ model: M, _ spec: ModelSpec) throws {
        let states: Tensor<M.T>
        if let x0 {
            let values: [M.T]
            do { values = try Trajectory.loadStates(x0, model: model, batch: batch) } catch { throw ValidationError("--x0: \(error)") }
            states = try model.backend.tensor(values, shape: [model.segments, batch, model.units])
        } else {
            states = try JacobianCheck.randomStates(model, batch: batch, seed: spec.seed)
        }
        let start = Timing.now()
        var last = start
        let (frames, values) = try Trajectory.record(model, states: states, steps: steps, every: every) { t in
            let now = Timing.now()
            if now - last > 1 { last = now; Output.note("  step \(t)/\(steps)") }
        }
        let dir = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("trajectory.npy")
        try Npy.write(NpyArray(values, shape: [frames, batch, model.stateSize]), to: url)
        let s = StepSummary(model: model.name, n: model.units, stateSize: model.stateSize, batch: batch, steps: steps,
                        frames: frames, device: model.backend.label, seconds: Timing.now() - start, file: url.path)
        if json { try Output.json(s) } else {
            print("\(s.model) N=\(s.n) on \(s.device): \(steps) steps × \(batch) in \(String(format: "%.2f", s.seconds)) s; wrote \(url.path) [\(frames), \(batch), \(model.stateSize)]")
        }
    }
}

/// `gpurun step --json`.
struct StepSummary: Encodable {
    var model: String, n: Int, stateSize: Int, batch: Int, steps: Int, frames: Int, device: String
    var seconds: Double, file: String
}
