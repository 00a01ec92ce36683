import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

final class PhiloxTests: XCTestCase {
    /// Random123's published Philox4x32-10 vectors (shared/docs/RANDOM.md).
    func testKnownAnswers() {
        let cases: [((UInt32, UInt32, UInt32, UInt32), (UInt32, UInt32), [UInt32])] = [
            ((0, 0, 0, 0), (0, 0), [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]),
            ((.max, .max, .max, .max), (.max, .max), [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]),
            ((0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), (0xa409_3822, 0x299f_31d0),
             [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]),
        ]
        for (counter, key, expected) in cases {
            let w = Philox.block(counter: counter, key: key)
            XCTAssertEqual([w.0, w.1, w.2, w.3], expected)
        }
    }

    /// The device computes the same known answer: block 0 of seed 0, stream 0 is the first vector.
    func testKnownAnswerOnOpenCL() throws {
        let cl = try openCLBackend()
        XCTAssertEqual(try cl.philoxRaw(count: 4, seed: 0, stream: 0, offset: 0),
                       [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let seed: UInt64 = 0x299f_31d0_a409_3822  // key (lo, hi) of the third vector
        let raw = try cl.philoxRaw(count: 4, seed: seed, stream: 0x1319_8a2e, offset: 0x85a3_08d3_243f_6a88)
        // counter word 3 is 0 in our layout, so compare against the CPU on the same counter
        let w = Philox.block(counter: (0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0), key: (0xa409_3822, 0x299f_31d0))
        XCTAssertEqual(raw, [w.0, w.1, w.2, w.3])
    }

    func testRawWordsBitIdenticalOnOpenCL() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        for n in [1, 2, 3, 5, 4097] {
            for (stream, offset) in [(UInt32(0), UInt64(0)), (7, 1 << 33)] {
                XCTAssertEqual(try cl.philoxRaw(count: n, seed: seed, stream: stream, offset: offset),
                               PhiloxFill.raw(count: n, seed: seed, stream: stream, offset: offset),
                               "n \(n) stream \(stream) seed \(seed)")
            }
        }
    }

    func testUniformRangeAndMoments() {
        let u: [Double] = PhiloxFill.uniform(count: 100_000, seed: 42, stream: 0)
        XCTAssertTrue(u.allSatisfy { $0 > 0 && $0 <= 1 })
        let mean = u.reduce(0, +) / Double(u.count)
        XCTAssertEqual(mean, 0.5, accuracy: 0.005)
        let f: [Float] = PhiloxFill.uniform(count: 100_000, seed: 42, stream: 0)
        XCTAssertTrue(f.allSatisfy { $0 > 0 && $0 <= 1 })
    }

    func testNormalMoments() {
        let z: [Double] = PhiloxFill.normal(count: 200_000, seed: 9, stream: 1)
        let n = Double(z.count)
        let mean = z.reduce(0, +) / n
        let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        let kurtosis = z.reduce(0) { $0 + pow($1 - mean, 4) } / (n * variance * variance)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.01)
        XCTAssertEqual(kurtosis, 3, accuracy: 0.05)
    }

    func testStreamsAndSeedsDiffer() {
        let a = PhiloxFill.raw(count: 8, seed: 1, stream: 0)
        XCTAssertNotEqual(a, PhiloxFill.raw(count: 8, seed: 1, stream: 1))
        XCTAssertNotEqual(a, PhiloxFill.raw(count: 8, seed: 2, stream: 0))
        // offset counts blocks: elements 4.. of offset 0 are elements 0.. of offset 1
        XCTAssertEqual(Array(a[4...]), PhiloxFill.raw(count: 4, seed: 1, stream: 0, offset: 1))
    }

    func testFillsAgreeOnOpenCL() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        for check in RandomChecks.all {
            assertAllPass(try check.run(CPUBackend.shared, cl, seed))
        }
    }
}
