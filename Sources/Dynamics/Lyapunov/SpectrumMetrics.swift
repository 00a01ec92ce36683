import Compute
/// Summaries of a Lyapunov spectrum (exponents sorted descending; docs/lyapunov.md L6, L7).
public enum SpectrumMetrics {
    /// Kaplan–Yorke dimension: j + (λ_1 + … + λ_j) / |λ_{j+1}|, j the largest index whose
    /// partial sum is ≥ 0; 0 when λ_1 < 0; the number of exponents when all partial sums are ≥ 0
    /// (only a lower bound then, the spectrum being partial).
    public static func kaplanYorke(_ lambdas: [Double]) -> Double {
        var sum = 0.0
        for (j, l) in lambdas.enumerated() {
            if sum + l < 0 { return j == 0 ? 0 : Double(j) + sum / Swift.abs(l) }
            sum += l
        }
        return Double(lambdas.count)
    }

    /// Kolmogorov–Sinai entropy rate by Pesin's formula: the sum of positive exponents.
    public static func entropyRate(_ lambdas: [Double]) -> Double { lambdas.filter { $0 > 0 }.reduce(0, +) }

    /// Mean and standard error of the mean across members, per exponent.
    public static func meanAndStandardError(_ perMember: [[Double]]) -> (mean: [Double], stderr: [Double]) {
        guard let k = perMember.first?.count else { return ([], []) }
        let b = Double(perMember.count)
        var mean = [Double](repeating: 0, count: k), se = [Double](repeating: 0, count: k)
        for i in 0..<k {
            let xs = perMember.map { $0[i] }
            let m = xs.reduce(0, +) / b
            mean[i] = m
            se[i] = perMember.count > 1 ? (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (b - 1) / b).squareRoot() : 0
        }
        return (mean, se)
    }
}
