import Compute
import OpenCLRuntime
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// A parameter sweep as written in a sweep file (README, "Parameter sweeps"):
///
/// ```json
/// {"command": "lyapunov",
///  "options": {"model": "rate", "n": 500, "steps": 400, "k": 1},
///  "grid": {"g": [0.5, 1, 1.5, 2, 2.5, 3]},
///  "seeds": 3, "seed": 1,
///  "metric": {"path": "exponents.0", "label": "λ1"}}
/// ```
///
/// The tasks are the product of the grid's lists times `seeds` replicates. Option names are
/// the gpurun command's long options without the dashes; `true` passes a flag, `false` leaves
/// it out. The grid is an object (axes in alphabetical order) or a list of one-key objects
/// (axes in that order: the first is the plot's x axis, the second its y axis).
public struct SweepSpec: Decodable, Equatable, Sendable {
    /// Commands a sweep may run: each prints one JSON document with `--json` and takes `--seed`.
    public static let commands = ["lyapunov", "spectrum", "ridge", "train"]
    /// Options the sweep sets itself, or that would make tasks write over each other.
    public static let reserved = ["seed", "json", "output", "checkpoint", "resume", "help"]

    public struct Axis: Equatable, Sendable {
        public var name: String
        public var values: [JSONValue]
        /// True when every value is a number (plotted on a numeric axis).
        public var isNumeric: Bool { values.allSatisfy { $0.number != nil && !($0.isString) } }
    }

    public struct Metric: Decodable, Equatable, Sendable {
        public var path: JSONPath
        public var label: String

        public init(path: JSONPath, label: String? = nil) {
            self.path = path
            self.label = label ?? path.text
        }

        /// A path string, or {"path": ..., "label": ...}.
        public init(from decoder: Decoder) throws {
            if let s = try? decoder.singleValueContainer().decode(String.self) {
                self.init(path: try JSONPath(parsing: s))
                return
            }
            let c = try decoder.container(keyedBy: Key.self)
            self.init(path: try c.decode(JSONPath.self, forKey: .path), label: try c.decodeIfPresent(String.self, forKey: .label))
        }
        enum Key: String, CodingKey { case path, label }
    }

    public var command: String
    public var options: [String: JSONValue]
    public var grid: [Axis]
    /// Replicates per grid point, each with its own seed.
    public var seeds: Int
    /// The base seed the task seeds are derived from.
    public var seed: UInt64
    /// What `sweep merge` tabulates and plots; nil: the command's default, if it has one.
    public var metric: Metric?
    /// More result paths tabulated beside the metric.
    public var columns: [JSONPath]

    public init(command: String, options: [String: JSONValue] = [:], grid: [Axis] = [], seeds: Int = 1, seed: UInt64 = 0,
                metric: Metric? = nil, columns: [JSONPath] = []) {
        (self.command, self.options, self.grid, self.seeds, self.seed) = (command, options, grid, seeds, seed)
        (self.metric, self.columns) = (metric, columns)
    }

    enum Key: String, CodingKey, CaseIterable { case command, options, grid, seeds, seed, metric, columns }

    /// An integer field, with an error that names it and its value (Foundation reports a
    /// fraction such as "seed": 1.5 as "not valid JSON").
    static func integer<I: FixedWidthInteger & Decodable>(_ c: KeyedDecodingContainer<Key>, _ key: Key, as _: I.Type) throws -> I? {
        guard c.contains(key) else { return nil }
        if let v = try? c.decode(I.self, forKey: key) { return v }
        let shown = (try? c.decode(Double.self, forKey: key)).map { "\($0)" } ?? "a value that is not a number"
        throw ComputeError.invalidArgument("\"\(key.rawValue)\" must be an integer from \(I.min) to \(I.max), got \(shown)")
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        command = try c.decode(String.self, forKey: .command)
        options = try c.decodeIfPresent([String: JSONValue].self, forKey: .options) ?? [:]
        if let object = try? c.decodeIfPresent([String: [JSONValue]].self, forKey: .grid) {
            grid = object.keys.sorted().map { Axis(name: $0, values: object[$0]!) }
        } else if let list = try c.decodeIfPresent([[String: [JSONValue]]].self, forKey: .grid) {
            grid = try list.map { entry in
                guard entry.count == 1, let (name, values) = entry.first else {
                    throw ComputeError.invalidArgument("sweep file: each entry of a \"grid\" list is one {\"option\": [values]}")
                }
                return Axis(name: name, values: values)
            }
        } else {
            grid = []
        }
        seeds = try Self.integer(c, .seeds, as: Int.self) ?? 1
        seed = try Self.integer(c, .seed, as: UInt64.self) ?? 0
        metric = try c.decodeIfPresent(Metric.self, forKey: .metric) ?? Self.defaultMetric(command)
        columns = try c.decodeIfPresent([JSONPath].self, forKey: .columns) ?? []
        // Unknown top-level keys are typos: say so rather than ignore them.
        let known = Set(Key.allCases.map(\.rawValue))
        let all = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        if let unknown = all.filter({ !known.contains($0) }).sorted().first {
            throw ComputeError.invalidArgument(
                "sweep file: unknown key \"\(unknown)\" (known: \(Key.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// λ1 for lyapunov, the KS distance to theory for spectrum.
    static func defaultMetric(_ command: String) -> Metric? {
        switch command {
        case "lyapunov": Metric(path: try! JSONPath(parsing: "exponents.0"), label: "λ1")
        case "spectrum": Metric(path: try! JSONPath(parsing: "distance.value"), label: "KS distance")
        default: nil
        }
    }

    /// Reads and checks a sweep file.
    public static func load(_ url: URL) throws -> SweepSpec {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ComputeError.io(path: url.path, reason: "cannot read the sweep file (\(fileErrorReason(error)))")
        }
        return try parse(data, source: url.path)
    }

    public static func parse(_ data: Data, source: String = "sweep file") throws -> SweepSpec {
        let spec: SweepSpec
        do { spec = try JSONDecoder().decode(SweepSpec.self, from: data) } catch let e as ComputeError {
            throw ComputeError.invalidArgument("\(source): \(e)")
        } catch {
            throw ComputeError.invalidArgument("\(source) is not a valid sweep file: \(Self.explain(error))")
        }
        do { try spec.validate() } catch { throw ComputeError.invalidArgument("\(source): \(error)") }
        return spec
    }

    static func explain(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            "wrong type at \(ctx.codingPath.map(\.stringValue).joined(separator: ".")) (\(ctx.debugDescription))"
        case DecodingError.dataCorrupted(let ctx) where !ctx.codingPath.isEmpty:
            // Valid JSON with a value of the wrong kind (Foundation says "not valid JSON" for "seed": 1.5).
            "invalid value at \(ctx.codingPath.map(\.stringValue).joined(separator: ".")): "
                + (ctx.underlyingError.map { "\($0)" } ?? ctx.debugDescription)
        case DecodingError.dataCorrupted(let ctx): ctx.debugDescription
        default: "\(error)"
        }
    }

    /// Largest number of tasks a sweep may have.
    public static let maxTasks = 10_000_000

    public func validate() throws {
        guard Self.commands.contains(command) else {
            throw ComputeError.invalidArgument("\"command\" must be one of \(Self.commands.joined(separator: ", ")), got \"\(command)\"")
        }
        guard seeds >= 1 else { throw ComputeError.invalidArgument("\"seeds\" must be at least 1, got \(seeds)") }
        var seen = Set<String>()
        for (name, value) in options.sorted(by: { $0.key < $1.key }) {
            try Self.checkName(name, in: "options")
            guard value.isScalar else {
                throw ComputeError.invalidArgument("option \"\(name)\": give a number, a string or true/false, not \(value.kind)")
            }
        }
        var count = seeds
        for axis in grid {
            try Self.checkName(axis.name, in: "grid")
            guard seen.insert(axis.name).inserted else { throw ComputeError.invalidArgument("grid: \"\(axis.name)\" appears twice") }
            guard options[axis.name] == nil else {
                throw ComputeError.invalidArgument("\"\(axis.name)\" is both a fixed option and a grid axis")
            }
            guard axis.name != "device" else { throw ComputeError.invalidArgument("grid: \"device\" cannot vary over a sweep") }
            guard !axis.values.isEmpty else { throw ComputeError.invalidArgument("grid: \"\(axis.name)\" has no values") }
            if let bad = axis.values.first(where: { !$0.isScalar }) {
                throw ComputeError.invalidArgument("grid: \"\(axis.name)\" values must be numbers, strings or true/false, not \(bad.kind)")
            }
            guard count <= Self.maxTasks / axis.values.count else {
                throw ComputeError.invalidArgument("the grid has more than \(Self.maxTasks) tasks")
            }
            count *= axis.values.count
        }
        guard count <= Self.maxTasks else { throw ComputeError.invalidArgument("the sweep has more than \(Self.maxTasks) tasks") }
    }

    static func checkName(_ name: String, in place: String) throws {
        let ok = !name.isEmpty && name.first != "-" && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        guard ok else {
            throw ComputeError.invalidArgument("\(place): \"\(name)\" is not an option name (write long options without the dashes: \"alpha-z\")")
        }
        guard !reserved.contains(name) else {
            throw ComputeError.invalidArgument("\(place): \"\(name)\" is set by the sweep itself and cannot be given"
                + (name == "seed" ? " (the task seeds derive from the top-level \"seed\")" : ""))
        }
    }
}

extension JSONValue {
    var isString: Bool { if case .string = self { true } else { false } }

    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}
