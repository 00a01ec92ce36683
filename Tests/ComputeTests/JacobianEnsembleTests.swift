import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import XCTest

/// The RNN-Jacobian ensembles of `gpurun spectrum`: their spectra against theory, the exact
/// structure at the fixed point, the flow and step Jacobians against each other, and CPU vs
/// OpenCL generation.
final class JacobianEnsembleTests: XCTestCase {
    let cpu = CPUBackend.shared

    func spectrum(_ name: String, _ o: EnsembleOptions, samples: Int, seed: UInt64) throws -> EnsembleSpectrum {
        try SpectrumRun.run(Ensembles.make(name, o), samples: samples, seed: seed, on: cpu)
    }

    /// Rate network: the radial law about −1 (RadialLaw) at the fixed point (uniform disc of
    /// radius g) and along chaotic trajectories (DMFT's Δ0), within the KS tolerance; and the
    /// wrong law (the disc of radius g) fails along the trajectory, where φ' < 1 shrinks it.
    func testRateJacobianFollowsTheRadialLaw() throws {
        let seed = freshSeed()
        let cases: [(EnsembleOptions, String)] = [
            (.init(n: 200, g: 1.5, jacobian: .init(at: .fixedPoint)), "fixed point"),
            (.init(n: 200, g: 0.8), "decaying trajectory"),
            (.init(n: 200, g: 2, jacobian: .init(transient: 600)), "chaotic trajectory"),
            (.init(n: 200, g: 3, jacobian: .init(transient: 600, matrix: .step)), "Euler step"),
        ]
        for (o, label) in cases {
            let s = try spectrum("rate-jacobian", o, samples: 5, seed: seed)
            let law = try XCTUnwrap(s.law)
            let d = SpectrumStatistics.distance(re: s.re, im: s.im, law: law)
            let tol = law.ksTolerance(order: s.order, count: d.count)
            print("rate-jacobian \(label): KS \(d.value) (tolerance \(tol)), \(law.description)")
            XCTAssertLessThan(d.value, tol, "\(label), seed \(seed)")
            // Outside the support: the edge layer (≈ 1/√(2πN) = 2.8% for a uniform disc at N = 200)
            // plus a few outliers; 1.3–6.1% were seen over seeds for g = 3.
            let c = try XCTUnwrap(s.jacobianTheory).compare(re: s.re, im: s.im)
            XCTAssertLessThan(c.fractionOutside, 2 * law.finiteSizeBias(order: s.order) + 0.03, "\(label), seed \(seed)")
        }
        let chaotic = try spectrum("rate-jacobian", .init(n: 200, g: 2, jacobian: .init(transient: 600)), samples: 5,
                                   seed: seed)
        let naive = SpectralLaw.radial(RadialLaw(center: -1, scale: 1, a: [4], weights: [1], source: "φ' = 1"))
        let d = SpectrumStatistics.distance(re: chaotic.re, im: chaotic.im, law: naive)
        XCTAssertGreaterThan(d.value, naive.ksTolerance(order: 200, count: d.count), "seed \(seed)")
    }

    /// RadialLaw is the circular law when every a_i is equal, and its CDF grows from the mass at
    /// the centre to 1 at the edge √⟨a⟩.
    func testRadialLawLimits() {
        let equal = RadialLaw(center: 0, scale: 1, a: [2.25], weights: [1], source: "")
        for r in [0.1, 0.7, 1.2, 1.5] { XCTAssertEqual(equal.cdf(r), min(1, r * r / 2.25), accuracy: 1e-12) }
        // Two values: the equations in closed form at one y.
        let two = RadialLaw(center: 0, scale: 1, a: [1, 4], weights: [0.5, 0.5], source: "")
        XCTAssertEqual(two.outerRadius, 2.5.squareRoot(), accuracy: 1e-14)
        let y = 0.7
        let r2 = 0.5 * (1 / (1 + y) + 4 / (1 + 4 * y)), f = 0.5 * (1 / (1 + y) + 1 / (1 + 4 * y))
        XCTAssertEqual(two.cdf(r2.squareRoot()), f, accuracy: 1e-5)
        XCTAssertEqual(two.cdf(0), 0)
        XCTAssertEqual(two.cdf(2), 1)
    }

    /// Gated RNN at the fixed point: the Jacobian is block triangular, so 2N eigenvalues are
    /// exactly −1/τ_z = −1/τ_r = −1 and N lie in the disc of centre −σ_z(0), radius g σ_z σ_r.
    func testGatedFixedPointBlocks() throws {
        let seed = freshSeed()
        let n = 60
        let s = try spectrum("gated-jacobian", .init(n: n, g: 3, jacobian: .init(at: .fixedPoint)), samples: 2, seed: seed)
        for k in 0..<2 {
            let re = s.re[k * 3 * n..<(k + 1) * 3 * n], im = s.im[k * 3 * n..<(k + 1) * 3 * n]
            let atMinusOne = zip(re, im).filter { abs($0 + 1) < 1e-8 && abs($1) < 1e-8 }.count
            XCTAssertEqual(atMinusOne, 2 * n, "sample \(k), seed \(seed)")
        }
        let theory = try XCTUnwrap(s.jacobianTheory)
        XCTAssertEqual(theory.discCenter ?? .nan, -0.5, accuracy: 1e-12)
        XCTAssertEqual(theory.discRadius ?? .nan, 0.75, accuracy: 1e-12)
        XCTAssertLessThan(theory.compare(re: s.re, im: s.im).fractionOutside, 0.04, "seed \(seed)")
    }

    /// Gated RNN along chaotic trajectories: the predicted support from unit samples holds the
    /// spectrum up to finite-size edge effects, and its right edge is close.
    func testGatedTrajectorySupport() throws {
        let seed = freshSeed()
        let s = try spectrum("gated-jacobian", .init(n: 100, g: 3, jacobian: .init(transient: 500)), samples: 3, seed: seed)
        let c = try XCTUnwrap(s.jacobianTheory).compare(re: s.re, im: s.im)
        print("gated-jacobian: \(c)")
        XCTAssertLessThan(c.fractionOutside, 0.06, "seed \(seed)")
        XCTAssertLessThan(abs(c.rightEdgeGap), 0.2, "seed \(seed)")
    }

    /// GRU at h = 0: z₀ I + (1 − z₀) r₀ W_hn, the circular law about ½ of radius g/4.
    /// LSTM at 0: N zeros and N eigenvalues in the disc about f₀ = ½ of radius g/4.
    func testGRUAndLSTMAtTheFixedPoint() throws {
        let seed = freshSeed()
        let gru = try spectrum("gru-jacobian", .init(n: 200, g: 2, jacobian: .init(at: .fixedPoint)), samples: 4, seed: seed)
        let law = try XCTUnwrap(gru.law)
        let d = SpectrumStatistics.distance(re: gru.re, im: gru.im, law: law)
        XCTAssertLessThan(d.value, law.ksTolerance(order: 200, count: d.count), "seed \(seed)")

        let n = 80
        let lstm = try spectrum("lstm-jacobian", .init(n: n, g: 2, jacobian: .init(at: .fixedPoint)), samples: 2, seed: seed)
        for k in 0..<2 {
            let mod = (k * 2 * n..<(k + 1) * 2 * n).map { (lstm.re[$0] * lstm.re[$0] + lstm.im[$0] * lstm.im[$0]).squareRoot() }
            XCTAssertEqual(mod.filter { $0 < 1e-9 }.count, n, "sample \(k), seed \(seed)")
        }
        XCTAssertLessThan(try XCTUnwrap(lstm.jacobianTheory).compare(re: lstm.re, im: lstm.im).fractionOutside, 0.05)
    }

    /// The flow Jacobian A and the Euler step's tangent map M at the same state: M = I + δA; at
    /// the rate network's fixed point A = −I + J, whose diagonal is −1 (J has a zero diagonal).
    func testFlowAndStepJacobiansAgree() throws {
        let seed = freshSeed()
        for kind in [ModelSpec.Kind.rate, .gated] {
            let n = 11, dt = 0.05
            let flow = try JacobianEnsemble(kind: kind, n: n, g: 2.5, options: .init(transient: 50, dt: dt))
            let step = try JacobianEnsemble(kind: kind, n: n, g: 2.5, options: .init(transient: 50, dt: dt, matrix: .step))
            let a = try flow.generate(samples: 0..<2, seed: seed, on: cpu).values
            let m = try step.generate(samples: 0..<2, seed: seed, on: cpu).values
            let order = flow.order
            for i in a.indices {
                let eye = (i % (order * order)) % (order + 1) == 0 ? 1.0 : 0.0
                XCTAssertEqual(m[i], eye + dt * a[i], accuracy: 1e-12, "\(kind) entry \(i), seed \(seed)")
            }
        }
        let fp = try JacobianEnsemble(kind: .rate, n: 7, g: 1, options: .init(at: .fixedPoint))
        let a = try fp.generate(samples: 3..<4, seed: seed, on: cpu).values
        for i in 0..<7 { XCTAssertEqual(a[i * 8], -1) }
    }

    /// Sample k depends on (seed, k) alone, and CPU and OpenCL generate the same matrices
    /// (the `ensemble.jacobian` validation lines).
    func testSamplesAreIndependentOfBatchingAndDevice() throws {
        let seed = freshSeed()
        let e = try JacobianEnsemble(kind: .lstm, n: 6, g: 2, options: .init(transient: 20))
        let all = try e.generate(samples: 0..<4, seed: seed, on: cpu).values
        let third = try e.generate(samples: 2..<3, seed: seed, on: cpu).values
        XCTAssertEqual(Array(all[2 * 144..<3 * 144]), third)
        let dev = try openCLBackend()
        assertAllPass(AllChecks.run(device: dev, seed: seed, filter: "ensemble.jacobian"))
    }
}
