import Dynamics
import Compute
import Foundation
import XCTest

/// The gated RNN's DMFT (docs/theory-gated.md, G1–G7): its limits, its failures, and λ1 of a
/// simulated network against it.
final class TheoryGatedDMFTTests: XCTestCase {
    func options(g: Double, alphaR: Double, betaR: Double = 0, betaZ: Double = 0) -> GatedRNNOptions {
        GatedRNNOptions(gH: g, alphaZ: 0, betaZ: betaZ, alphaR: alphaR, betaR: betaR)
    }

    /// α_r = 0: (G4) is the rate network's DMFT with gain g_h σ_r(0) in time σ_z(0) t, so
    /// C_h(0) = Δ0 and λ_max = σ_z(0) λ_SCS (RateFlowDMFT, an independent solver: energy
    /// conservation and the Schrödinger operator).
    func testConstantOutputGateIsTheRateNetwork() throws {
        try requireSlowTests()  // about 100 s each in a debug build on the shared 2-core machine
        let d = try GatedDMFT.solve(options(g: 4, alphaR: 0), step: 0.1)
        let rate = try RateFlowDMFT.solve(g: 2)
        XCTAssertEqual(d.state, "chaotic")
        XCTAssertEqual(d.deltaH, rate.delta0, accuracy: 1e-3 * rate.delta0)
        XCTAssertEqual(d.lambdaMax, 0.5 * rate.lambdaMax, accuracy: 2e-3 * rate.lambdaMax)
    }

    /// Below the critical gain 1/σ_r(0) (continuous case) the iteration falls to C_h = 0 and
    /// λ_max is the zero fixed point's s(g_h σ_r(0) − 1); just above it λ_max is small and positive.
    func testLambdaCrossesZeroAtTheCriticalGain() throws {
        try requireSlowTests()  // about 100 s each in a debug build on the shared 2-core machine
        let below = try GatedDMFT.solve(options(g: 1.8, alphaR: 1), step: 0.1)
        XCTAssertEqual(below.state, "zero")
        XCTAssertEqual(below.lambdaMax, 0.5 * (1.8 * 0.5 - 1), accuracy: 1e-12)
        let above = try GatedDMFT.solve(options(g: 2.3, alphaR: 1), step: 0.1)
        XCTAssertEqual(above.state, "chaotic")
        XCTAssertGreaterThan(above.lambdaMax, 0)
        XCTAssertLessThan(above.lambdaMax, 0.05)
        // (G1–G3): a weak gate gives the continuous transition, proliferation at 1 + e^{β_r} = 2.
        XCTAssertEqual(GatedStaticMFT.proliferationGain(alphaR: 1, betaR: 0).gain, 2, accuracy: 1e-6)
    }

    /// A strong, closed output gate: fixed points proliferate (G3) well below 1 + e^{β_r}.
    func testDiscontinuousProliferation() {
        let pg = GatedStaticMFT.proliferationGain(alphaR: 5, betaR: 2)
        XCTAssertLessThan(pg.gain, 0.6 * (1 + exp(2.0)))
        XCTAssertGreaterThan(pg.delta, 0)
        let s = GatedStaticMFT.solve(gH: pg.gain * 1.05, alphaR: 5, betaR: 2)
        XCTAssertNotNil(s.deltaH)
        XCTAssertNil(GatedStaticMFT.solve(gH: pg.gain * 0.95, alphaR: 5, betaR: 2).deltaH)
    }

    /// Sharp gates (α_r ≫ 7, past the Gauss–Hermite cap): the static fixed point (G2) with the
    /// gate average of the composite rule centred at β_r (T1b) against a fine trapezoid sum in z.
    /// The capped Gauss–Hermite rule put the gate's step between its nodes.
    func testStaticFixedPointWithSharpGates() throws {
        let density = 1 / (2 * Double.pi).squareRoot()
        for (alphaR, betaR) in [(20.0, 0.0), (60, 3), (200, -4)] {
            let gH = 3.0
            let r = GatedStaticMFT.solve(gH: gH, alphaR: alphaR, betaR: betaR)
            let d = try XCTUnwrap(r.deltaH, "α_r \(alphaR), β_r \(betaR)")
            let p = try XCTUnwrap(r.deltaR)
            let a = alphaR * p.squareRoot(), h = 1e-4
            var gate = 0.0
            for i in -90_000...90_000 {
                let z = Double(i) * h
                let sg = 1 / (1 + exp(-(a * z - betaR)))
                gate += h * sg * sg * density * exp(-0.5 * z * z)
            }
            XCTAssertEqual(gH * gH * p * gate / d, 1, accuracy: 1e-8, "α_r \(alphaR), β_r \(betaR)")
        }
    }

    /// An active update gate is outside this solver: a typed error naming the parameters.
    func testActiveUpdateGateIsRefused() {
        var o = options(g: 3, alphaR: 1)
        o.alphaZ = 2
        XCTAssertThrowsError(try GatedDMFT.solve(o)) { e in
            guard case let GatedDMFTError.unsupported(p, _) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(p.contains("α_z = 2"))
        }
        // and too few iterations is reported, never a number; with no progress interval, a
        // progress line comes before every iteration after the first
        var lines: [String] = []
        XCTAssertThrowsError(try GatedDMFT.solve(options(g: 3, alphaR: 1), step: 0.1, maxIterations: 3,
                                                 progressInterval: 0) { lines.append($0) }) { e in
            guard case let GatedDMFTError.notConverged(_, n, r) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(n, 3)
            XCTAssertGreaterThan(r, 1e-9)
        }
        XCTAssertEqual(lines.count, 2, "\(lines)")
        XCTAssertTrue(lines.last?.hasPrefix("gated DMFT iteration 3 of at most 3: C_h(0) = ") ?? false, "\(lines)")
        // where C_h(0) or the gate's argument outgrows what the quadrature resolves, it refuses
        // at once (α_r = 50 once ran for over 12 minutes)
        for (g, alphaR) in [(50.0, 1.0), (50.0, 50.0)] {
            XCTAssertThrowsError(try GatedDMFT.solve(options(g: g, alphaR: alphaR, betaR: alphaR == 50 ? -50 : 0), step: 0.1)) { e in
                guard case let GatedDMFTError.unsupported(_, why) = e else { return XCTFail("\(e)") }
                XCTAssertTrue(why.contains("beyond the 3000-node rules' resolution"), why)
            }
        }
    }

    /// λ1 of one network (N = 200, RK4, CPU, float64) against the DMFT at g_h = 3, α_r = 1, α_z = 0:
    /// finite N falls short of the large-N λ_max, so the check is one-sided.
    func testSimulationBelowDMFT() throws {
        try requireSlowTests()  // about 100 s each in a debug build on the shared 2-core machine
        var spec = ModelSpec(kind: .gated, n: 200, g: 3, dt: 0.1, seed: freshSeed())
        (spec.alphaZ, spec.alphaR, spec.integrator) = (0, 1, .rk4)
        var r = try lyapunov(spec.make(on: CPUBackend.shared, as: Double.self),
                             LyapunovConfig(steps: 1200, transient: 400, k: 1, reorth: 2, seed: spec.seed))
        try r.attachTheory(for: spec)
        let th = try XCTUnwrap(r.theory?.prediction.lambdaMax)
        print("gated α_r = 1, N = 200, g_h = 3, seed \(spec.seed): λ1 \(r.exponents[0]), DMFT \(th)")
        XCTAssertLessThanOrEqual(r.exponents[0], th + 0.01)
        XCTAssertGreaterThanOrEqual(r.exponents[0], 0.25 * th)
    }

    /// Large N (slow tier): N = 1000 within 40% below the DMFT.
    func testSimulationAtLargeN() throws {
        try requireSlowTests()
        var spec = ModelSpec(kind: .gated, n: 1000, g: 5, dt: 0.1, seed: freshSeed())
        (spec.alphaZ, spec.alphaR, spec.betaR, spec.integrator) = (0, 1, 1, .rk4)
        var r = try lyapunov(spec.make(on: CPUBackend.shared, as: Double.self),
                             LyapunovConfig(steps: 3000, transient: 1000, k: 1, reorth: 2, seed: spec.seed))
        try r.attachTheory(for: spec)
        let th = try XCTUnwrap(r.theory?.prediction.lambdaMax)
        print("gated α_r = 1, β_r = 1, N = 1000, g_h = 5, seed \(spec.seed): λ1 \(r.exponents[0]), DMFT \(th)")
        XCTAssertLessThanOrEqual(r.exponents[0], th + 0.01)
        XCTAssertGreaterThanOrEqual(r.exponents[0], 0.6 * th)
    }
}
