import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

final class GemmTests: XCTestCase {
    func testEveryEngineAgainstOpenBLAS() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        for check in GemmChecks.all { assertAllPass(try check.run(CPUBackend.shared, cl, seed)) }
    }

    /// Random shapes each run, both transposes, α/β, batches (seed printed).
    func testRandomShapes() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        let dims: [UInt32] = PhiloxFill.raw(count: 60, seed: seed, stream: 99)
        for t in 0..<10 {
            let d = dims[(6 * t)..<(6 * t + 6)].map(Int.init)
            var p = GemmParams(m: d[0] % 90, n: d[1] % 90, k: d[2] % 90, transA: d[3] % 2 == 0, transB: d[4] % 2 == 0,
                               batch: 1 + d[5] % 3)
            p.offsetB = d[5] % 5
            let (a, b, c): ([Float], [Float], [Float]) = GemmChecks.operands(p, seed: seed &+ UInt64(t))
            let ref = try GemmChecks.run(CPUBackend.shared, nil, p, alpha: 0.5, beta: -1, a: a, b: b, c: c)
            for engine in GemmEngine.allCases {
                let got = try GemmChecks.run(cl, engine, p, alpha: 0.5, beta: -1, a: a, b: b, c: c)
                let r = ValidationResult.compare(op: "gemm.\(engine)", shape: [p.m, p.n, p.k], ref: ref, got: got,
                                                 tolerance: GemmChecks.tolerance(Float.self, k: p.k), seed: seed, floor: 1)
                XCTAssertTrue(r.pass, "\(engine) \(p): \(r.maxRelError) (seed \(seed))")
            }
        }
    }

    func testShapeErrorsAreReadable() throws {
        let cpu = CPUBackend.shared
        let a = try cpu.zeros([4, 3], as: Double.self), b = try cpu.zeros([3, 5], as: Double.self)
        let c = try cpu.zeros([4, 4], as: Double.self)
        XCTAssertThrowsError(try cpu.gemm(GemmParams(m: 4, n: 5, k: 3), alpha: 1, a, b, beta: 0, c)) {
            XCTAssertTrue("\($0)".contains("C needs 20 elements, has 16"), "\($0)")
        }
        XCTAssertThrowsError(try cpu.gemm(GemmParams(m: 4, n: 5, k: 3, lda: 2), alpha: 1, a, b, beta: 0, c)) {
            XCTAssertTrue("\($0)".contains("lda 2 < 3"), "\($0)")
        }
        XCTAssertThrowsError(try cpu.matmul(a, a)) { XCTAssertTrue("\($0)".contains("inner dimensions"), "\($0)") }
    }

    func testMatmulSmallExact() throws {
        for be in [CPUBackend.shared as any Backend, try openCLBackend()] {
            let a = try be.tensor([1, 2, 3, 4, 5, 6] as [Double], shape: [2, 3])
            let b = try be.tensor([7, 8, 9, 10, 11, 12] as [Double], shape: [3, 2])
            XCTAssertEqual(try be.matmul(a, b).toArray(), [58, 64, 139, 154], be.label)
            XCTAssertEqual(try be.matmul(a, a, transB: true).toArray(), [14, 32, 32, 77], be.label)
        }
    }
}
