import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
/// Tests of .npy reading and writing: round trips for every dtype and rank, numpy-made
/// fixtures (scripts/make_npy_fixtures.py), every refusal's message, header layout, robustness
/// against damaged input, and numpy reading what we write (skipped without python3 + numpy).
import Foundation
import XCTest


final class NpyTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/npy")

    func fixture(_ name: String) -> URL { Self.fixtures.appendingPathComponent(name) }

    /// A fresh temporary directory, removed after the test.
    func makeTempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("npy-tests-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// A .npy file with the given header dict text and payload (header not padded).
    func npyFile(_ dict: String, payload: [UInt8] = [], version: UInt8 = 1) -> [UInt8] {
        let header = Array(dict.utf8)
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        if version == 1 {
            out += [UInt8(header.count & 0xff), UInt8(header.count >> 8)]
        } else {
            out += [UInt8(header.count & 0xff), UInt8(header.count >> 8), 0, 0]
        }
        return out + header + payload
    }

    /// Asserts that `body` throws a ComputeError whose description holds every phrase.
    func assertThrows<R>(
        _ body: @autoclosure () throws -> R, _ phrases: String..., io: Bool = true,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            _ = try body()
            XCTFail("expected an error containing \(phrases)", file: file, line: line)
        } catch let error as ComputeError {
            if io, case .io = error {} else if io {
                XCTFail("expected ComputeError.io, got \(error)", file: file, line: line)
            }
            for p in phrases {
                XCTAssert(error.description.contains(p), "'\(error)' lacks '\(p)'", file: file, line: line)
            }
        } catch {
            XCTFail("expected a ComputeError, got \(error)", file: file, line: line)
        }
    }

    // MARK: Round trips

    func testRoundTripEveryDTypeAndRank() throws {
        let dir = try makeTempDir()
        let shapes = [[5], [2, 3], [2, 1, 3], [0, 3], [0], [2, 0, 4]]
        for shape in shapes {
            let n = shape.reduce(1, *)
            let reals = (0..<n).map { Double($0) * 0.75 - 1.5 }
            let arrays: [NpyArray] = [
                try NpyArray(reals.map(Float.init), shape: shape),
                try NpyArray(reals, shape: shape),
                try NpyArray((0..<n).map { Int32($0) - 2 }, shape: shape),
                try NpyArray((0..<n).map { Int64($0) * 1_000_000_007 - 3 }, shape: shape),
                try NpyArray(complexInterleaved: reals.flatMap { [Float($0), Float(-$0)] }, shape: shape),
                try NpyArray(complexInterleaved: reals.flatMap { [$0, $0 + 1e-3] }, shape: shape),
            ]
            XCTAssertEqual(Set(arrays.map(\.dtype)), Set(NpyDType.allCases))
            for a in arrays {
                let url = dir.appendingPathComponent("\(a.dtype.rawValue)-\(shape.count)d.npy")
                try Npy.write(a, to: url)
                let fromFile = try Npy.read(url)
                let fromBytes = try Npy.read(bytes: Npy.encode(a), name: "mem")
                for b in [fromFile, fromBytes] {
                    XCTAssertEqual(b.shape, shape)
                    XCTAssertEqual(b.dtype, a.dtype)
                    XCTAssertEqual(b.data, a.data)
                    XCTAssertEqual(b.data.count, n * a.dtype.itemSize)
                }
                switch a.dtype {
                case .float32: XCTAssertEqual(try fromFile.floats(), reals.map(Float.init))
                case .float64: XCTAssertEqual(try fromFile.doubles(), reals)
                case .int32: XCTAssertEqual(try fromFile.int32s(), (0..<n).map { Int32($0) - 2 })
                case .int64: XCTAssertEqual(try fromFile.int64s(), (0..<n).map { Int64($0) * 1_000_000_007 - 3 })
                case .complex64:
                    XCTAssertEqual(try fromFile.complex(), reals.map { NpyComplex(re: $0, im: -$0) })
                case .complex128:
                    XCTAssertEqual(try fromFile.complex(), reals.map { NpyComplex(re: $0, im: $0 + 1e-3) })
                }
            }
        }
    }

    func testComplexConstructorAndConversions() throws {
        let values = [NpyComplex(re: 1, im: 2), NpyComplex(re: -1.5, im: 1e-3)]
        let c128 = try NpyArray(values, shape: [2])
        XCTAssertEqual(c128.dtype, .complex128)
        XCTAssertEqual(try c128.complex(), values)
        let c64 = try NpyArray(values, shape: [1, 2], dtype: .complex64)
        XCTAssertEqual(c64.dtype, .complex64)
        XCTAssertEqual(try c64.complex()[1].im, Double(Float(1e-3)))
        assertThrows(try NpyArray(values, shape: [2], dtype: .float64), "complex64 or complex128", io: false)

        let f32 = try NpyArray([Float(1.5), -2], shape: [2])
        XCTAssertEqual(try f32.doubles(), [1.5, -2])
        XCTAssertEqual(try NpyArray([Int32(-7), 9], shape: [2]).doubles(), [-7, 9])
        XCTAssertEqual(try NpyArray([Int32(-7), 9], shape: [2]).int64s(), [-7, 9])
        XCTAssertEqual(try NpyArray([Int64(1) << 40], shape: [1]).doubles(), [0x1p40])
        assertThrows(try c128.doubles(), "complex128", "complex()", io: false)
        assertThrows(try NpyArray([1.0], shape: [1]).floats(), "float64", "doubles()", io: false)
        assertThrows(try f32.complex(), "float32", io: false)
        assertThrows(try f32.int32s(), "float32", io: false)
        assertThrows(try NpyArray([Int64(1)], shape: [1]).int32s(), "int64", io: false)
    }

    func testConstructorErrors() {
        assertThrows(try NpyArray([Float](repeating: 0, count: 5), shape: [2, 3]), "6 elements", "5 values", io: false)
        assertThrows(try NpyArray([1.0], shape: [1, 1, 1, 1]), "has 4 dimensions", "1 to 3", io: false)
        assertThrows(try NpyArray([1.0], shape: []), "has 0 dimensions", io: false)
        assertThrows(try NpyArray([Double](), shape: [-1, 0]), "negative", io: false)
        assertThrows(try NpyArray([Int64](), shape: [Int.max, 3]), "too large", io: false)
        assertThrows(try NpyArray(complexInterleaved: [Float(1), 2, 3], shape: [2]), "interleaved", io: false)
        assertThrows(try NpyArray(shape: [2], dtype: .float64, data: [0, 0]), "2 bytes", io: false)
        XCTAssertNoThrow(try NpyArray(shape: [2], dtype: .int32, data: [UInt8](repeating: 1, count: 8)))
    }

    // MARK: Written layout

    func testWrittenHeaderIsVersion1PaddedTo64() throws {
        for shape in [[1], [3], [10, 20], [1000, 1000, 1000], [0, 7, 123_456_789]] {
            for dtype in NpyDType.allCases {
                var a = try NpyArray(shape: [1], dtype: dtype, data: [UInt8](repeating: 0, count: dtype.itemSize))
                a.shape = shape  // encode() writes any shape; the payload is irrelevant here
                let bytes = Npy.encode(a)
                XCTAssertEqual(Array(bytes[0..<8]), [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])
                let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
                XCTAssertEqual((10 + headerLength) % 64, 0)
                XCTAssertEqual(bytes[10 + headerLength - 1], 0x0a)
                let text = String(decoding: bytes[10..<10 + headerLength], as: UTF8.self)
                XCTAssert(text.hasPrefix("{'descr': '\(dtype.descr)', 'fortran_order': False, 'shape': ("), text)
            }
        }
        let one = Npy.encode(try NpyArray([Float(1)], shape: [3 - 2]))
        XCTAssert(String(decoding: one, as: UTF8.self).contains("'shape': (1,), }"))
        XCTAssertEqual(one.count, 128 + 4)
        // A header too long for a u16 length (only absurd ranks) switches to format 2.0.
        var huge = try NpyArray([Float(1)], shape: [1])
        huge.shape = [Int](repeating: 1, count: 30_000)
        let v2 = Npy.encode(huge)
        XCTAssertEqual(Array(v2[6..<8]), [2, 0])
        let length = (0..<4).reduce(0) { $0 | Int(v2[8 + $1]) << (8 * $1) }
        XCTAssertEqual((12 + length) % 64, 0)
        XCTAssertEqual(v2.count, 12 + length + 4)
    }

    func testWriteIsAtomicAndOverwrites() throws {
        let dir = try makeTempDir()
        let url = dir.appendingPathComponent("a.npy")
        try Npy.write(try NpyArray([1.0, 2.0], shape: [2]), to: url)
        try Npy.write(try NpyArray([Int32(5)], shape: [1, 1]), to: url)
        XCTAssertEqual(try Npy.read(url).int32s(), [5])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["a.npy"])

        let missing = dir.appendingPathComponent("no/such/dir/b.npy")
        assertThrows(try Npy.write(try NpyArray([1.0], shape: [1]), to: missing), "b.npy", "temporary file")
        var bad = try NpyArray([1.0, 2.0], shape: [2])
        bad.data.removeLast()
        assertThrows(try Npy.write(bad, to: url), "15 bytes", "(2,)")
        bad = try NpyArray([1.0], shape: [1])
        bad.shape = [1, 1, 1, 1]
        assertThrows(try Npy.write(bad, to: url), "has 4 dimensions")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["a.npy"])
        XCTAssertEqual(try Npy.read(url).int32s(), [5])
    }

    // MARK: numpy-made fixtures

    func testNumpyFixtures() throws {
        let f32 = try Npy.read(fixture("f32_2x3.npy"))
        XCTAssertEqual(f32.shape, [2, 3])
        XCTAssertEqual(try f32.floats(), [0, 1, -1.5, 1e-3, 2.5, 3])

        let f64 = try Npy.read(fixture("f64_4.npy"))
        XCTAssertEqual(f64.shape, [4])
        XCTAssertEqual(try f64.doubles(), [0, -1.5, 1e-3, Double.pi])

        let c64 = try Npy.read(fixture("c64_2x2.npy"))
        XCTAssertEqual(c64.shape, [2, 2])
        XCTAssertEqual(c64.dtype, .complex64)
        XCTAssertEqual(try c64.complex(), [
            NpyComplex(re: 1, im: 2), NpyComplex(re: -1.5, im: 0),
            NpyComplex(re: 0, im: Double(Float(1e-3))), NpyComplex(re: 3, im: -4),
        ])

        let c128 = try Npy.read(fixture("c128_3.npy"))
        XCTAssertEqual(c128.shape, [3])
        XCTAssertEqual(try c128.complex(), [
            NpyComplex(re: 1, im: 2), NpyComplex(re: -1.5, im: -0.25), NpyComplex(re: 1e-3, im: 1e10),
        ])

        let i32 = try Npy.read(fixture("i32_2x2x2.npy"))
        XCTAssertEqual(i32.shape, [2, 2, 2])
        XCTAssertEqual(try i32.int32s(), [Int32.min, -2, -1, 0, 1, 2, 3, Int32.max])

        let i64 = try Npy.read(fixture("i64_5.npy"))
        XCTAssertEqual(i64.shape, [5])
        XCTAssertEqual(try i64.int64s(), [0, -1, 1 << 40, -(1 << 62), Int64.max])

        let empty = try Npy.read(fixture("f32_0x3.npy"))
        XCTAssertEqual(empty.shape, [0, 3])
        XCTAssertEqual(try empty.floats(), [])

        for version in ["v2", "v3"] {
            let a = try Npy.read(fixture("f64_\(version).npy"))
            XCTAssertEqual(a.shape, [3])
            XCTAssertEqual(try a.doubles(), [-1.5, -0.5, 0.5])
        }
        // Data(...) and [UInt8] inputs agree with the file reader.
        let raw = try Data(contentsOf: fixture("f32_2x3.npy"))
        XCTAssertEqual(try Npy.read(data: raw, name: "x").data, f32.data)
        XCTAssertEqual(try Npy.read(data: raw.dropFirst(0), name: "x").data, f32.data)
    }

    func testFixtureRefusals() {
        assertThrows(try Npy.read(fixture("not_npy.npy")), "not_npy.npy", "not a .npy file")
        assertThrows(try Npy.read(fixture("f32_fortran_2x3.npy")),
                     "is in Fortran order; save it with np.ascontiguousarray")
        assertThrows(try Npy.read(fixture("f64_bigendian_3.npy")), "'>f8'", "big-endian")
        assertThrows(try Npy.read(fixture("u2_4.npy")), "unsupported dtype '<u2'",
                     "<f4", "<f8", "<c8", "<c16", "<i4", "<i8")
        assertThrows(try Npy.read(fixture("f32_4d.npy")), "has 4 dimensions; gpurun reads 1 to 3")
        assertThrows(try Npy.read(fixture("f64_0d.npy")), "has 0 dimensions; gpurun reads 1 to 3")
        assertThrows(try Npy.read(fixture("f64_truncated.npy")), "truncated", "expected 32 bytes", "found 27")
        assertThrows(try Npy.read(fixture("does_not_exist.npy")), "does_not_exist.npy", "cannot read")
    }

    // MARK: Header parsing

    func testTolerantHeaderSyntax() throws {
        let payload = [UInt8](repeating: 0, count: 16)
        let variants = [
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
            "{\"descr\":\"<f8\",\"fortran_order\":False,\"shape\":(2,)}",
            "  {\n\t'shape' : ( 2 , ) ,'fortran_order':False , 'descr' : \"<f8\"\n}   \n",
            "{'descr': '=f8', 'fortran_order': False, 'shape': [2]}",
            "{'descr': '|f8', 'fortran_order': False, 'shape': (2L,)}",
            "{'descr': 'f8', 'fortran_order': True, 'shape': (1, 2, 1), 'extra': [None, {'k': 1}]}",
        ]
        for text in variants {
            let a = try Npy.read(bytes: npyFile(text, payload: payload), name: "t")
            XCTAssertEqual(a.dtype, .float64, text)
            XCTAssertEqual(a.count, 2, text)
        }
        // Extra bytes after the payload are ignored, as np.load does.
        let long = try Npy.read(bytes: npyFile(variants[0], payload: payload + [1, 2, 3]), name: "t")
        XCTAssertEqual(long.data, payload)
        // A header that is exactly the dict, with a 4-byte length, works too.
        XCTAssertEqual(try Npy.read(bytes: npyFile(variants[1], payload: payload, version: 3), name: "t").shape, [2])
    }

    func testMalformedHeaders() {
        let bad: [(String, String)] = [
            ("", "does not start with '{'"),
            ("{'descr': '<f8', 'fortran_order': False}", "'shape' is missing"),
            ("{'descr': '<f8', 'shape': (2,)}", "'fortran_order' is missing"),
            ("{'fortran_order': False, 'shape': (2,)}", "'descr' is missing"),
            ("{'descr': '<f8' 'fortran_order': False, 'shape': (2,)}", "expected ',' or '}'"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)", "expected ',' or '}'"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (2,", "ends in the middle"),
            ("{'descr: '<f8', 'fortran_order': False, 'shape': (2,)}", "expected ':'"),
            ("{'descr': '<f8, 'fortran_order': False, 'shape': (2,)}", "malformed"),
            ("{'descr': 3, 'fortran_order': False, 'shape': (2,)}", "'descr' is not a string"),
            ("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,)}", "'fortran_order' is not True or False"),
            ("{'descr': '<f8', 'fortran_order': false, 'shape': (2,)}", "unknown name 'false'"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': 2}", "'shape' is not a tuple"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}", "negative"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': ('2',)}", "other than integers"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}", "too large"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} x", "after '}'"),
            ("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", "appears twice"),
            ("{3: '<f8'}", "key is not a string"),
            ("{'a': " + String(repeating: "(", count: 100) + "}", "nested too deeply"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}\u{7}", "after '}'"),
        ]
        for (text, phrase) in bad {
            assertThrows(try Npy.read(bytes: npyFile(text, payload: [UInt8](repeating: 0, count: 16)), name: "h.npy"),
                         "h.npy", "malformed .npy header", phrase)
        }
        assertThrows(try Npy.read(bytes: npyFile("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}"),
                                  name: "s"), "structured")
        assertThrows(try Npy.read(bytes: npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", version: 4),
                                  name: "v"), "version 4.0")
        assertThrows(try Npy.read(bytes: npyFile("{'descr': '<f8', 'fortran_order': False, "
                                                 + "'shape': (4294967296, 4294967296, 4294967296)}"), name: "big"),
                     "too large")
        assertThrows(try Npy.read(bytes: [0x93] + Array("NUMPY".utf8) + [1, 0, 200, 0, 0x7b], name: "short"),
                     "ends inside the header")
        assertThrows(try Npy.read(bytes: [0x93] + Array("NUMPY".utf8) + [2, 0, 0, 0], name: "short"),
                     "preamble")
        assertThrows(try Npy.read(bytes: [], name: "empty"), "not a .npy file")
        assertThrows(try Npy.read(bytes: Array("\u{93}NUMPY".utf8) + [1, 0, 0, 0], name: "utf8"), "not a .npy file")
    }

    /// Every prefix of valid files, and deterministic random byte damage to their headers,
    /// must give a value or a ComputeError — never a crash.
    func testDamagedInputNeverCrashes() throws {
        var files: [[UInt8]] = []
        for name in ["f32_2x3.npy", "c128_3.npy", "i32_2x2x2.npy", "f64_v3.npy"] {
            files.append([UInt8](try Data(contentsOf: fixture(name))))
        }
        var rng = SplitMix(seed: 42)
        var outcomes = (ok: 0, failed: 0)
        func attempt(_ bytes: [UInt8]) {
            do {
                let a = try Npy.read(bytes: bytes, name: "fuzz")
                XCTAssertEqual(a.data.count, a.count * a.dtype.itemSize)
                outcomes.ok += 1
            } catch is ComputeError {
                outcomes.failed += 1
            } catch {
                XCTFail("unexpected error type: \(error)")
            }
        }
        for file in files {
            for n in 0...file.count { attempt(Array(file.prefix(n))) }
            for _ in 0..<2000 {
                var damaged = file
                for _ in 0..<Int(rng.next() % 3 + 1) {
                    let at = Int(rng.next() % UInt64(min(file.count, 140)))
                    damaged[at] = UInt8(truncatingIfNeeded: rng.next())
                }
                attempt(damaged)
            }
        }
        XCTAssertGreaterThan(outcomes.failed, 0)
        XCTAssertGreaterThan(outcomes.ok, 0)
    }

    func testFortranOrderThatMatchesCOrderIsAccepted() throws {
        let payload = try NpyArray([Float(1), 2, 3], shape: [3]).data
        let a = try Npy.read(
            bytes: npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 3, 1), }", payload: payload),
            name: "f")
        XCTAssertEqual(try a.floats(), [1, 2, 3])
        XCTAssertEqual(a.shape, [1, 3, 1])
    }

    // MARK: numpy reads what we write

    func testNumpyReadsOurFiles() throws {
        guard runPython(["-c", "import numpy"]).status == 0 else {
            print("NpyTests.testNumpyReadsOurFiles: skipped, python3 with numpy is not available")
            throw XCTSkip("python3 with numpy is not available")
        }
        let dir = try makeTempDir()
        let cases: [(String, NpyArray, String)] = [
            ("f32", try NpyArray([Float(0), -1.5, 1e-3, 2, 3, 4], shape: [2, 3]),
             "np.array([[0, -1.5, 1e-3], [2, 3, 4]], dtype='<f4')"),
            ("f64", try NpyArray([Double.pi, -1.5, 1e-3, 1e300], shape: [4]),
             "np.array([np.pi, -1.5, 1e-3, 1e300], dtype='<f8')"),
            ("c64", try NpyArray(complexInterleaved: [Float(1), 2, -1.5, 0, 0, 1e-3, 3, -4], shape: [2, 2]),
             "np.array([[1+2j, -1.5], [1e-3j, 3-4j]], dtype='<c8')"),
            ("c128", try NpyArray([NpyComplex(re: 1, im: 2), NpyComplex(re: -1.5, im: 1e10)], shape: [2, 1]),
             "np.array([[1+2j], [-1.5+1e10j]], dtype='<c16')"),
            ("i32", try NpyArray((0..<8).map { Int32($0) - 3 } + [Int32.min], shape: [3, 1, 3]),
             "np.array([-3, -2, -1, 0, 1, 2, 3, 4, -2**31], dtype='<i4').reshape(3, 1, 3)"),
            ("i64", try NpyArray([Int64.max, -1, 1 << 40], shape: [1, 3, 1]),
             "np.array([2**63 - 1, -1, 2**40], dtype='<i8').reshape(1, 3, 1)"),
            ("empty", try NpyArray([Double](), shape: [0, 3]), "np.zeros((0, 3), dtype='<f8')"),
        ]
        var script = "import numpy as np\nok = True\n"
        for (name, array, expected) in cases {
            let path = dir.appendingPathComponent("\(name).npy").path
            try Npy.write(array, to: URL(fileURLWithPath: path))
            script += """
                a = np.load(\(pythonString(path)), allow_pickle=False)
                e = \(expected)
                if a.dtype != e.dtype or a.shape != e.shape or not np.array_equal(a, e) or not a.flags.c_contiguous:
                    print('\(name): got', a.dtype, a.shape, a.tolist(), 'expected', e.dtype, e.shape, e.tolist())
                    ok = False

                """
        }
        script += "raise SystemExit(0 if ok else 1)\n"
        let result = runPython(["-c", script])
        XCTAssertEqual(result.status, 0, "numpy disagrees:\n\(result.output)")
    }

    private func pythonString(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// Runs python3 with `arguments`; status -1 if it could not be started.
    private func runPython(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            return (-1, "\(error)")
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

/// A small deterministic generator for the damage test.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
