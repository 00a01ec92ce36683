import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

final class RateNetworkTests: XCTestCase {
    func testJacobianAgainstFiniteDifferences() throws {
        let seed = freshSeed()
        for dt in [0.1, 1.0] {
            let m = try RateNetwork<Double>(backend: CPUBackend.shared, units: 23, g: 2, dt: dt, seed: seed)
            let x = try JacobianCheck.randomStates(m, batch: 3, seed: seed)
            let err = try JacobianCheck.finiteDifferenceError(m, states: x, member: 1)
            XCTAssertLessThan(err, 1e-6, "dt \(dt), seed \(seed)")
        }
    }

    func testLinearMapJacobianIsW() throws {
        let seed = freshSeed()
        let m = try LinearMap<Double>(backend: CPUBackend.shared, units: 9, g: 1, seed: seed)
        let x = try JacobianCheck.randomStates(m, batch: 1, seed: seed)
        XCTAssertEqual(try m.jacobian(x).toArray(), try m.matrix.toArray())
        XCTAssertLessThan(try JacobianCheck.finiteDifferenceError(m, states: x), 1e-8)
    }

    /// One launch advances B trajectories exactly as B separate steps do, and B networks with
    /// their own couplings as B separate models.
    func testBatchedStepEqualsSingleSteps() throws {
        let seed = freshSeed()
        let cpu = CPUBackend.shared
        let m = try RateNetwork<Double>(backend: cpu, units: 17, g: 1.5, dt: 0.2, seed: seed, networks: 3)
        let x = try JacobianCheck.randomStates(m, batch: 3, seed: seed)
        let before = try x.toArray()
        try m.step(x)
        let after = try x.toArray()
        let j = try m.couplings.toArray()
        for b in 0..<3 {
            let single = try RateNetwork<Double>(backend: cpu, couplings: Array(j[(b * 289)..<((b + 1) * 289)]),
                                                 units: 17, dt: 0.2)
            let s = try cpu.tensor(Array(before[(b * 17)..<((b + 1) * 17)]), shape: [1, 1, 17])
            try single.step(s)
            XCTAssertEqual(Compare.maxRelativeError(try s.toArray(), Array(after[(b * 17)..<((b + 1) * 17)])), 0, accuracy: 1e-14)
        }
    }
}
