import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
/// The stable-regime spectrum (circular law through the integrator's step), the gated RNN's
/// Jacobian support and slow modes, and the constant-gate reduction to the rate network
/// (Sources/Dynamics/Theory, docs/theory.md T7–T13, docs/models.md M12).
import Foundation
import XCTest

final class TheorySpectrumTests: XCTestCase {
    let cpu = CPUBackend.shared

    /// Exponents ln|m(δ(c + Rμ))|/δ of μ uniform on the unit disc, from Philox uniforms.
    func monteCarlo(_ s: StableSpectrum, seed: UInt64, count: Int = 200_000) -> [Double] {
        let u: [Double] = PhiloxFill.uniform(count: 2 * count, seed: seed, stream: 2)
        return (0..<count).map { i in
            let r = s.discRadius * u[2 * i].squareRoot(), th = 2 * Double.pi * u[2 * i + 1]
            return s.exponent(re: s.discCenter + r * cos(th), im: r * sin(th))
        }.sorted()
    }

    func testCircularLawSpectrum() throws {
        let seed = freshSeed()
        for (g, dt, integ) in [(0.5, 0.1, Integrator.euler), (0.8, 1.0, .euler), (0.5, 0.3, .rk4), (0.9, 0.05, .euler)] {
            let s = StableSpectrum(discCenter: -1, discRadius: g, dt: dt, integrator: integ)
            let mc = monteCarlo(s, seed: seed)
            for p in [0.01, 0.1, 0.5, 0.9, 0.99] {
                let x = mc[Int(p * Double(mc.count))]
                XCTAssertEqual(s.cdf(x), p, accuracy: 0.005, "g \(g) δ \(dt) \(integ) p \(p), seed \(seed)")
                XCTAssertEqual(s.cdf(s.quantile(p)), p, accuracy: integ == .rk4 ? 1e-4 : 1e-9)
            }
            XCTAssertEqual(s.meanExponent, mc.reduce(0, +) / Double(mc.count), accuracy: 0.003, "g \(g) δ \(dt) \(integ)")
            XCTAssertGreaterThanOrEqual(s.lambdaMax, mc.last!)
            XCTAssertEqual(s.lambdaMax, mc.last!, accuracy: 0.01)
        }
        // Closed forms: λ_max = ln(1 − δ + δg)/δ, the mean ln(1 − δ)/δ (1 − δ ≥ δg); δ = 1: ln g, ln g − ½.
        let e = StableSpectrum(discCenter: -1, discRadius: 0.5, dt: 0.1, integrator: .euler)
        XCTAssertEqual(e.lambdaMax, log(0.95) / 0.1, accuracy: 1e-12)
        XCTAssertEqual(e.meanExponent, log(0.9) / 0.1, accuracy: 1e-12)
        let m = StableSpectrum(discCenter: -1, discRadius: 0.7, dt: 1, integrator: .euler)
        XCTAssertEqual(m.lambdaMax, log(0.7), accuracy: 1e-12)
        XCTAssertEqual(m.meanExponent, log(0.7) - 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.cdf(log(0.35)), 0.25, accuracy: 1e-12)  // P(|μ| ≤ r) = r²/g²
        // The flow's limit: δ → 0 gives λ_max = g − 1 and mean −1, for both integrators.
        for integ in Integrator.allCases {
            let f = StableSpectrum(discCenter: -1, discRadius: 0.6, dt: 1e-4, integrator: integ)
            XCTAssertEqual(f.lambdaMax, -0.4, accuracy: 1e-3)
            XCTAssertEqual(f.meanExponent, -1, accuracy: 1e-3)
        }
    }

    func testPointMassesAndQuantiles() {
        let s = StableSpectrum(discCenter: -0.5, discRadius: 0.25, discWeight: 1.0 / 3,
                               pointMasses: [.init(eigenvalue: -1, weight: 1.0 / 3), .init(eigenvalue: -2, weight: 1.0 / 3)],
                               dt: 0.1, integrator: .euler)
        let e = s.exponents(total: 30, leading: 30)
        XCTAssertEqual(e.count, 30)
        XCTAssertTrue(zip(e, e.dropFirst()).allSatisfy { $0 >= $1 })
        XCTAssertEqual(e[15], log(0.9) / 0.1, accuracy: 1e-9)  // the middle third sits at −1
        XCTAssertEqual(e[29], log(0.8) / 0.1, accuracy: 1e-9)
        XCTAssertEqual(s.lambdaMax, log(1 - 0.1 * 0.25) / 0.1, accuracy: 1e-12)
    }

    /// Identical units give the disc |λ + s| ≤ g a; two populations (open and shut update gates)
    /// put a fraction of the support near 0: the slow modes.
    func testGatedJacobianSupport() throws {
        let disc = JacobianSupport(gain: 2, samples: JacobianUnitSamples(leak: [0.5], gain: [0.2]))
        let b = disc.boundary()
        XCTAssertEqual(b.curves.count, 1)
        for p in b.curves[0] { XCTAssertEqual(hypot(p[0] + 0.5, p[1]), 0.4, accuracy: 2e-3 * 0.4 + 1e-9) }
        XCTAssertEqual(b.intervals[0][0], -0.9, accuracy: 1e-9)
        XCTAssertEqual(b.intervals[0][1], -0.1, accuracy: 1e-9)
        // half the units nearly shut (σ_z = 0.01): their eigenvalues gather at −0.01
        let n = 200
        let leak = (0..<n).map { $0 % 2 == 0 ? 1.0 : 0.01 }
        let gain = leak.map { $0 * 0.5 }
        let two = JacobianSupport(gain: 1.5, samples: JacobianUnitSamples(leak: leak, gain: gain))
        XCTAssertEqual(two.slowModeFraction(threshold: 0.05), 0.5)
        XCTAssertTrue(two.contains(re: -0.01, im: 0.001))
        XCTAssertTrue(two.contains(re: -1, im: 0))
        XCTAssertFalse(two.contains(re: 0.1, im: 0))
        XCTAssertLessThan(two.boundary().curves.flatMap { $0 }.map { $0[0] }.max()!, 0.01)
    }

    /// The eigenvalues of the h block of the gated RNN's flow Jacobian at a state of a trajectory
    /// fall in the support predicted from that state's units and fill it to its right edge; the
    /// rate network's fill the DMFT disc (its support; the density is not uniform, φ' varying).
    func testJacobianSupportAgainstEigenvalues() throws {
        let seed = freshSeed()
        let n = 200
        var spec = ModelSpec(kind: .gated, n: n, g: 3, dt: 0.1, seed: seed)
        spec.alphaZ = 5
        let model = try spec.make(on: cpu, as: Double.self)
        let x = try JacobianCheck.randomStates(model, batch: 1, seed: seed)
        for _ in 0..<1500 { try model.step(x) }
        let v = try x.toArray()
        let samples = JacobianUnitSamples.gated(h: Array(v[0..<n]), z: Array(v[n..<2 * n]), r: Array(v[2 * n..<3 * n]),
                                                options: spec.gatedOptions)
        let m = try model.jacobian(x).toArray()  // M = I + δA (Euler)
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { a[i * n + j] = (m[i * 3 * n + j] - (i == j ? 1 : 0)) / 0.1 } }
        let ev = try LAPACK.eigenvalues(general: a, n: n)
        let theory = try XCTUnwrap(try MeanFieldTheory.jacobianSpectrumTheory(model: spec, samples: samples))
        let c = theory.compare(re: ev.re, im: ev.im)
        print("gated h block: \(c), slow modes \(theory.slowModeFraction!)")
        XCTAssertLessThan(c.fractionOutside, 0.1, "seed \(seed)")
        // the support is filled to its right edge (the third largest real part: robust to an outlier or two)
        XCTAssertEqual(ev.re.sorted(by: >)[2], theory.rightEdge, accuracy: 0.15, "seed \(seed)")

        let rateSpec = ModelSpec(kind: .rate, n: n, g: 3, dt: 0.1, seed: seed)
        let rate = try rateSpec.make(on: cpu, as: Double.self)
        let y = try JacobianCheck.randomStates(rate, batch: 1, seed: seed)
        for _ in 0..<1500 { try rate.step(y) }
        let mr = try rate.jacobian(y).toArray()
        let ar = (0..<n * n).map { (mr[$0] - ($0 % (n + 1) == 0 ? 1 : 0)) / 0.1 }
        let er = try LAPACK.eigenvalues(general: ar, n: n)
        let disc = try XCTUnwrap(try MeanFieldTheory.jacobianSpectrumTheory(model: rateSpec))
        let cr = disc.compare(re: er.re, im: er.im)
        print("rate: \(cr), DMFT disc radius \(disc.discRadius!)")
        XCTAssertLessThan(cr.fractionOutside, 0.1, "seed \(seed)")
        // the outermost eigenvalue reaches the edge (the density thins there: units with large φ' are few)
        let reach = zip(er.re, er.im).map { hypot($0 + 1, $1) }.max()! / disc.discRadius!
        XCTAssertEqual(reach, 1, accuracy: 0.3, "seed \(seed)")
        let step = try XCTUnwrap(try MeanFieldTheory.jacobianSpectrumTheory(model: rateSpec, matrix: .step))
        XCTAssertEqual(step.discCenter!, 1 - 0.1, accuracy: 1e-12)
        XCTAssertEqual(step.discRadius!, 0.1 * disc.discRadius!, accuracy: 1e-12)
        XCTAssertEqual(step.compare(re: er.re.map { 1 + 0.1 * $0 }, im: er.im.map { 0.1 * $0 }).fractionOutside,
                       cr.fractionOutside, accuracy: 1e-12)
    }

    /// α_z = α_r = 0: the gated RNN's h is the rate network with couplings σ_r(0) J^h stepped
    /// with δ σ_z(0) (Euler and RK4), step for step; and the theory says so.
    func testConstantGatesReduceToTheRateNetwork() throws {
        let seed = freshSeed()
        let n = 30
        for integ in Integrator.allCases {
            let o = GatedRNNOptions(gH: 3, alphaZ: 0, betaZ: 0.7, alphaR: 0, betaR: -0.4, dt: 0.1, integrator: integ)
            let gated = try GatedRNN<Double>(backend: cpu, units: n, options: o, seed: seed)
            let jh = Array(try gated.weights.toArray()[0..<n * n]).map { $0 * o.sigmaR0 }
            let rate = try RateNetwork<Double>(backend: cpu, couplings: jh, units: n, dt: 0.1 * o.sigmaZ0, integrator: integ)
            let xg = try JacobianCheck.randomStates(gated, batch: 1, seed: seed)
            let xr = try cpu.tensor(Array(try xg.toArray()[0..<n]), shape: [1, 1, n])
            for _ in 0..<200 {
                try gated.step(xg)
                try rate.step(xr)
            }
            XCTAssertLessThan(Compare.maxRelativeError(Array(try xg.toArray()[0..<n]), try xr.toArray(), floor: 1), 1e-10)
            // the h block of the tangent map, with Q_z = Q_r = 0
            let q: [Double] = PhiloxFill.normal(count: n * 2, seed: seed, stream: 4)
            let qg = try cpu.tensor(q + [Double](repeating: 0, count: 4 * n), shape: [3 * n, 2])
            let og = try cpu.zeros([3 * n, 2], as: Double.self), or = try cpu.zeros([n, 2], as: Double.self)
            try gated.jacobianTimes(xg, member: 0, qg, into: og)
            try rate.jacobianTimes(xr, member: 0, try cpu.tensor(q, shape: [n, 2]), into: or)
            XCTAssertLessThan(Compare.maxRelativeError(Array(try og.toArray()[0..<2 * n]), try or.toArray(), floor: 1), 1e-12)
            // theory: λ_max(gated) = σ_z(0) λ_max(rate, g_h σ_r(0))
            var spec = ModelSpec(kind: .gated, n: n, g: 3, dt: 0.1)
            (spec.alphaZ, spec.betaZ, spec.alphaR, spec.betaR, spec.integrator) = (0, 0.7, 0, -0.4, integ)
            let p = try XCTUnwrap(try MeanFieldTheory.predict(spec))
            let r = try MeanFieldTheory.rate(g: 3 * o.sigmaR0, dt: 0.1 * o.sigmaZ0, integrator: integ)
            XCTAssertEqual(p.lambdaMax!, o.sigmaZ0 * r.lambdaMax!, accuracy: 1e-15)
            XCTAssertEqual(p.regime, "chaotic")
            XCTAssertEqual(p.jacobian?.discRadius ?? 0, o.sigmaZ0 * r.jacobian!.discRadius!, accuracy: 1e-12)
        }
    }

    /// The zero fixed point of docs/models.md (M12) in the prediction, and a stable gated RNN's simulated
    /// leading exponents against it.
    func testGatedZeroFixedPoint() throws {
        var spec = ModelSpec(kind: .gated, n: 60, g: 1.2, dt: 0.1, seed: freshSeed())
        spec.betaR = 0.5
        let p = try XCTUnwrap(try MeanFieldTheory.predict(spec))
        XCTAssertEqual(p.regime, "stable")
        XCTAssertEqual(p.gated?.criticalGain ?? 0, 1 + exp(0.5), accuracy: 1e-12)
        let (sz, sr) = (0.5, 1 / (1 + exp(0.5)))
        XCTAssertEqual(p.lambdaMax!, log(1 + 0.1 * sz * (-1 + 1.2 * sr)) / 0.1, accuracy: 1e-12)
        XCTAssertEqual(p.jacobian?.discCenter, -sz)
        var r = try lyapunov(spec.make(on: cpu, as: Double.self),
                             LyapunovConfig(steps: 4000, transient: 2000, k: 4, reorth: 5, seed: spec.seed))
        try r.attachTheory(for: spec)
        let th = try XCTUnwrap(r.theory)
        print("gated zero fixed point: simulated \(r.exponents), predicted \(th.predictedExponents ?? [])")
        XCTAssertLessThan(th.maxExponentGap!, 0.08, "seed \(spec.seed)")
    }
}

/// A finished Lyapunov run of any model.
func lyapunov<M: RecurrentModel>(_ model: M, _ config: LyapunovConfig) throws -> LyapunovResult {
    let run = try LyapunovRun(model: model, config: config, identity: [:])
    // Nothing sends a stop signal here, so a stopped run is a failure, not a reason to skip.
    guard case .finished(let r) = try run.run() else {
        throw ComputeError.invalidArgument("the Lyapunov run stopped before it finished")
    }
    return r
}
