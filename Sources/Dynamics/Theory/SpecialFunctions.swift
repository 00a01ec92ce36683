import Compute
import Foundation

public enum SpecialFunctions {
    /// Digamma ψ(x) for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the
    /// asymptotic series ln x − 1/2x − Σ B_2k / (2k x^2k). Error below 1e-13.
    public static func digamma(_ x: Double) -> Double {
        precondition(x > 0, "digamma needs x > 0")
        var x = x, acc = 0.0
        while x < 10 { acc -= 1 / x; x += 1 }
        let f = 1 / (x * x)
        let series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))))
        return acc + Foundation.log(x) - 0.5 / x - series
    }

    /// Newman's exponents of products of i.i.d. N×N Gaussian matrices with entries
    /// N(0, s²/N) (docs/theory.md T14): λ_i = ln s + ½[ln(2/N) + ψ((N − i + 1)/2)], i = 1…N.
    public static func gaussianProductExponents(n: Int, gain s: Double) -> [Double] {
        let base = Foundation.log(s) + 0.5 * Foundation.log(2 / Double(n))
        return (1...n).map { (i: Int) -> Double in base + 0.5 * digamma(Double(n - i + 1) / 2) }
    }
}
