import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

final class PrimitiveOpTests: XCTestCase {
    func testBinaryScaleFillAgree() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        assertAllPass(try PrimitiveChecks.check(Double.self).run(CPUBackend.shared, cl, seed))
        assertAllPass(try PrimitiveChecks.check(Float.self).run(CPUBackend.shared, cl, seed))
    }

    func testScaleShapesChecked() throws {
        let cpu = CPUBackend.shared
        let x = try cpu.zeros([3, 4], as: Double.self)
        XCTAssertThrowsError(try cpu.scale(rows: true, cpu.zeros([4], as: Double.self), x, cols: 4, into: x)) {
            XCTAssertTrue("\($0)".contains("the vector has 4 elements, the rows are 3"), "\($0)")
        }
        XCTAssertThrowsError(try cpu.scale(rows: false, cpu.zeros([4], as: Double.self), x, cols: 5, into: x))
    }
}
