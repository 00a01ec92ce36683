import Foundation
import XCTest

/// The package's architecture as a test: each target imports only targets below it, and no
/// library product carries unsafe flags (SwiftPM would refuse it as a versioned dependency).
final class LayeringTests: XCTestCase {
    /// Our targets by layer; a target may import those of lower layers only.
    static let layers: [String: Int] = [
        "OpenCLRuntime": 0, "Compute": 1, "Dynamics": 2, "Learning": 2, "InformationBottleneck": 2,
        "GPURunApp": 3, "gpurun": 4,
    ]

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The imports of one file that break the layering, and how many of our modules it imports.
    static func violations(target: String, file: String, text: String) -> (violations: [String], imports: Int) {
        guard let layer = layers[target] else { return (["unknown target \(target)"], 0) }
        let kinds: Set<Substring> = ["struct", "class", "enum", "protocol", "func", "typealias", "var", "let"]
        var out: [String] = [], imports = 0
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "." })
            guard let i = words.firstIndex(of: "import"), words[..<i].allSatisfy({ $0.hasPrefix("@") }),
                  i + 1 < words.count else { continue }
            // `import struct M.T` names the kind first.
            let module = String(kinds.contains(words[i + 1]) && i + 2 < words.count ? words[i + 2] : words[i + 1])
            guard let other = layers[module] else { continue }
            imports += 1
            if module != target && other >= layer { out.append("\(target)/\(file) imports \(module) (layer \(other) ≥ \(layer))") }
        }
        return (out, imports)
    }

    func testEveryTargetImportsOnlyLowerLayers() throws {
        var violations: [String] = [], checked = 0
        for target in Self.layers.keys {
            let dir = Self.packageRoot.appendingPathComponent("Sources/\(target)")
            let files = try XCTUnwrap(FileManager.default.enumerator(atPath: dir.path)).compactMap { $0 as? String }
                .filter { $0.hasSuffix(".swift") }
            XCTAssertFalse(files.isEmpty, "no sources in \(dir.path)")
            for file in files {
                let r = Self.violations(target: target, file: file,
                                        text: try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8))
                violations += r.violations
                checked += r.imports
            }
        }
        XCTAssertGreaterThan(checked, 50, "the scan found too few imports to be looking at the right tree")
        XCTAssertEqual(violations, [], violations.joined(separator: "\n"))
    }

    func testTheScanCatchesUpwardAndSidewaysImports() {
        XCTAssertEqual(Self.violations(target: "Compute", file: "a.swift", text: "import Foundation\nimport Dynamics\n").violations.count, 1)
        XCTAssertEqual(Self.violations(target: "Dynamics", file: "a.swift", text: "@testable import Learning").violations.count, 1)
        XCTAssertEqual(Self.violations(target: "OpenCLRuntime", file: "a.swift", text: "import class Compute.CPUBackend").violations.count, 1)
        let fine = Self.violations(target: "Compute", file: "a.swift", text: "@_exported import enum OpenCLRuntime.DType\nimport Compute")
        XCTAssertEqual(fine.violations, [])
        XCTAssertEqual(fine.imports, 2)
    }

    func testNoUnsafeFlags() throws {
        let manifest = try String(contentsOf: Self.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        XCTAssertFalse(manifest.contains("unsafeFlags"), "Package.swift uses unsafeFlags: no package could depend on ours")
    }
}
