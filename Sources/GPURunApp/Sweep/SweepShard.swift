import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// Share `index` of `count`: the tasks whose index is `index` modulo `count`.
public struct SweepShard: Equatable, Sendable, Codable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public static let all = SweepShard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// "i/n" with 0 ≤ i < n.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(String(parts[0]).trimmingWhitespace()), let n = Int(String(parts[1]).trimmingWhitespace()) else {
            throw ComputeError.invalidArgument("a shard must read i/n (share i of n, counted from 0), got '\(text)'")
        }
        guard n >= 1, i >= 0, i < n else {
            throw ComputeError.invalidArgument("the shard index must be in 0..<n (n ≥ 1), got \(i)/\(n)")
        }
        self.init(index: i, count: n)
    }

    public func owns(_ task: Int) -> Bool { task % count == index }

    /// This share split among `size` ranks: rank r takes every size-th of its tasks, which is
    /// share index + count·r of count·size.
    public func split(rank: Int, of size: Int) -> SweepShard {
        SweepShard(index: index + count * rank, count: count * size)
    }

    public var description: String { "\(index)/\(count)" }
    /// A name for files and folders: "shard-2-of-3".
    public var label: String { "shard-\(index)-of-\(count)" }

    /// The share of a Slurm job-array task: (SLURM_ARRAY_TASK_ID − MIN) / STEP of
    /// SLURM_ARRAY_TASK_COUNT, or nil outside a job array.
    public static func slurm(_ env: [String: String]) throws -> SweepShard? {
        guard let idText = env["SLURM_ARRAY_TASK_ID"] else { return nil }
        func int(_ key: String) throws -> Int? {
            guard let t = env[key] else { return nil }
            guard let v = Int(t) else { throw ComputeError.invalidArgument("\(key)=\(t) is not an integer") }
            return v
        }
        guard let id = try int("SLURM_ARRAY_TASK_ID") else {
            throw ComputeError.invalidArgument("SLURM_ARRAY_TASK_ID=\(idText) is not an integer")
        }
        guard let count = try int("SLURM_ARRAY_TASK_COUNT") else {
            throw ComputeError.invalidArgument("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not, so the share of this task is unknown")
        }
        let min = try int("SLURM_ARRAY_TASK_MIN") ?? 0
        let step = try int("SLURM_ARRAY_TASK_STEP") ?? 1
        guard step >= 1, (id - min) >= 0, (id - min) % step == 0, (id - min) / step < count else {
            throw ComputeError.invalidArgument("Slurm array task \(id) (min \(min), step \(step), count \(count)) is not one of "
                + "\(count) consecutive tasks")
        }
        return SweepShard(index: (id - min) / step, count: count)
    }
}
