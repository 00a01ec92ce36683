import Compute
import OpenCLRuntime
import Dynamics
import Foundation

/// `gpurun step`: trajectories of one model, written as DIR/trajectory.npy.
public enum StepJob {
    /// `gpurun step --json`.
    public struct Summary: Encodable, Sendable {
        public var model: String, n: Int, stateSize: Int, batch: Int, steps: Int, frames: Int, device: String
        public var seconds: Double, file: String
        /// With `profile`: per phase (step, transfers) launches, time and GFLOP/s.
        public var profile: Profile?
    }

    /// `--profile`: the phases and the launches of one step.
    public struct Profile: Encodable, Sendable {
        public var phases: [PhaseProfile.Phase]
        public var launchesPerStep: Double
    }

    /// Steps `batch` states `steps` times, one frame every `every` steps, from `x0` (a .npy) or
    /// random states; `progress` hears the step about once a second.
    public static func run(_ spec: ModelSpec, steps: Int, every: Int, batch: Int, x0: String?, dtype: DType,
                           on backend: any Backend, output: URL, profile: Bool = false,
                           progress: (Int) -> Void = { _ in }) throws -> Summary {
        guard batch > 0 else { throw InvalidInput(ComputeError.invalidArgument("the batch must be positive, got \(batch)")) }
        guard steps >= 0, every > 0 else {
            throw InvalidInput(ComputeError.invalidArgument(
                "the steps must be ≥ 0 and the recording interval positive, got \(steps) and \(every)"))
        }
        switch dtype {
        case .f64: return try go(spec, backend, Double.self, steps, every, batch, x0, output, profile, progress)
        case .f32: return try go(spec, backend, Float.self, steps, every, batch, x0, output, profile, progress)
        }
    }

    static func go<T: Scalar>(_ spec: ModelSpec, _ backend: any Backend, _: T.Type, _ steps: Int, _ every: Int, _ batch: Int,
                              _ x0: String?, _ output: URL, _ profile: Bool, _ progress: (Int) -> Void) throws -> Summary {
        // Before any work or file: the states on the device, the frames on the host, the folder.
        try InvalidInput.check {
            try spec.validate()
            let size = MemoryLayout<T>.stride, frames = steps / every + 1
            let states = try Checked.bytes(try Checked.product([4, batch, spec.stateSize], "the states"), size, "the states")
            try spec.checkMemory(on: backend, elementSize: size, workingBytes: states)
            let trajectory = try Checked.bytes(try Checked.product([2, frames, batch, spec.stateSize], "the trajectory"), 8,
                                               "the trajectory")
            try Checked.hostMemory(trajectory, for: "the trajectory of \(frames) frames × \(batch) states")
        }
        _ = try ReportFiles.folder(output.path)
        let model: any RecurrentModel<T> = try InvalidInput.check { try spec.make(on: backend, as: T.self) }
        return try record(model, spec, steps, every, batch, x0, output, profile ? PhaseProfile(backend: backend) : nil,
                          progress)
    }

    static func record<M: RecurrentModel>(_ model: M, _ spec: ModelSpec, _ steps: Int, _ every: Int, _ batch: Int,
                                          _ x0: String?, _ output: URL, _ profile: PhaseProfile?,
                                          _ progress: (Int) -> Void) throws -> Summary {
        let states: Tensor<M.T>
        if let x0 {
            let values: [M.T]
            do { values = try Trajectory.loadStates(x0, model: model, batch: batch) } catch {
                throw InvalidInput(ComputeError.invalidArgument("initial state \(x0): \(error)"))
            }
            states = try model.backend.tensor(values, shape: [model.segments, batch, model.units])
        } else {
            states = try JacobianCheck.randomStates(model, batch: batch, seed: spec.seed)
        }
        let start = Timing.now()
        var last = start
        let (frames, values) = try Trajectory.record(model, states: states, steps: steps, every: every,
                                                     profile: profile) { t in
            let now = Timing.now()
            if now - last > 1 { last = now; progress(t) }
        }
        let url = output.appendingPathComponent("trajectory.npy")
        try Npy.write(NpyArray(values, shape: [frames, batch, model.stateSize]), to: url)
        return Summary(model: model.name, n: model.units, stateSize: model.stateSize, batch: batch, steps: steps,
                       frames: frames, device: model.backend.label, seconds: Timing.now() - start, file: url.path,
                       profile: profile.map { p in
                           Profile(phases: p.phases, launchesPerStep: (p.phases.first { $0.name == "step" }
                                                                  ?? p.phases.first { $0.name == "first step" })?.launchesPerCall ?? 0)
                       })
    }
}
