import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
/// Simulated Lyapunov spectra against mean-field theory (docs/theory.md, docs/checks.md C10): the flow's DMFT
/// λ_max and the δ = 1 map's closed forms against λ1 at moderate N, with one-sided tolerances
/// (finite networks approach the large-N λ_max from below), and the circular-law spectrum
/// against the whole simulated spectrum for g < 1.
///
/// The tests marked slow (minutes) run in the slow tier (`requireSlowTests`, scripts/test-slow.sh);
/// each default test here takes a few seconds on two cores.
import Foundation
import XCTest

final class TheorySimulationTests: XCTestCase {
    let cpu = CPUBackend.shared

    /// λ1 of `spec` (random network, float64, CPU) with its theory attached.
    func simulate(_ spec: ModelSpec, steps: Int, transient: Int, qTransient: Int? = nil, k: Int, reorth: Int = 2) throws
        -> LyapunovResult
    {
        var r = try lyapunov(spec.make(on: cpu, as: Double.self),
                             LyapunovConfig(steps: steps, transient: transient, qTransient: qTransient, k: k, reorth: reorth,
                                            seed: spec.seed, batch: spec.networks))
        try r.attachTheory(for: spec)
        return r
    }

    /// One-sided: theory·(1 − below) ≤ λ1 ≤ theory + above.
    func assertBelowTheory(_ r: LyapunovResult, below: Double, above: Double, _ what: String,
                           file: StaticString = #filePath, line: UInt = #line) throws {
        let th = try XCTUnwrap(r.theory?.prediction.lambdaMax, file: file, line: line)
        let l1 = r.exponents[0]
        print("\(what): λ1 \(l1) ± \(r.standardErrors[0]), theory \(th), gap \(l1 - th) (\(100 * (l1 - th) / th)%)")
        XCTAssertLessThanOrEqual(l1, th + above, "\(what): λ1 above the large-N theory", file: file, line: line)
        XCTAssertGreaterThanOrEqual(l1, th * (1 - below), "\(what): λ1 too far below the theory", file: file, line: line)
    }

    /// The flow (RK4, δ = 0.1, so the step's error is negligible), g = 3, N = 600: single networks
    /// of a few hundred units fall 5–30% short of the large-N λ_max, varying from network to network.
    func testFlowDMFTAgainstSimulation() throws {
        let spec = rate(n: 600, g: 3, dt: 0.1, integrator: .rk4)
        let r = try simulate(spec, steps: 1500, transient: 300, k: 1)
        try assertBelowTheory(r, below: 0.3, above: 0.02, "flow N = 600, g = 3, seed \(spec.seed)")
    }

    /// The map h ← J φ(h), g = 3, N = 300: λ1, and the mean exponent of the whole spectrum at N = 200.
    func testMapMeanFieldAgainstSimulation() throws {
        let spec = rate(n: 300, g: 3, dt: 1, integrator: .euler)
        let r = try simulate(spec, steps: 2000, transient: 300, k: 1)
        try assertBelowTheory(r, below: 0.1, above: 0.01, "map N = 300, g = 3, seed \(spec.seed)")
        let full = try simulate(rate(n: 200, g: 3, dt: 1, integrator: .euler), steps: 600, transient: 200, k: 200, reorth: 3)
        let th = try XCTUnwrap(full.theory)
        print("map N = 200: mean exponent \(th.simulatedMeanExponent!), theory \(th.prediction.meanExponent!)")
        // Finite N = 200 and 600 steps: the mean exponent sits a few percent from the large-N value.
        XCTAssertEqual(th.simulatedMeanExponent!, th.prediction.meanExponent!, accuracy: 0.1)
    }

    /// g = 0.5, δ = 0.1: the whole simulated spectrum against the circular law: the
    /// Kolmogorov–Smirnov distance of the exponents to the predicted distribution, the mean gap
    /// to the predicted quantiles, and the bulk's largest gap (the edges fluctuate by ~N^(-1/2)).
    func testCircularLawAgainstSimulation() throws {
        let n = 100
        let spec = rate(n: n, g: 0.5, dt: 0.1, integrator: .euler)
        let r = try simulate(spec, steps: 1200, transient: 1000, qTransient: 200, k: n, reorth: 4)
        let th = try XCTUnwrap(r.theory)
        let law = try XCTUnwrap(th.prediction.stable)
        let ks = r.exponents.enumerated().map { abs(law.cdf($1) - (1 - (Double($0) + 0.5) / Double(n))) }.max()!
        let predicted = try XCTUnwrap(th.predictedExponents)
        let bulk = (n / 10..<n - n / 10).map { abs(r.exponents[$0] - predicted[$0]) }.max()!
        print("circular law N = \(n): KS \(ks), mean |gap| \(th.meanExponentGap!), bulk max |gap| \(bulk), "
            + "max |gap| \(th.maxExponentGap!), seed \(spec.seed)")
        XCTAssertEqual(th.prediction.regime, "stable")
        XCTAssertLessThan(ks, 0.1, "seed \(spec.seed)")
        XCTAssertLessThan(th.meanExponentGap!, 0.03, "seed \(spec.seed)")
        XCTAssertLessThan(bulk, 0.08, "seed \(spec.seed)")
        XCTAssertEqual(th.simulatedMeanExponent!, th.prediction.meanExponent!, accuracy: 1e-3)
    }

    // MARK: slow checks (GPURUN_SLOW_TESTS=1)

    /// N = 1000 with RK4: within 12% of the DMFT, from below, at g = 3 and 5, and closer than two
    /// networks of N = 300 (small networks near g = 1 can sit on cycles: g ≥ 3 here).
    func testFlowDMFTAtLargeN() throws {
        try requireSlowTests()
        for g in [3.0, 5.0] {
            var smallSpec = rate(n: 300, g: g, dt: 0.1, integrator: .rk4)
            smallSpec.networks = 2
            let small = try simulate(smallSpec, steps: 6000, transient: 1000, k: 1)
            let large = try simulate(rate(n: 1000, g: g, dt: 0.1, integrator: .rk4), steps: 6000, transient: 1000, k: 1)
            try assertBelowTheory(small, below: 0.4, above: 0.01, "flow N = 300 (2 networks), g = \(g)")
            try assertBelowTheory(large, below: 0.12, above: 0.01, "flow N = 1000, g = \(g)")
            XCTAssertGreaterThan(large.exponents[0], small.exponents[0] - 0.01, "g \(g): λ1 should rise towards theory with N")
        }
    }

    /// The gated RNN with constant gates (α = 0) at N = 600 against σ_z(0) λ_DMFT(g_h σ_r(0)),
    /// g_h = 6 (the rate network's g = 3).
    func testConstantGateGatedRNNAgainstDMFT() throws {
        try requireSlowTests()
        var spec = ModelSpec(kind: .gated, n: 600, g: 6, dt: 0.1, seed: freshSeed())
        (spec.alphaZ, spec.alphaR, spec.integrator) = (0, 0, .rk4)
        let r = try simulate(spec, steps: 6000, transient: 1000, k: 1)
        try assertBelowTheory(r, below: 0.2, above: 0.01, "gated α = 0, N = 600, g_h = 6, seed \(spec.seed)")
    }

    func rate(n: Int, g: Double, dt: Double, integrator: Integrator) -> ModelSpec {
        var s = ModelSpec(kind: .rate, n: n, g: g, dt: dt, seed: freshSeed())
        s.integrator = integrator
        return s
    }
}
