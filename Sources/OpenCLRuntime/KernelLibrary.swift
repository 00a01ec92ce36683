/// The embedded kernels/ folder: program sources with `#include "x.h"` resolved from the same
/// folder, so a kernel file compiles at run time exactly as `clang -Ikernels` checks it offline.
public enum KernelLibrary {
    public enum Failure: Error, CustomStringConvertible {
        case missing(String)
        case includeCycle(String)
        public var description: String {
            switch self {
            case .missing(let f): "kernel source \(f) is not embedded in this binary"
            case .includeCycle(let f): "kernel source \(f) includes itself"
            }
        }
    }

    /// Names of every embedded file.
    public static var fileNames: [String] { KernelSources.files.keys.sorted() }

    /// The full text of `file` with local includes expanded (each header once).
    public static func source(_ file: String) throws -> String {
        var seen: Set<String> = []
        return try expand(file, seen: &seen, stack: [])
    }

    private static func expand(_ file: String, seen: inout Set<String>, stack: [String]) throws -> String {
        guard let text = KernelSources.files[file] else { throw Failure.missing(file) }
        if stack.contains(file) { throw Failure.includeCycle(file) }
        seen.insert(file)
        var out: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop(while: { $0 == " " })
            if trimmed.hasPrefix("#include \""), let end = trimmed.dropFirst(10).firstIndex(of: "\"") {
                let name = String(trimmed[trimmed.index(trimmed.startIndex, offsetBy: 10)..<end])
                if !seen.contains(name) {
                    out.append(Substring(try expand(name, seen: &seen, stack: stack + [file])))
                }
                continue
            }
            out.append(line)
        }
        return out.joined(separator: "\n")
    }
}
