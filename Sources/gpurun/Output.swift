import GPURunApp
import Compute
import Foundation

/// Presentation helpers: JSON on stdout, aligned tables, messages on stderr.
enum Output {
    /// `value` as JSON on stdout (non-finite numbers as null, named under "nonFiniteValues").
    static func json<T: Encodable>(_ value: T) throws {
        FileHandle.standardOutput.write(try ReportJSON.encode(value))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// An aligned table, then a line per note.
    static func table(_ header: [String], _ rows: [[String]], notes: [String] = []) {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        print(line(header))
        print(line(widths.map { String(repeating: "-", count: $0) }))
        for r in rows { print(line(r)) }
        for note in notes { print("note: \(note)") }
    }

    /// Table rows of `results` group by group (the groups in `keys` order), each row made from
    /// a result and its group (where the reference engine of a ratio column is found).
    static func grouped<R, K: Equatable>(_ results: [R], keys: [K], key: (R) -> K,
                                         row: (R, [R]) -> [String]) -> [[String]] {
        keys.flatMap { k in
            let group = results.filter { key($0) == k }
            return group.map { row($0, group) }
        }
    }

    static func note(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }

    static func sci(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return String(format: "%.2e", v)
    }
}
