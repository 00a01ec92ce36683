import XCTest
import Compute
import Dynamics

/// The fused RNN steps of issue 17: fused step on OpenCL, its CPU twin and the previous launch
/// chain agree on random shapes for every model, both dtypes, Euler and RK4, one network and B
/// networks; the OpenCL launch counter bounds the launches per step.
final class RNNStepTests: XCTestCase {
    let cpu = CPUBackend()

    typealias Runner<T: Scalar> = (_ chain: Bool) throws -> (values: [T], launches: Int)

    /// Two steps (fused, or the previous chain) from the random states, after a warm-up step: the
    /// states and the launches per step.
    static func runner<M: LaunchChainModel>(_ m: M, batch: Int, seed: UInt64) -> Runner<M.T> {
        { chain in
            let x = try JacobianCheck.randomStates(m, batch: batch, seed: seed)
            let warm = try JacobianCheck.randomStates(m, batch: batch, seed: seed)
            try chain ? m.chainStep(warm) : m.step(warm)  // workspace and program builds
            try m.backend.synchronize()
            let before = m.backend.kernelLaunches
            for _ in 0..<2 { try chain ? m.chainStep(x) : m.step(x) }
            return (try x.toArray(), (m.backend.kernelLaunches - before) / 2)
        }
    }

    /// Every model (flows with each integrator) at N units for `networks` networks.
    func models<T: Scalar>(_: T.Type, _ be: any Backend, units n: Int, networks: Int, batch: Int, seed: UInt64) throws
        -> [(label: String, run: Runner<T>)]
    {
        func r<M: LaunchChainModel>(_ m: M) -> Runner<T> where M.T == T { Self.runner(m, batch: batch, seed: seed) }
        var out: [(String, Runner<T>)] = []
        for integrator in Integrator.allCases {
            out.append(("rate[\(integrator)]", r(try RateNetwork<T>(backend: be, units: n, g: 1.7, dt: 0.25, seed: seed,
                                                                    networks: networks, integrator: integrator))))
            let o = GatedRNNOptions(gH: 2.2, alphaZ: 2, betaZ: 0.3, alphaR: 1.2, betaR: -0.4, tauZ: 1.5, tauR: 0.8,
                                    dt: 0.15, integrator: integrator)
            out.append(("gated[\(integrator)]", r(try GatedRNN<T>(backend: be, units: n, options: o, seed: seed,
                                                                  networks: networks))))
        }
        out.append(("linear", r(try LinearMap<T>(backend: be, units: n, g: 1.1, seed: seed, networks: networks))))
        out.append(("gru", r(try GRU<T>(backend: be, units: n, g: 2, bZ: 0.4, bR: -0.2, seed: seed, networks: networks))))
        out.append(("lstm", r(try LSTM<T>(backend: be, units: n, g: 2, bF: 0.8, seed: seed, networks: networks))))
        return out
    }

    /// Launch bounds per step (issue 17 point 1): rate and linear 2 per Euler step or RK4 stage,
    /// gated, GRU and LSTM 3; a whole RK4 step of the gated RNN adds one closing pass.
    static func launchBound(_ label: String) -> Int {
        switch label {
        case "rate[rk4]": 8
        case "gated[euler]": 3
        case "gated[rk4]": 9
        default: 2
        }
    }

    func check<T: Scalar>(_: T.Type, _ cl: OpenCLBackend, units n: Int, networks: Int, batch: Int, seed: UInt64) throws {
        let tol = T.dtype == .f64 ? 1e-12 : 2e-5
        let cpuModels = try models(T.self, cpu, units: n, networks: networks, batch: batch, seed: seed)
        let clModels = try models(T.self, cl, units: n, networks: networks, batch: batch, seed: seed)
        for ((label, onCPU), (_, onCL)) in zip(cpuModels, clModels) {
            let twin = try onCPU(false), fused = try onCL(false), chained = try onCL(true)
            let what = "\(label) \(T.self) N=\(n) networks=\(networks) B=\(batch)"
            XCTAssertLessThan(Compare.maxRelativeError(fused.values, twin.values, floor: 1), tol, "fused vs CPU twin, " + what)
            XCTAssertLessThan(Compare.maxRelativeError(fused.values, chained.values, floor: 1), tol, "fused vs chain, " + what)
            XCTAssertLessThanOrEqual(fused.launches, Self.launchBound(label), "launches per step, " + what)
            XCTAssertGreaterThanOrEqual(chained.launches, fused.launches, "chain launches, " + what)
        }
    }

    func testFusedStepsAgreeAndBoundLaunches() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        for networks in [1, 3] {
            // Shapes drawn from the seed: N in 5…44, B in 1…6 (B = networks when several).
            let draw = seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(networks)
            let n = 5 + Int((draw >> 40) % 40), batch = networks > 1 ? networks : 1 + Int((draw >> 20) % 6)
            try check(Float.self, cl, units: n, networks: networks, batch: batch, seed: seed)
            if cl.supportsFP64 { try check(Double.self, cl, units: n, networks: networks, batch: batch, seed: seed) }
        }
    }

    /// The driven GRU/LSTM step: fused (GEMM for h, GEMM for x, one update) against the chain.
    func testInputDrivenFusedStepMatchesChain() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        for networks in [1, 3] {
            for gates in [3, 4] {
                let p = ModelChecks.torchLike(Double.self, gates: gates, networks: networks, seed: seed)
                func make(_ be: any Backend) throws -> GatedCell<Double> {
                    gates == 3
                        ? try GRU<Double>(backend: be, units: ModelChecks.units, inputSize: ModelChecks.inputSize,
                                          networks: networks, weightHH: p.whh, weightIH: p.wih, biasIH: p.bih, biasHH: p.bhh)
                        : try LSTM<Double>(backend: be, units: ModelChecks.units, inputSize: ModelChecks.inputSize,
                                           networks: networks, weightHH: p.whh, weightIH: p.wih, biasIH: p.bih, biasHH: p.bhh)
                }
                let batch = networks > 1 ? networks : 4
                let u: [Double] = PhiloxFill.normal(count: batch * ModelChecks.inputSize, seed: seed, stream: 7)
                var results: [[Double]] = []
                for (be, chain) in [(cpu as any Backend, false), (cl, false), (cl, true)] {
                    let m = try make(be)
                    let x = try JacobianCheck.randomStates(m, batch: batch, seed: seed)
                    let input = try be.tensor(u, shape: [batch, ModelChecks.inputSize])
                    let warm = try JacobianCheck.randomStates(m, batch: batch, seed: seed)
                    try chain ? m.chainStep(warm, input: input) : m.step(warm, input: input)  // workspace
                    let before = be.kernelLaunches
                    try chain ? m.chainStep(x, input: input) : m.step(x, input: input)
                    if be === cl && !chain { XCTAssertLessThanOrEqual(be.kernelLaunches - before, 3, "\(m.name) launches") }
                    results.append(try x.toArray())
                }
                XCTAssertLessThan(Compare.maxRelativeError(results[1], results[0], floor: 1), 1e-12, "gates \(gates) twin")
                XCTAssertLessThan(Compare.maxRelativeError(results[1], results[2], floor: 1), 1e-12, "gates \(gates) chain")
            }
        }
    }
}
