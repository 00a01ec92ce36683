import Compute
import Foundation

/// Steps a batch of states and records it: the tool behind `gpurun step`.
public enum Trajectory {
    /// Runs `steps` steps from `states` and returns the recorded states, one frame every
    /// `every` steps (frame 0 is the initial state), each frame [B, stateSize] with the
    /// members' states in the state order of docs/models.md (M22): h, then z and r, or c.
    /// With `profile`, each step is measured as phase "step" (the first as "first step") and each
    /// frame's copy as "transfers".
    public static func record<M: RecurrentModel>(_ model: M, states: Tensor<M.T>, steps: Int, every: Int = 1,
                                                 profile: PhaseProfile? = nil,
                                                 progress: (Int) -> Void = { _ in }) throws -> (frames: Int, values: [Double]) {
        guard steps >= 0, every > 0 else { throw ComputeError.invalidArgument("step: the steps must be ≥ 0 and the recording interval positive, got \(steps) and \(every)") }
        var values: [Double] = []
        var frames = 0
        let flops = model.stepGemmFlops(batch: model.batchSize(states))
        func phase<R>(_ name: String, flops: Double = 0, _ body: () throws -> R) throws -> R {
            try profile.map { try $0.measure(name, flops: flops, body) } ?? body()
        }
        func snapshot() throws {
            values += memberMajor(model, try phase("transfers") { try states.toArray() })
            frames += 1
        }
        try snapshot()
        for t in 1...max(steps, 1) where steps > 0 {
            // The first step builds programs and scratch: its own phase, so "step" is the steady state.
            try phase(t == 1 ? "first step" : "step", flops: flops) { try model.step(states) }
            if t % every == 0 || t == steps { try snapshot() }
            progress(t)
        }
        return (frames, values)
    }

    /// Segment-major [segments, B, N] → member-major [B, segments · N].
    public static func memberMajor<M: RecurrentModel, V: Scalar>(_ model: M, _ v: [V]) -> [Double] {
        let b = v.count / max(model.stateSize, 1), n = model.units
        var out = [Double](repeating: 0, count: v.count)
        for m in 0..<b {
            for s in 0..<model.segments {
                for i in 0..<n { out[m * model.stateSize + s * n + i] = v[(s * b + m) * n + i].double }
            }
        }
        return out
    }

    /// Initial states from a .npy file: one state ([stateSize], given to every member) or one per
    /// member ([B, stateSize]), each in docs/models.md (M22) order; returned segment-major [segments, B, N].
    public static func loadStates<M: RecurrentModel>(_ path: String, model: M, batch: Int) throws -> [M.T] {
        let a = try Npy.read(URL(fileURLWithPath: path)).doubles()
        let s = model.stateSize
        guard a.count == s || a.count == batch * s else {
            throw ComputeError.io(path: path, reason: "\(a.count) numbers; expected \(s) (one state) or \(batch) × \(s)")
        }
        if let bad = a.firstIndex(where: { !$0.isFinite }) {
            throw ComputeError.io(path: path, reason: "element \(bad) is \(a[bad]); states must be finite")
        }
        var out = [M.T](repeating: 0, count: batch * s)
        for b in 0..<batch {
            for i in 0..<s {
                out[((i / model.units) * batch + b) * model.units + i % model.units] = M.T(a[(a.count == s ? 0 : b * s) + i])
            }
        }
        return out
    }
}
