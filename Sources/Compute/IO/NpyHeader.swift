/// The .npy header: element types, and a small bounds-checked parser and writer for the
/// header dict (`{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`) described in
/// numpy's NEP 1. Nothing here trusts its input: every read is checked, every error is thrown.
import Foundation

/// The element types gpurun reads and writes, all little-endian.
public enum NpyDType: String, Sendable, CaseIterable {
    case float32, float64, complex64, complex128, int32, int64

    /// The numpy type string written to headers, such as `<f4`.
    public var descr: String {
        switch self {
        case .float32: "<f4"
        case .float64: "<f8"
        case .complex64: "<c8"
        case .complex128: "<c16"
        case .int32: "<i4"
        case .int64: "<i8"
        }
    }

    /// Bytes per element (a complex element is both parts).
    public var itemSize: Int {
        switch self {
        case .float32, .int32: 4
        case .float64, .complex64, .int64: 8
        case .complex128: 16
        }
    }

    /// Bytes per scalar component: the item size, or half of it for complex types. Byte order
    /// applies per component.
    var componentSize: Int {
        switch self {
        case .complex64, .complex128: itemSize / 2
        default: itemSize
        }
    }

    /// "<f4 (float32), <f8 (float64), …", for error messages.
    static var supportedList: String {
        allCases.map { "\($0.descr) (\($0.rawValue))" }.joined(separator: ", ")
    }

    /// The type a numpy descr names. Accepts the byte-order markers `<`, `|`, `=` and none
    /// (the last three mean native order, which must then be little-endian); rejects `>`.
    static func parse(descr: String, path: String) throws -> NpyDType {
        var code = Substring(descr)
        var bigEndian = false
        if let first = code.first, "<>|=!".contains(first) {
            bigEndian = first == ">" || first == "!"
            if (first == "=" || first == "|"), !hostIsLittleEndian { bigEndian = true }
            code = code.dropFirst()
        } else if !hostIsLittleEndian {
            bigEndian = true
        }
        let type: NpyDType? = switch code {
        case "f4": .float32
        case "f8": .float64
        case "c8": .complex64
        case "c16": .complex128
        case "i4": .int32
        case "i8": .int64
        default: nil
        }
        guard let type else {
            throw ComputeError.io(
                path: path,
                reason: "unsupported dtype '\(descr)'; gpurun reads \(supportedList)")
        }
        if bigEndian {
            throw ComputeError.io(
                path: path,
                reason: "dtype '\(descr)' is big-endian; gpurun reads little-endian data only "
                    + "(convert it with a.astype('\(type.descr)'))")
        }
        return type
    }
}

/// True on every platform Swift currently ships for; checked rather than assumed.
let hostIsLittleEndian = 1.littleEndian == 1

/// The three fields of a header dict.
struct NpyHeader: Equatable {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// Parses the dict text (the bytes between the length field and the payload).
    static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> NpyHeader {
        var parser = DictParser(bytes: bytes, path: path)
        let entries = try parser.parseTopLevel()
        func field(_ key: String) throws -> PyValue {
            guard let value = entries.first(where: { $0.key == key })?.value else {
                throw parser.malformed("the key '\(key)' is missing")
            }
            return value
        }
        let descr: String
        switch try field("descr") {
        case .string(let s): descr = s
        case .list:
            throw ComputeError.io(
                path: path,
                reason: "unsupported dtype: a structured (record) dtype; gpurun reads "
                    + NpyDType.supportedList)
        default: throw parser.malformed("'descr' is not a string")
        }
        guard case .bool(let fortran) = try field("fortran_order") else {
            throw parser.malformed("'fortran_order' is not True or False")
        }
        let shape: [Int]
        switch try field("shape") {
        case .tuple(let items), .list(let items):
            shape = try items.map { item in
                guard case .int(let n) = item else {
                    throw parser.malformed("'shape' holds something other than integers")
                }
                guard n >= 0 else { throw parser.malformed("'shape' has a negative dimension") }
                return n
            }
        default: throw parser.malformed("'shape' is not a tuple")
        }
        return NpyHeader(descr: descr, fortranOrder: fortran, shape: shape)
    }

    /// The dict as numpy writes it: `{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }`.
    var text: String {
        let order = fortranOrder ? "True" : "False"
        return "{'descr': '\(descr)', 'fortran_order': \(order), 'shape': \(tupleText(shape)), }"
    }
}

/// The Python literals a header may hold.
enum PyValue: Equatable {
    case string(String)
    case bool(Bool)
    case int(Int)
    case none
    case tuple([PyValue])
    case list([PyValue])
    case dict([String: PyValue])
}

/// A recursive-descent parser for the subset of Python literal syntax that headers use.
struct DictParser {
    let bytes: UnsafeRawBufferPointer
    let path: String
    var pos = 0
    static let maxDepth = 16

    init(bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes
        self.path = path
    }

    /// The error for a header that is not a valid dict, quoting (a printable prefix of) it.
    func malformed(_ what: String) -> ComputeError {
        let shown = bytes.prefix(160).map { b -> String in
            (0x20..<0x7f).contains(b) ? String(UnicodeScalar(b)) : "\\x" + hex(b)
        }.joined()
        let more = bytes.count > 160 ? "…" : ""
        return ComputeError.io(
            path: path, reason: "malformed .npy header: \(what) (header: \(shown)\(more))")
    }

    private func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }

    private var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private mutating func skipSpace() {
        // Spaces, tabs, newlines, carriage returns, and NUL padding.
        while let b = peek, b == 0x20 || b == 0x09 || b == 0x0a || b == 0x0d || b == 0 {
            pos += 1
        }
    }

    private mutating func expect(_ c: Character) throws {
        skipSpace()
        guard let b = peek, b == c.asciiValue else {
            throw malformed("expected '\(c)' at offset \(pos)")
        }
        pos += 1
    }

    /// The whole header: one dict with string keys, then only padding.
    mutating func parseTopLevel() throws -> [(key: String, value: PyValue)] {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { throw malformed("it does not start with '{'") }
        let entries = try parseDictBody(depth: 1)
        skipSpace()
        guard pos == bytes.count else { throw malformed("unexpected text after '}' at offset \(pos)") }
        return entries
    }

    /// From `{` through the matching `}`.
    private mutating func parseDictBody(depth: Int) throws -> [(key: String, value: PyValue)] {
        try expect("{")
        var entries: [(key: String, value: PyValue)] = []
        while true {
            skipSpace()
            if peek == UInt8(ascii: "}") { pos += 1; return entries }
            guard case .string(let key) = try parseValue(depth: depth + 1) else {
                throw malformed("a dict key is not a string (offset \(pos))")
            }
            try expect(":")
            let value = try parseValue(depth: depth + 1)
            if entries.contains(where: { $0.key == key }) {
                throw malformed("the key '\(key)' appears twice")
            }
            entries.append((key, value))
            skipSpace()
            if peek == UInt8(ascii: ",") { pos += 1; continue }
            if peek == UInt8(ascii: "}") { pos += 1; return entries }
            throw malformed("expected ',' or '}' at offset \(pos)")
        }
    }

    /// Items up to `close`, separated by commas, a trailing comma allowed.
    private mutating func parseSequence(close: UInt8, depth: Int) throws -> [PyValue] {
        pos += 1  // the opening bracket
        var items: [PyValue] = []
        while true {
            skipSpace()
            if peek == close { pos += 1; return items }
            items.append(try parseValue(depth: depth + 1))
            skipSpace()
            if peek == UInt8(ascii: ",") { pos += 1; continue }
            if peek == close { pos += 1; return items }
            throw malformed("expected ',' or '\(Character(UnicodeScalar(close)))' at offset \(pos)")
        }
    }

    private mutating func parseValue(depth: Int) throws -> PyValue {
        guard depth <= Self.maxDepth else { throw malformed("values are nested too deeply") }
        skipSpace()
        guard let b = peek else { throw malformed("it ends in the middle of a value") }
        switch b {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return .string(try parseString(quote: b))
        case UInt8(ascii: "("):
            return .tuple(try parseSequence(close: UInt8(ascii: ")"), depth: depth))
        case UInt8(ascii: "["):
            return .list(try parseSequence(close: UInt8(ascii: "]"), depth: depth))
        case UInt8(ascii: "{"):
            var dict: [String: PyValue] = [:]
            for (k, v) in try parseDictBody(depth: depth) { dict[k] = v }
            return .dict(dict)
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .int(try parseInt())
        default:
            return try parseWord()
        }
    }

    /// A quoted string; a backslash takes the next byte literally.
    private mutating func parseString(quote: UInt8) throws -> String {
        let start = pos
        pos += 1
        var out: [UInt8] = []
        while let b = peek {
            pos += 1
            if b == quote { return String(decoding: out, as: UTF8.self) }
            if b == UInt8(ascii: "\\") {
                guard let next = peek else { break }
                out.append(next)
                pos += 1
            } else {
                out.append(b)
            }
        }
        throw malformed("the string at offset \(start) is not closed")
    }

    /// A decimal integer, optionally signed, optionally with Python 2's `L` suffix.
    private mutating func parseInt() throws -> Int {
        let start = pos
        var negative = false
        if let b = peek, b == UInt8(ascii: "-") || b == UInt8(ascii: "+") {
            negative = b == UInt8(ascii: "-")
            pos += 1
        }
        var value = 0
        var digits = 0
        while let b = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int(b - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw malformed("the number at offset \(start) is too large") }
            value = s
            digits += 1
            pos += 1
        }
        guard digits > 0 else { throw malformed("expected a number at offset \(start)") }
        if let b = peek, b == UInt8(ascii: "L") || b == UInt8(ascii: "l") { pos += 1 }
        return negative ? -value : value
    }

    /// `True`, `False` or `None`.
    private mutating func parseWord() throws -> PyValue {
        let start = pos
        while let b = peek, (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || b == UInt8(ascii: "_") {
            pos += 1
        }
        switch String(decoding: bytes[start..<pos], as: UTF8.self) {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .none
        case "": throw malformed("unexpected character at offset \(start)")
        case let word: throw malformed("unknown name '\(word)' at offset \(start)")
        }
    }
}
