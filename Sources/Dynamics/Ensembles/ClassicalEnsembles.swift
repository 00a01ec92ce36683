import Compute
/// The classical ensembles, scaled so that their spectra converge to a fixed law as n grows
/// (docs/ensembles.md E1–E5).
///
/// Every entry is built from float64 standard normals N(0, 1) of Philox stream 0 (see
/// `SampleNormals`), drawn on the run's backend; the scaling and symmetrisation are done on
/// the host as the batch is read back.
import Foundation

/// Standard normals for a range of samples, one backend launch per batch.
///
/// Sample k of a draw of `perSample` normals uses Philox blocks [k·b, (k+1)·b) of `stream`,
/// b = ⌈perSample / 2⌉ (two float64 normals per block), so the numbers of sample k are the
/// same whatever batch it is generated in and on every device.
public enum SampleNormals {
    /// The normals of `samples`, sample after sample, each padded to `stride` = 2b values.
    public static func draw(_ backend: any Backend, seed: UInt64, stream: UInt32 = 0, samples: Range<Int>,
                            perSample: Int) throws -> (values: [Double], stride: Int) {
        guard backend.supportsFP64 else {
            throw ComputeError.noFP64(device: backend.label, op: "random-matrix generation")
        }
        let blocks = (perSample + 1) / 2
        let stride = 2 * blocks
        if samples.isEmpty || stride == 0 { return ([], stride) }
        let t: Tensor<Double> = try backend.normal([samples.count * stride], seed: seed, stream: stream,
                                                   offset: UInt64(samples.lowerBound) * UInt64(blocks))
        return (try t.toArray(), stride)
    }
}

/// Real or complex Ginibre matrices with gain g.
///
/// Real: J_ij ~ N(0, g²/n) independent. Complex: Re J_ij and Im J_ij independent N(0, g²/(2n)),
/// so E|J_ij|² = g²/n. Both fill the disc of radius g uniformly as n → ∞ (circular law); the
/// radial CDF is F(r) = r²/g².
public struct Ginibre: MatrixEnsemble {
    public let n: Int
    public let g: Double
    public let complex: Bool

    public init(n: Int, g: Double = 1, complex: Bool = false) {
        self.n = n
        self.g = g
        self.complex = complex
    }

    public var name: String { complex ? "complex-ginibre" : "ginibre" }
    public var order: Int { n }
    public var structure: MatrixStructure { complex ? .complex : .general }
    public var law: SpectralLaw? { .circular(radius: g) }
    public var parameters: [String: Double] { ["g": g] }

    public func generate(samples: Range<Int>, seed: UInt64, on backend: any Backend) throws -> MatrixBatch {
        let per = n * n * (complex ? 2 : 1)
        let (z, stride) = try SampleNormals.draw(backend, seed: seed, samples: samples, perSample: per)
        let scale = g / Double(n).squareRoot() / (complex ? 2.0.squareRoot() : 1)
        var out = [Double](repeating: 0, count: samples.count * per)
        for s in 0..<samples.count {
            for i in 0..<per { out[s * per + i] = scale * z[s * stride + i] }
        }
        return try MatrixBatch(structure: structure, n: n, count: samples.count, values: out)
    }
}

/// The Gaussian orthogonal ensemble, H = g (G + Gᵀ)/√(2n) with G standard normal:
/// off-diagonal variance g²/n, diagonal 2g²/n. Semicircle law on [-2g, 2g].
public struct GOE: MatrixEnsemble {
    public let n: Int, g: Double

    public init(n: Int, g: Double = 1) { (self.n, self.g) = (n, g) }

    public var name: String { "goe" }
    public var order: Int { n }
    public var structure: MatrixStructure { .symmetric }
    public var law: SpectralLaw? { .semicircle(radius: 2 * g, axis: .real) }
    public var parameters: [String: Double] { ["g": g] }

    public func generate(samples: Range<Int>, seed: UInt64, on backend: any Backend) throws -> MatrixBatch {
        let per = n * n
        let (z, stride) = try SampleNormals.draw(backend, seed: seed, samples: samples, perSample: per)
        let c = g / (2 * Double(n)).squareRoot()
        var out = [Double](repeating: 0, count: samples.count * per)
        for s in 0..<samples.count {
            let o = s * per, zo = s * stride
            for i in 0..<n {
                for j in 0..<n { out[o + i * n + j] = c * (z[zo + i * n + j] + z[zo + j * n + i]) }
            }
        }
        return try MatrixBatch(structure: .symmetric, n: n, count: samples.count, values: out)
    }
}

/// Sample covariance matrices S = XᵀX/n (p×p) of an n×p matrix X of N(0, 1) entries, with
/// aspect ratio γ = p/n (p = round(γ n), at least 1). Marchenko–Pastur law with ratio γ: the
/// density on [(1−√γ)², (1+√γ)²] and, for γ > 1, a point mass 1 − 1/γ at 0.
public struct Wishart: MatrixEnsemble {
    public let n: Int
    public let p: Int

    public init(n: Int, gamma: Double) throws {
        let p = (gamma * Double(n)).rounded()
        guard p >= 1, p <= Double(Ensembles.maxOrder) else {
            throw ComputeError.invalidArgument("wishart: p = round(γ n) = \(p) for γ = \(gamma), n = \(n); "
                + "it must lie in 1...\(Ensembles.maxOrder)")
        }
        self.n = n
        self.p = Int(p)
    }

    /// The aspect ratio actually used, p/n.
    public var gamma: Double { Double(p) / Double(n) }
    public var name: String { "wishart" }
    public var order: Int { p }
    public var structure: MatrixStructure { .symmetric }
    public var law: SpectralLaw? { .marchenkoPastur(ratio: gamma) }
    public var parameters: [String: Double] { ["gamma": gamma, "p": Double(p)] }

    public func generate(samples: Range<Int>, seed: UInt64, on backend: any Backend) throws -> MatrixBatch {
        let (z, stride) = try SampleNormals.draw(backend, seed: seed, samples: samples, perSample: n * p)
        let per = p * p
        var out = [Double](repeating: 0, count: samples.count * per)
        for s in 0..<samples.count {
            let x = Array(z[s * stride..<s * stride + n * p])
            let cov = Linalg.gram(x, rows: n, cols: p, scale: 1 / Double(n))
            out.replaceSubrange(s * per..<(s + 1) * per, with: cov)
        }
        return try MatrixBatch(structure: .symmetric, n: p, count: samples.count, values: out)
    }
}

/// Elliptic matrices with correlation τ and gain g: J = g (a G + b Gᵀ)/√n with
/// a = (√(1+τ) + √(1−τ))/2, b = (√(1+τ) − √(1−τ))/2. This is exactly
/// g (√((1+τ)/2) S + √((1−τ)/2) A) with S = (G + Gᵀ)/√(2n) symmetric and A = (G − Gᵀ)/√(2n)
/// antisymmetric (independent, as the two parts of a Gaussian matrix are): E[J_ij²] = g²/n and
/// E[J_ij J_ji] = τ g²/n. The eigenvalues fill the ellipse with semi-axes g(1+τ) (real) and
/// g(1−τ) (imaginary) uniformly; τ = ±1 gives a semicircle on the real (imaginary) axis.
public struct Elliptic: MatrixEnsemble {
    public let n: Int
    public let g: Double
    public let tau: Double

    public init(n: Int, g: Double = 1, tau: Double) {
        self.n = n
        self.g = g
        self.tau = tau
    }

    public var name: String { "elliptic" }
    public var order: Int { n }
    public var structure: MatrixStructure { .general }
    public var law: SpectralLaw? {
        abs(tau) < 1 ? .elliptic(tau: tau, scale: g) : .semicircle(radius: 2 * g, axis: tau > 0 ? .real : .imaginary)
    }
    public var parameters: [String: Double] { ["g": g, "tau": tau] }

    public func generate(samples: Range<Int>, seed: UInt64, on backend: any Backend) throws -> MatrixBatch {
        let per = n * n
        let (z, stride) = try SampleNormals.draw(backend, seed: seed, samples: samples, perSample: per)
        let u = (1 + tau).squareRoot(), v = (1 - tau).squareRoot()
        let a = g * (u + v) / 2 / Double(n).squareRoot(), b = g * (u - v) / 2 / Double(n).squareRoot()
        var out = [Double](repeating: 0, count: samples.count * per)
        for s in 0..<samples.count {
            let o = s * per, zo = s * stride
            for i in 0..<n {
                for j in 0..<n { out[o + i * n + j] = a * z[zo + i * n + j] + b * z[zo + j * n + i] }
            }
        }
        return try MatrixBatch(structure: .general, n: n, count: samples.count, values: out)
    }
}
