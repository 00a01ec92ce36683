import OpenCLRuntime
import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// One worker of `sweep run` (a process, a Slurm array task or an MPI rank): reads the sweep
/// file, records it in the output folder, takes its share, chooses its device and runs.
public struct SweepWorker {
    public let plan: SweepPlan
    public let directory: SweepDirectory
    public let runner: SweepRunner
    /// The share from --shard or Slurm, before MPI ranks split it.
    public let base: SweepShard

    /// - Parameters:
    ///   - shard: the share from `--shard`, else from Slurm's array variables, else all tasks.
    ///   - rank, size, localRank: the MPI rank (0, 1, 0 without MPI); ranks split the share.
    ///   - device: `--device`, if given.
    public init(sweepFile: URL, out: URL, shard: SweepShard?, rank: Int = 0, size: Int = 1, localRank: Int = 0,
                device: String?, executable: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let data: Data
        do { data = try Data(contentsOf: sweepFile) } catch {
            throw ComputeError.io(path: sweepFile.path, reason: "cannot read the sweep file (\(fileErrorReason(error)))")
        }
        let spec = try SweepSpec.parse(data, source: sweepFile.path)
        plan = SweepPlan(spec)
        directory = SweepDirectory(out, taskCount: plan.tasks.count)
        try directory.prepare(specData: data, spec: spec)
        base = try shard ?? SweepShard.slurm(environment) ?? .all
        let share = base.split(rank: rank, of: size)
        let host = ProcessInfo.processInfo.hostName
        // Device discovery in this process uses this worker's own PoCL cache too.
        let caches = directory.caches(host: host, worker: share.label)
        try SweepDirectory.makeFolder(caches.pocl)
        try SweepDirectory.makeFolder(caches.gpurun)
        setenv("POCL_CACHE_DIR", caches.pocl.path, 1)
        setenv("GPURUN_KERNEL_CACHE", caches.gpurun.path, 1)
        let requested = SweepDevice.requested(option: device, spec: spec, environment: environment)
        let chosen = SweepDevice.choose(requested: requested, localRank: localRank) { CLPlatforms.discover().devices }
        runner = SweepRunner(plan: plan, directory: directory, executable: executable, shard: share, device: chosen,
                             host: host, environment: environment)
    }

    /// True when no --shard or Slurm array divides the sweep (MPI ranks may still split it).
    public var isWholeSweep: Bool { base.count == 1 }
}
