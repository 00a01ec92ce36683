import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

final class ElementwiseTests: XCTestCase {
    func testCPUAgainstOpenCL() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        for check in ElementwiseChecks.all {
            assertAllPass(try check.run(CPUBackend.shared, cl, seed))
        }
    }

    /// sech² must not cancel where tanh² rounds to 1 (docs/README.md, notation).
    func testSech2KeepsPrecisionForLargeArguments() throws {
        let x: [Float] = [10, 20, 40]
        let y = try CPUBackend.shared.map(.sech2, CPUBackend.shared.tensor(x)).toArray()
        for (xi, yi) in zip(x, y) {
            let exact = 4 * Foundation.exp(-2 * Double(xi))  // sech²x ≈ 4e^{-2x}
            XCTAssertEqual(Double(yi), exact, accuracy: exact * 1e-4)
        }
    }

    func testAxpbyWithZeroBetaOverwritesNaN() throws {
        for be in [CPUBackend.shared as any Backend] + [try? openCLBackend()].compactMap({ $0 }) {
            let y = try be.tensor([Double.nan, 1])
            try be.axpby(2, be.tensor([1.0, 2]), 0, y)
            XCTAssertEqual(try y.toArray(), [2, 4], be.label)
        }
    }

    func testMismatchedSizesThrow() throws {
        let cpu = CPUBackend.shared
        XCTAssertThrowsError(try cpu.axpby(1, cpu.tensor([1.0, 2]), 1, cpu.tensor([1.0]))) {
            XCTAssertTrue("\($0)".contains("does not have 2 elements"), "\($0)")
        }
        XCTAssertThrowsError(try cpu.tensor([1.0, 2, 3], shape: [2, 2]))
    }
}
