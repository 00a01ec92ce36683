import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// Any JSON value, decoded exactly (integers stay integers; doubles round-trip bit for bit
/// through JSONDecoder/JSONEncoder). Sweep files and task results are read through it.
public enum JSONValue: Codable, Equatable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Parses JSON text; gpurun writes non-finite numbers as the strings "NaN", "Infinity" and
    /// "-Infinity", which `number` reads back.
    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    public var isScalar: Bool {
        switch self {
        case .bool, .int, .double, .string: true
        case .null, .array, .object: false
        }
    }

    /// The value as a number: integers, doubles and gpurun's spellings of non-finite values.
    public var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        case .string("NaN"): .nan
        case .string("Infinity"): .infinity
        case .string("-Infinity"): -.infinity
        default: nil
        }
    }

    /// How the value reads as a command-line argument or a CSV cell: integers without a
    /// fraction, doubles in Swift's shortest round-trip form.
    public var text: String {
        switch self {
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): Self.text(d)
        case .string(let s): s
        case .array(let a): a.map(\.text).joined(separator: ",")
        case .object: "{…}"
        }
    }

    public var description: String { text }

    /// 2.0 → "2", 0.1 → "0.1", 1e-7 → "1e-07": shortest text that parses back to the same double.
    public static func text(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }

    /// The value at `path` (see `JSONPath`), or nil where the path leads nowhere.
    public func value(at path: JSONPath) -> JSONValue? {
        var v = self
        for component in path.components {
            switch (v, component) {
            case (.object(let o), .key(let k)):
                guard let next = o[k] else { return nil }
                v = next
            case (.object(let o), .index(let i)):
                guard let next = o[String(i)] else { return nil }
                v = next
            case (.array(let a), .index(let i)):
                guard a.indices.contains(i) else { return nil }
                v = a[i]
            default:
                return nil
            }
        }
        return v
    }
}

/// A path into a JSON document: keys and array indices separated by dots, or indices in
/// brackets: `exponents.0`, `exponents[0]`, `theory.lambda1Gap`, `points[2].ridge.mean`.
public struct JSONPath: Codable, Equatable, Sendable, CustomStringConvertible {
    public enum Component: Equatable, Sendable {
        case key(String)
        case index(Int)
    }

    public let text: String
    public let components: [Component]

    public init(parsing text: String) throws {
        var parts: [Component] = []
        for piece in text.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(piece)
            // A key, then any number of [i].
            let key = rest.prefix { $0 != "[" }
            rest = rest.dropFirst(key.count)
            if !key.isEmpty { parts.append(Int(key).map { $0 >= 0 ? .index($0) : .key(String(key)) } ?? .key(String(key))) }
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]"),
                      let i = Int(rest[rest.index(after: rest.startIndex)..<close]), i >= 0
                else { throw ComputeError.invalidArgument("metric path '\(text)': expected [N] after '\(key)'") }
                parts.append(.index(i))
                rest = rest[rest.index(after: close)...]
            }
            if key.isEmpty, piece.isEmpty || piece.first != "[" {
                throw ComputeError.invalidArgument("metric path '\(text)' has an empty component")
            }
        }
        guard !parts.isEmpty else { throw ComputeError.invalidArgument("metric path is empty") }
        self.text = text
        self.components = parts
    }

    public init(from decoder: Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }

    public var description: String { text }
}
