import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
/// The flows' integrators (Sources/Compute/Integrators): RK4's tangent map against central
/// finite differences of its step (docs/checks.md C8; docs/integrators.md I3), both integrators against a much finer
/// step (orders 1 and 4, state and tangent), and RK4 on OpenCL against the CPU (check 6).
import XCTest

final class TheoryIntegratorTests: XCTestCase {
    let cpu = CPUBackend.shared

    func gatedOptions(_ integrator: Integrator, dt: Double = 0.2) -> [GatedRNNOptions] {
        [GatedRNNOptions(dt: dt, integrator: integrator),
         GatedRNNOptions(gH: 3, alphaZ: 10, betaZ: 1, alphaR: 2, betaR: -1, tauZ: 2, tauR: 0.5, dt: dt,
                         integrator: integrator)]
    }

    func testRK4TangentAgainstFiniteDifferences() throws {
        let seed = freshSeed()
        for (networks, member) in [(1, 0), (1, 2), (3, 1)] {
            let rate = try RateNetwork<Double>(backend: cpu, units: 13, g: 2.5, dt: 0.3, seed: seed, networks: networks,
                                               integrator: .rk4)
            let x = try JacobianCheck.randomStates(rate, batch: 3, seed: seed)
            XCTAssertLessThan(try JacobianCheck.finiteDifferenceError(rate, states: x, member: member), 1e-6,
                              "rate, networks \(networks), member \(member), seed \(seed)")
            for (i, o) in gatedOptions(.rk4).enumerated() {
                let m = try GatedRNN<Double>(backend: cpu, units: 9, options: o, seed: seed, networks: networks)
                let y = try JacobianCheck.randomStates(m, batch: 3, seed: seed)
                XCTAssertLessThan(try JacobianCheck.finiteDifferenceError(m, states: y, member: member), 1e-6,
                                  "gated \(i), networks \(networks), member \(member), seed \(seed)")
            }
        }
    }

    /// The state after time 2 from δ and δ/2 against RK4 with δ/64: errors fall by 2 (Euler) and
    /// 16 (RK4) when δ halves; so does the error of the tangent map's product over that time.
    func testIntegratorsConvergeToAFineStep() throws {
        let seed = freshSeed()
        let (n, k, time) = (16, 3, 2.0)
        let q0: [Double] = PhiloxFill.normal(count: 3 * n * k, seed: seed, stream: 9)

        func evolve(_ make: (Integrator, Double) throws -> any RecurrentModel<Double>, _ integ: Integrator,
                    _ dt: Double) throws -> (state: [Double], tangent: [Double]) {
            let m = try make(integ, dt)
            let x = try JacobianCheck.randomStates(m, batch: 1, seed: seed, scale: 0.8)
            var q = try cpu.tensor(Array(q0.prefix(m.stateSize * k)), shape: [m.stateSize, k])
            var img = try cpu.zeros([m.stateSize, k], as: Double.self)
            for _ in 0..<Int((time / dt).rounded()) {
                try m.jacobianTimes(x, member: 0, q, into: img)
                swap(&q, &img)
                try m.step(x)
            }
            return (try x.toArray(), try q.toArray())
        }
        let makers: [(String, (Integrator, Double) throws -> any RecurrentModel<Double>)] = [
            ("rate", { try RateNetwork<Double>(backend: self.cpu, units: n, g: 2, dt: $1, seed: seed, integrator: $0) }),
            ("gated", { try GatedRNN<Double>(backend: self.cpu, units: n, options: self.gatedOptions($0, dt: $1)[1], seed: seed) }),
        ]
        for (name, make) in makers {
            let reference = try evolve(make, .rk4, 0.1 / 64)
            for (integ, order, range) in [(Integrator.euler, 1.0, 1.5...2.8), (.rk4, 4.0, 11.0...22.0)] {
                let coarse = try evolve(make, integ, 0.1), fine = try evolve(make, integ, 0.05)
                for (what, pick) in [("state", \(state: [Double], tangent: [Double]).state), ("tangent", \.tangent)] {
                    let e1 = Compare.maxRelativeError(reference[keyPath: pick], coarse[keyPath: pick], floor: 1)
                    let e2 = Compare.maxRelativeError(reference[keyPath: pick], fine[keyPath: pick], floor: 1)
                    let ratio = e1 / e2
                    print("\(name) \(integ) \(what): error \(e1) at δ = 0.1, \(e2) at 0.05, ratio \(ratio)")
                    XCTAssertTrue(range.contains(ratio),
                                  "\(name) \(integ) \(what): ratio \(ratio) is not 2^\(order) (seed \(seed))")
                    if integ == .rk4 { XCTAssertLessThan(e1, 1e-4, "\(name) \(what), seed \(seed)") }
                }
            }
        }
    }

    /// RK4 steps and tangents on OpenCL and the CPU from the same Philox inputs (check 6).
    func testRK4CPUAgainstOpenCL() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        for networks in [1, 3] {
            let models: [(any Backend) throws -> any RecurrentModel<Double>] = [
                { try RateNetwork<Double>(backend: $0, units: 21, g: 2, dt: 0.2, seed: seed, networks: networks,
                                          integrator: .rk4) },
                { try GatedRNN<Double>(backend: $0, units: 11, options: self.gatedOptions(.rk4)[1], seed: seed,
                                       networks: networks) },
            ]
            for make in models {
                let results = try [cpu as any Backend, cl].map { be -> ([Double], [Double]) in
                    let m = try make(be)
                    let x = try JacobianCheck.randomStates(m, batch: 3, seed: seed)
                    let z: [Double] = PhiloxFill.normal(count: m.stateSize * 4, seed: seed, stream: 3)
                    let q = try be.tensor(z, shape: [m.stateSize, 4]), out = try be.zeros([m.stateSize, 4], as: Double.self)
                    try m.jacobianTimes(x, member: 2, q, into: out)
                    try m.step(x)
                    return (try x.toArray(), try out.toArray())
                }
                XCTAssertLessThan(Compare.maxRelativeError(results[0].0, results[1].0, floor: 1), 1e-12, "step, seed \(seed)")
                XCTAssertLessThan(Compare.maxRelativeError(results[0].1, results[1].1, floor: 1), 1e-12, "tangent, seed \(seed)")
            }
        }
    }

    func testIntegratorOptionIsForFlowsOnly() throws {
        var spec = ModelSpec(kind: .gru, n: 4)
        spec.integrator = .rk4
        XCTAssertThrowsError(try spec.validate())
        spec.kind = .gated
        XCTAssertNoThrow(try spec.validate())
        XCTAssertEqual(spec.identity["integrator"], "rk4")
        XCTAssertNil(ModelSpec(kind: .rate, n: 4).identity["integrator"], "Euler runs keep their checkpoint identity")
        let m = try spec.make(on: cpu, as: Double.self)
        XCTAssertEqual((m as? GatedRNN<Double>)?.options.integrator, .rk4)
    }
}
