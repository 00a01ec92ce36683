import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// The tasks of a sweep, in a stable order: grid points in row-major order (the first axis
/// varies slowest), and within a point the replicates 0..<seeds. Task i is point i / seeds,
/// replicate i % seeds.
public struct SweepPlan: Sendable {
    public struct Task: Encodable, Equatable, Sendable {
        public var index: Int
        /// Index of the grid point (row-major over the axes).
        public var point: Int
        public var replicate: Int
        public var seed: UInt64
        /// Axis name → value, in axis order.
        public var values: [JSONValue]
        /// The gpurun arguments, without the device (the runner adds it: `SweepDevice`).
        public var arguments: [String]

        /// The task as a POSIX shell command line (`gpurun ...` with `extra` appended), every
        /// word quoted where the shell would split or expand it.
        public func commandLine(adding extra: [String] = []) -> String {
            (["gpurun"] + arguments + extra).map(Self.shellQuoted).joined(separator: " ")
        }

        /// `word` as one shell word: unchanged when it holds only safe characters, else in
        /// single quotes (a quote inside as '\'').
        public static func shellQuoted(_ word: String) -> String {
            let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")
            if !word.isEmpty, word.allSatisfy(safe.contains) { return word }
            return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
    }

    public let spec: SweepSpec
    public let tasks: [Task]

    /// Philox stream of the task seeds (ASCII "SWEP").
    public static let seedStream: UInt32 = 0x5357_4550

    /// Task i's seed: the first two words of Philox block i of stream "SWEP" keyed on the
    /// base seed, as (w1 << 32 | w0), kept to its low 53 bits so that every JSON reader
    /// holds it exactly.
    public static func taskSeed(base: UInt64, index: Int) -> UInt64 {
        let b = Philox.block(seed: base, stream: seedStream, index: UInt64(index))
        return (UInt64(b.1) << 32 | UInt64(b.0)) & ((1 << 53) - 1)
    }

    public init(_ spec: SweepSpec) {
        self.spec = spec
        let fixed = spec.options.keys.sorted().filter { $0 != "device" }.flatMap { Self.arguments($0, spec.options[$0]!) }
        let shape = spec.grid.map(\.values.count)
        let points = shape.reduce(1, *)
        var tasks: [Task] = []
        tasks.reserveCapacity(points * spec.seeds)
        for p in 0..<points {
            // Row-major digits of p: the last axis varies fastest.
            var rest = p
            var digits = [Int](repeating: 0, count: shape.count)
            for a in shape.indices.reversed() {
                digits[a] = rest % shape[a]
                rest /= shape[a]
            }
            let values = zip(spec.grid, digits).map { $0.values[$1] }
            let varying = zip(spec.grid, values).flatMap { Self.arguments($0.name, $1) }
            for r in 0..<spec.seeds {
                let i = p * spec.seeds + r
                let seed = Self.taskSeed(base: spec.seed, index: i)
                tasks.append(Task(index: i, point: p, replicate: r, seed: seed, values: values,
                                  arguments: [spec.command] + fixed + varying + ["--seed", String(seed), "--json"]))
            }
        }
        self.tasks = tasks
    }

    /// `--name value`; `true` is the bare flag and `false` nothing.
    static func arguments(_ name: String, _ value: JSONValue) -> [String] {
        switch value {
        case .bool(true): ["--\(name)"]
        case .bool(false): []
        default: ["--\(name)", value.text]
        }
    }

    public var axisNames: [String] { spec.grid.map(\.name) }
    public var pointCount: Int { spec.grid.map(\.values.count).reduce(1, *) }
}
