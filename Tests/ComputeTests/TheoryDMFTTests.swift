import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
/// The mean-field theory of the rate network (Sources/Dynamics/Theory, docs/theory.md T1–T6; docs/checks.md C9)
/// against its limits and its own consistency conditions: Gauss–Hermite exactness, g < 1
/// (λ_max = g − 1), g → 1⁺ (λ_max ≈ ½(g − 1)²), energy conservation, the zero mode Δ'(τ) of
/// the Schrödinger operator, convergence in the quadrature, and the δ = 1 map's closed forms.
import Foundation
import XCTest

final class TheoryDMFTTests: XCTestCase {
    func testGaussHermiteIsExactForPolynomials() {
        let rule = GaussHermite(12)
        var doubleFactorial = 1.0
        for k in 0..<12 {  // E z^{2k} = (2k − 1)!!, exact up to degree 23
            if k > 0 { doubleFactorial *= Double(2 * k - 1) }
            XCTAssertEqual(rule.expectation { pow($0, Double(2 * k)) }, doubleFactorial, accuracy: 1e-12 * doubleFactorial)
            XCTAssertEqual(rule.expectation { pow($0, Double(2 * k + 1)) }, 0, accuracy: 1e-12 * doubleFactorial)
        }
        for n in [1, 2, 61, 1000] {
            let r = GaussHermite(n)
            XCTAssertEqual(r.weights.reduce(0, +), 1, accuracy: 1e-14)
            XCTAssertEqual(zip(r.nodes, r.nodes.reversed()).map { $0 + $1 }.map(abs).max()!, 0)
            if n > 2 { XCTAssertEqual(r.expectation { cos($0) }, exp(-0.5), accuracy: 1e-13, "n \(n)") }
        }
        // Sharp integrands at large scale need the rules GaussHermite.nodesFor picks:
        // E[sech²(4z)] against a fine trapezoid rule.
        let s = 4.0
        let rule4 = GaussHermite(GaussHermite.nodesFor(scale: s))
        let got = rule4.expectation { TanhFamily.at(s * $0).s }
        var want = 0.0
        let h = 1e-3
        for i in -12000...12000 {
            let z = Double(i) * h
            want += h * exp(-z * z / 2) / (2 * Double.pi).squareRoot() * TanhFamily.at(s * z).s
        }
        XCTAssertEqual(got, want, accuracy: 1e-8 * want)
    }

    func testBelowTheTransition() throws {
        for g in [0.3, 0.9, 1.0] {
            let r = try RateFlowDMFT.solve(g: g)
            XCTAssertEqual(r.lambdaMax, g - 1, accuracy: 1e-15)
            XCTAssertEqual(r.delta0, 0)
            let m = try RateMapMeanField.solve(g: g)
            XCTAssertEqual(m.lambdaMax, log(g), accuracy: 1e-12)
            XCTAssertEqual(m.meanExponent, log(g) - 0.5, accuracy: 1e-12)
        }
    }

    /// Near g = 1⁺, λ_max ≈ ½(g − 1)²: the ratio tends to 1 (as 1 − O(g − 1)).
    func testNearTheTransition() throws {
        var last = 0.0
        for g in [1.04, 1.02, 1.01] {
            let r = try RateFlowDMFT.solve(g: g)
            let ratio = r.lambdaMax / (0.5 * (g - 1) * (g - 1))
            print("g \(g): λ_max \(r.lambdaMax), ratio to ½(g−1)² \(ratio), E1 \(r.firstExcitedEnergy)")
            XCTAssertGreaterThan(ratio, last, "the ratio must rise towards 1 as g → 1")
            XCTAssertLessThan(ratio, 1)
            last = ratio
        }
        XCTAssertEqual(last, 1, accuracy: 0.05)
    }

    /// Δ0 conserves the particle's energy, Δ(τ) decays monotonically from Δ0 at rest, and Δ'(τ)
    /// is the operator's eigenfunction of eigenvalue 0: E1 ≈ 0 to the discretisation.
    func testConsistency() throws {
        var previous = 0.0
        for g in [1.5, 2, 3] {
            let r = try RateFlowDMFT.solve(g: g)
            let rule = GaussHermiteCache().rule(scale: r.delta0.squareRoot())
            let s = r.delta0.squareRoot()
            let mean = rule.expectation { TanhFamily.logCosh(s * $0) }
            let variance = rule.expectation { pow(TanhFamily.logCosh(s * $0) - mean, 2) }
            XCTAssertEqual(r.delta0 * r.delta0 / 2, g * g * variance, accuracy: 1e-9 * r.delta0 * r.delta0, "g \(g)")
            XCTAssertLessThan(abs(r.firstExcitedEnergy), 1e-4 * abs(r.groundStateEnergy), "g \(g)")
            XCTAssertEqual(r.delta.first, r.delta0)
            XCTAssertTrue(zip(r.delta, r.delta.dropFirst()).allSatisfy { $0 > $1 }, "g \(g): Δ(τ) must decrease")
            XCTAssertLessThan(r.delta.last!, 1e-6 * r.delta0)
            // κ² = 1 − g²(E φ')² and λ_max grows with g
            let ePrime = rule.expectation { TanhFamily.at(s * $0).s }
            XCTAssertEqual(r.decayRate, (1 - g * g * ePrime * ePrime).squareRoot(), accuracy: 1e-14)
            XCTAssertGreaterThan(r.lambdaMax, previous)
            previous = r.lambdaMax
        }
    }

    /// Twice the Gauss–Hermite nodes and twice the Δ table change λ_max by < 1e-6.
    func testQuadratureIsConverged() throws {
        let a = try RateFlowDMFT.solve(g: 3)
        let b = try RateFlowDMFT.solve(g: 3, quadrature: 2, intervals: 512)
        XCTAssertEqual(a.lambdaMax, b.lambdaMax, accuracy: 1e-6)
        XCTAssertEqual(a.delta0, b.delta0, accuracy: 1e-9 * a.delta0)
    }

    /// Where the quadrature cannot resolve the theory (large g), the solver refuses instead of
    /// answering wrong (it gave λ_max = 0.35 at g = 50 and 270 at g = 1000); below that, λ_max
    /// keeps growing with g.
    func testRefusesWhereItCannotResolveTheTheory() throws {
        let at15 = try RateFlowDMFT.solve(g: 15)
        XCTAssertGreaterThan(at15.lambdaMax, try RateFlowDMFT.solve(g: 12).lambdaMax)
        XCTAssertLessThan(abs(at15.firstExcitedEnergy), 1e-4 * abs(at15.groundStateEnergy))
        for g in [30.0, 1000] {
            XCTAssertThrowsError(try RateFlowDMFT.solve(g: g)) { error in
                XCTAssertTrue("\(error)".contains("no reliable answer at g = \(Int(g))"), "\(error)")
            }
        }
    }

    /// The map's closed forms against Monte Carlo expectations (Philox normals), and their
    /// fixed-point equation.
    func testMapMeanField() throws {
        let seed = freshSeed()
        let g = 2.5
        let m = try RateMapMeanField.solve(g: g)
        let z: [Double] = PhiloxFill.normal(count: 400_000, seed: seed, stream: 1)
        let s = m.delta0.squareRoot()
        func mc(_ f: (Double) -> Double) -> Double { z.reduce(0) { $0 + f(s * $1) } / Double(z.count) }
        XCTAssertEqual(m.delta0, g * g * mc { pow(TanhFamily.at($0).t, 2) }, accuracy: 0.01 * m.delta0)
        XCTAssertEqual(m.lambdaMax, 0.5 * log(g * g * mc { pow(TanhFamily.at($0).s, 2) }), accuracy: 0.01)
        XCTAssertEqual(m.meanExponent, log(g) - 0.5 + mc { -2 * TanhFamily.logCosh($0) }, accuracy: 0.01)
        let rule = GaussHermiteCache().rule(scale: g)
        XCTAssertEqual(m.delta0, g * g * rule.expectation { pow(TanhFamily.at(s * $0).t, 2) }, accuracy: 1e-13 * m.delta0)
        // continuous at g = 1
        XCTAssertEqual(try RateMapMeanField.solve(g: 1.0001).lambdaMax, 0, accuracy: 1e-3)
    }

    /// Past the Gauss–Hermite cap (√Δ0 ≳ 7) the map's mean field uses the centred composite rule
    /// (T1b): its fixed point and λ_max against fine trapezoid sums in u = √Δ0 z, and the
    /// large-g law λ_max → ½ ln(g · (4/3)/√(2π)). The capped rule had λ_max = −0.83 at g = 90.
    func testMapMeanFieldAtLargeGain() throws {
        let density = 1 / (2 * Double.pi).squareRoot()
        for g in [10.0, 90, 1000, 1e6] {
            let m = try RateMapMeanField.solve(g: g)
            let s = m.delta0.squareRoot()
            // E[F(s z)] = ∫ F(u) φ(u/s)/s du for F decaying away from 0 (sech², sech⁴).
            func trapezoid(_ f: (Double) -> Double) -> Double {
                let h = 1e-3
                var sum = 0.0
                for i in -80_000...80_000 {
                    let u = Double(i) * h
                    sum += h * f(u) * density * exp(-0.5 * (u / s) * (u / s)) / s
                }
                return sum
            }
            let sech2 = trapezoid { TanhFamily.at($0).s }
            let sech4 = trapezoid { pow(TanhFamily.at($0).s, 2) }
            XCTAssertEqual(m.delta0, g * g * (1 - sech2), accuracy: 1e-10 * m.delta0, "g \(g)")
            XCTAssertEqual(m.lambdaMax, 0.5 * log(g * g * sech4), accuracy: 1e-9, "g \(g)")
            // The Jacobian's disc: radius g·E[φ'²]^½ (the capped rule gave 0.45 for 6.93 at g = 90).
            let radius = try XCTUnwrap(try MeanFieldTheory.rate(g: g, dt: 1, integrator: .euler).jacobian?.discRadius)
            XCTAssertEqual(radius, g * sech4.squareRoot(), accuracy: 1e-9 * radius, "g \(g)")
            if g >= 1000 {
                XCTAssertEqual(m.lambdaMax, 0.5 * log(g * 4 / 3 * density), accuracy: 2e-3, "g \(g)")
            }
        }
        XCTAssertThrowsError(try RateMapMeanField.solve(g: 1e151))
    }
}
