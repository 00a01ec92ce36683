import Compute
import Learning
import Foundation

/// The checkpoint of a `gpurun dib` sweep (docs/dib.md D9), in OUT/checkpoint: sweep.json (the
/// sweep's settings and the finished runs with their loss curves) and run/ (the DIBCheckpoint
/// of the run in progress, rewritten after every epoch). `gpurun dib --resume OUT` keeps the
/// finished runs, restores the run in progress at its last epoch and goes on: the same numbers
/// as an uninterrupted sweep, except the seconds.
struct DIBSweepCheckpoint {
    struct State: Codable {
        var settings: DIBJob.Settings
        var runs: [DIBRunResult]
        var curves: [[Double]]
    }

    let dir: URL
    var sweepFile: URL { dir.appendingPathComponent("sweep.json") }
    var run: URL { dir.appendingPathComponent("run") }

    init(output: URL) { dir = output.appendingPathComponent("checkpoint") }

    /// Records the finished runs (atomically).
    func save(_ state: State) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(state).write(to: sweepFile, options: .atomic)
    }

    /// Replaces run/ by `trainer`'s state: written whole to run.new/, then swapped in, so an
    /// interruption leaves either the old state or the new one (run.old/ between the renames).
    func save<T>(_ trainer: DIBTrainer<T>) throws {
        let fm = FileManager.default
        let fresh = dir.appendingPathComponent("run.new"), old = dir.appendingPathComponent("run.old")
        for d in [fresh, old] where fm.fileExists(atPath: d.path) { try fm.removeItem(at: d) }
        try DIBCheckpoint.save(trainer, to: fresh)
        if fm.fileExists(atPath: run.path) { try fm.moveItem(at: run, to: old) }
        try fm.moveItem(at: fresh, to: run)
        if fm.fileExists(atPath: old.path) { try fm.removeItem(at: old) }
    }

    /// The saved state of the run with `config`, if the checkpoint holds one (run/, or run.old/
    /// when an interruption fell between the two renames).
    func runState(for config: DIBConfig) throws -> URL? {
        for d in [run, dir.appendingPathComponent("run.old")]
        where FileManager.default.fileExists(atPath: d.appendingPathComponent("state.json").path) {
            if try DIBCheckpoint.config(at: d) == config { return d }
        }
        return nil
    }

    /// The state of the sweep checkpointed under `output`.
    static func load(output: URL) throws -> State {
        let c = DIBSweepCheckpoint(output: output)
        guard let data = try? Data(contentsOf: c.sweepFile) else {
            throw ComputeError.io(path: c.sweepFile.path, reason: "no DIB sweep checkpoint here (run `gpurun dib --output \(output.path)` first)")
        }
        let s: State
        do { s = try JSONDecoder().decode(State.self, from: data) } catch {
            throw ComputeError.io(path: c.sweepFile.path, reason: "unreadable DIB sweep checkpoint: \(error)")
        }
        let total = s.settings.betas.count * s.settings.seeds.count
        guard s.runs.count == s.curves.count, s.runs.count <= total else {
            throw ComputeError.io(path: c.sweepFile.path, reason: "inconsistent sweep checkpoint: \(s.runs.count) runs of \(total)")
        }
        return s
    }
}
