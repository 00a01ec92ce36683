import Foundation

/// The JSON of every report, on stdout and in files: pretty-printed, sorted keys. JSON has no
/// NaN or infinity, and a string in a number's place breaks readers, so a non-finite number is
/// written as null and a report object gains "nonFiniteValues", which names each such field
/// (its nearest key) with what it held ("NaN", "Infinity", "-Infinity").
public enum ReportJSON {
    /// The marker a non-finite number is first encoded as, then replaced by null.
    static let marker = "@@gpurun-nonfinite:"

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let text = String(decoding: try encoder(markers: true).encode(value), as: UTF8.self)
        guard text.contains(marker) else { return Data(text.utf8) }
        var out = "", found: [String: String] = [:]
        var rest = Substring(text)
        while let start = rest.range(of: "\"" + marker) {
            let head = rest[..<start.lowerBound]
            let afterMarker = rest[start.upperBound...]
            guard let end = afterMarker.range(of: "@@\"") else { break }
            let what = String(afterMarker[..<end.lowerBound])
            found[nearestKey(before: out + head), default: what] = what
            out += head + "null"
            rest = afterMarker[end.upperBound...]
        }
        out += rest
        if out.hasPrefix("{"), let close = out.lastIndex(of: "}") {
            let listing = String(decoding: try encoder(markers: false).encode(found), as: UTF8.self)
                .replacingOccurrences(of: "\n", with: "\n  ")
            let body = out[..<close].trimmingCharacters(in: .whitespacesAndNewlines)
            out = body + (body == "{" ? "\n" : ",\n") + "  \"nonFiniteValues\" : " + listing + "\n}"
        }
        return Data(out.utf8)
    }

    static func encoder(markers: Bool) -> JSONEncoder {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if markers {
            enc.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: marker + "Infinity@@", negativeInfinity: marker + "-Infinity@@", nan: marker + "NaN@@")
        }
        return enc
    }

    /// The last `"key" :` of the text so far (the field, or the array, holding the value).
    static func nearestKey(before text: String) -> String {
        guard let colon = text.range(of: "\" : ", options: .backwards),
              let open = text[..<colon.lowerBound].lastIndex(of: "\"") else { return "(top level)" }
        return String(text[text.index(after: open)..<colon.lowerBound])
    }
}
