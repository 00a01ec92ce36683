import Compute
import Dynamics
import XCTest

/// Issue 17 point 2: the tangent products of a whole batch in one launch sequence
/// (docs/lyapunov.md L11). Batched results equal the member-by-member ones for every model,
/// Euler and RK4, one shared network and B networks, f32 and f64, CPU and OpenCL; the launches
/// of a product and of a Lyapunov step do not depend on B.
final class LyapunovBatchTests: XCTestCase {
    static let units = 7

    func models<T: Scalar>(_ be: any Backend, _: T.Type, networks: Int, seed: UInt64) throws -> [any RecurrentModel<T>] {
        let n = Self.units
        let gated = GatedRNNOptions(gH: 3, alphaZ: 2, betaZ: 0.3, alphaR: 1.5, betaR: 0.5, tauZ: 1.5, tauR: 0.7)
        var gatedRK4 = gated
        gatedRK4.integrator = .rk4
        return [
            try RateNetwork<T>(backend: be, units: n, g: 2, dt: 0.1, seed: seed, networks: networks),
            try RateNetwork<T>(backend: be, units: n, g: 2, dt: 0.1, seed: seed, networks: networks, integrator: .rk4),
            try LinearMap<T>(backend: be, units: n, g: 1.2, seed: seed, networks: networks),
            try GatedRNN<T>(backend: be, units: n, options: gated, seed: seed, networks: networks),
            try GatedRNN<T>(backend: be, units: n, options: gatedRK4, seed: seed, networks: networks),
            try GRU<T>(backend: be, units: n, g: 1.5, bZ: 0.3, bR: 0.2, seed: seed, networks: networks),
            try LSTM<T>(backend: be, units: n, g: 1.5, bF: 0.5, seed: seed, networks: networks),
        ]
    }

    /// The batched product of `batch` random blocks [S, k] and the same blocks member by member.
    func batchedAndEach<M: RecurrentModel>(_ m: M, batch: Int, k: Int, seed: UInt64) throws
        -> (batched: [Double], each: [Double])
    {
        let x = try JacobianCheck.randomStates(m, batch: batch, seed: seed)
        let s = m.stateSize, be = m.backend
        let qv: [Double] = PhiloxFill.normal(count: batch * s * k, seed: seed, stream: 7)
        let q = try be.tensor(qv.map { M.T($0) }, shape: [batch, s, k])
        let out = try be.zeros([batch, s, k], as: M.T.self)
        try m.jacobianTimes(x, q, into: out)
        var each: [Double] = []
        for b in 0..<batch {
            let qb = try be.tensor(qv[(b * s * k)..<((b + 1) * s * k)].map { M.T($0) }, shape: [s, k])
            let ob = try be.zeros([s, k], as: M.T.self)
            try m.jacobianTimes(x, member: b, qb, into: ob)
            each += try ob.toArray().map(\.double)
        }
        return (try out.toArray().map(\.double), each)
    }

    func checkBatchedEqualsMembers<T: Scalar>(_: T.Type, tolerance: Double, cpuVsCL: Double) throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        for networks in [1, 3] {
            let onCPU = try models(CPUBackend.shared, T.self, networks: networks, seed: seed)
            let onCL = try models(cl, T.self, networks: networks, seed: seed)
            for (a, b) in zip(onCPU, onCL) {
                func go<M: RecurrentModel>(_ m: M) throws -> (batched: [Double], each: [Double]) {
                    try batchedAndEach(m, batch: 3, k: 4, seed: seed)
                }
                let (ca, cb) = (try go(a), try go(b))
                let label = "\(a.name) \(T.dtype) networks \(networks), seed \(seed)"
                XCTAssertLessThan(Compare.maxRelativeError(ca.batched, ca.each, floor: 1), tolerance, "CPU " + label)
                XCTAssertLessThan(Compare.maxRelativeError(cb.batched, cb.each, floor: 1), tolerance, "OpenCL " + label)
                XCTAssertLessThan(Compare.maxRelativeError(ca.batched, cb.batched, floor: 1), cpuVsCL, "CPU vs OpenCL " + label)
                XCTAssertGreaterThan(ca.batched.map(Swift.abs).max() ?? 0, 0.1, label)
            }
        }
    }

    func testBatchedProductsEqualMemberByMemberF64() throws {
        try checkBatchedEqualsMembers(Double.self, tolerance: 1e-13, cpuVsCL: 1e-12)
    }

    func testBatchedProductsEqualMemberByMemberF32() throws {
        try checkBatchedEqualsMembers(Float.self, tolerance: 1e-5, cpuVsCL: 1e-4)
    }

    /// Launches of one batched product on OpenCL, for B states (B networks when `perMember`).
    func productLaunches<T: Scalar>(_ be: any Backend, _: T.Type, batch: Int, perMember: Bool, seed: UInt64) throws
        -> [String: Int]
    {
        var out: [String: Int] = [:]
        for (i, m) in try models(be, T.self, networks: perMember ? batch : 1, seed: seed).enumerated() {
            func go<M: RecurrentModel>(_ m: M) throws -> Int {
                let x = try JacobianCheck.randomStates(m, batch: batch, seed: seed)
                let q = try be.zeros([batch, m.stateSize, 3], as: M.T.self)
                let o = try be.zeros([batch, m.stateSize, 3], as: M.T.self)
                try m.jacobianTimes(x, q, into: o)  // warm the workspaces
                let before = be.kernelLaunches
                try m.jacobianTimes(x, q, into: o)
                return be.kernelLaunches - before
            }
            out["\(i) \(m.name)"] = try go(m)
        }
        return out
    }

    func testProductLaunchesDoNotDependOnTheBatch() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        let one = try productLaunches(cl, Double.self, batch: 1, perMember: false, seed: seed)
        XCTAssertTrue(one.values.allSatisfy { $0 > 0 }, "\(one)")
        XCTAssertEqual(try productLaunches(cl, Double.self, batch: 5, perMember: false, seed: seed), one)
        let two = try productLaunches(cl, Double.self, batch: 2, perMember: true, seed: seed)
        XCTAssertEqual(try productLaunches(cl, Double.self, batch: 5, perMember: true, seed: seed), two)
        XCTAssertEqual(two, one)
    }

    /// A whole run (state transient, Q transient, accumulation, QR every step) enqueues the same
    /// kernels for 1 and 4 members, with both QR methods.
    func testLyapunovStepLaunchesDoNotDependOnTheBatch() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        for qr in [TangentQR.Method.householder, .cholesky2] {
            func launches(batch: Int) throws -> Int {
                let m = try GRU<Double>(backend: cl, units: Self.units, g: 1.5, seed: seed, networks: batch)
                let config = LyapunovConfig(steps: 6, transient: 2, qTransient: 2, k: 4, seed: seed, batch: batch, qr: qr)
                let run = try LyapunovRun(model: m, config: config, identity: [:])
                let before = cl.kernelLaunches
                _ = try run.run()
                return cl.kernelLaunches - before
            }
            let one = try launches(batch: 1)
            XCTAssertGreaterThan(one, 0)
            XCTAssertEqual(try launches(batch: 4), one, "\(qr)")
        }
    }

    /// Batched CholeskyQR2 and the batched host QR give the same Q and ln R_ii per member.
    func testBatchedQRMethodsAgree() throws {
        let seed = freshSeed()
        for be in [CPUBackend.shared as any Backend, try openCLBackend()] {
            let a: [Double] = PhiloxFill.normal(count: 3 * 20 * 6, seed: seed, stream: 3)
            let q1 = try be.tensor(a, shape: [3, 20, 6]), q2 = try be.tensor(a, shape: [3, 20, 6])
            let l1 = try TangentQR.hostQR(members: q1)
            let l2 = try CholeskyQR2<Double>(backend: be).orthonormalize(members: q2)
            XCTAssertEqual(l1.count, 3)
            for m in 0..<3 {
                let alone = try be.tensor(Array(a[(m * 120)..<((m + 1) * 120)]), shape: [20, 6])
                let l = try TangentQR.hostQR(alone)
                XCTAssertLessThan(Compare.maxRelativeError(l, l1[m], floor: 1), 1e-14, be.label)
                XCTAssertLessThan(Compare.maxRelativeError(l, l2[m], floor: 1), 1e-12, be.label)
            }
            XCTAssertLessThan(Compare.maxRelativeError(try q1.toArray(), try q2.toArray(), floor: 1), 1e-12, be.label)
        }
    }
}
