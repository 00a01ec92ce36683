import ArgumentParser
import Foundation

/// The command line as the parser should read it, and the one check every real option shares.
enum ArgumentNormalization {
    /// `--opt -5` becomes `--opt=-5`: swift-argument-parser reads a word that begins with `-`
    /// as an option, so a negative value would be "missing" instead of reaching its range check.
    /// Only words that read as numbers (or comma lists of them) are joined.
    static func joiningNegativeValues(_ args: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if a.hasPrefix("--"), !a.contains("="), a != "--", i + 1 < args.count, isNegativeNumber(args[i + 1]) {
                out.append(a + "=" + args[i + 1])
                i += 2
            } else {
                out.append(a)
                i += 1
            }
        }
        return out
    }

    /// A word such as -5, -0.25, -1e-3 or -1,2,3.
    static func isNegativeNumber(_ word: String) -> Bool {
        guard word.hasPrefix("-"), word.count > 1 else { return false }
        return word.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { Double($0) != nil }
    }

    /// The first option whose value, or one of whose comma- or colon-separated parts, reads as
    /// NaN or ±infinity: no option of gpurun takes one (sizes, gains, steps, tolerances...).
    static func nonFiniteValue(in args: [String]) -> (option: String, value: String)? {
        var i = 0
        while i < args.count {
            let a = args[i]
            guard a.hasPrefix("--"), a != "--" else { i += 1; continue }
            let (option, value): (String, String?)
            if let eq = a.firstIndex(of: "=") {
                (option, value) = (String(a[..<eq]), String(a[a.index(after: eq)...]))
                i += 1
            } else {
                (option, value) = (a, i + 1 < args.count && !args[i + 1].hasPrefix("--") ? args[i + 1] : nil)
                i += value == nil ? 1 : 2
            }
            if let value, value.split(whereSeparator: { $0 == "," || $0 == ":" }).contains(where: isNonFinite) {
                return (option, value)
            }
        }
        return nil
    }

    static func isNonFinite(_ part: Substring) -> Bool {
        guard let d = Double(part.trimmingCharacters(in: .whitespaces)) else { return false }
        return !d.isFinite
    }
}
