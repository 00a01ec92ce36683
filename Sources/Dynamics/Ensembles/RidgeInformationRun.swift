import Compute
import Foundation

/// An information experiment over aspect ratios (`gpurun ridge --information`); model and
/// conventions in `RidgeInformation` and docs/ridge-information.md.
public struct RidgeInformationSettings: Sendable {
    public var n: Int
    public var gammas: [Double]
    public var sigma2: Double
    public var lambda: RidgeLambda
    public var r2: Double
    /// s: ξ ~ N(0, (s²/n) I_p).
    public var noiseScale: Double
    public var covariance: DesignCovariance
    public var samples: Int
    public var seed: UInt64

    public init(n: Int, gammas: [Double], sigma2: Double, lambda: RidgeLambda, r2: Double = 1, noiseScale: Double,
                covariance: DesignCovariance = .isotropic, samples: Int, seed: UInt64 = 0) {
        self.n = n
        self.gammas = gammas
        self.sigma2 = sigma2
        self.lambda = lambda
        self.r2 = r2
        self.noiseScale = noiseScale
        self.covariance = covariance
        self.samples = samples
        self.seed = seed
    }

    /// The checks of `RidgeSettings`, and σ² > 0 (with no noise the relevant information is
    /// infinite) and a noise scale s > 0 (s = 0 makes the residual information infinite).
    public func validate() throws {
        try RidgeSettings(n: n, gammas: gammas, sigma2: sigma2, lambda: lambda, r2: r2, samples: samples, seed: seed)
            .validate()
        guard sigma2 > 0 else {
            throw ComputeError.invalidArgument("the information needs a noise variance σ² > 0 (got \(sigma2))")
        }
        guard noiseScale > 0, noiseScale.isFinite else {
            throw ComputeError.invalidArgument("the noise scale s of the randomized ridge must be positive (got \(noiseScale))")
        }
    }
}

/// One γ: each information in bits for a design of n observations, mean over the designs with
/// its standard error, and the large-n limit (n times the per-observation limit at p/n).
public struct RidgeInformationPoint: Codable, Sendable {
    /// The asked ratio, the one realised by p = round(γ n), and the ridge λ used there.
    public var gamma, effectiveGamma, lambda: Double
    public var p: Int
    /// I(ŵ; w | X) (RI4).
    public var relevantInformation: RiskEstimate
    /// I(ŵ; ε | X, w) (RI5).
    public var residualInformation: RiskEstimate
    /// The optimal algorithm's relevant bits at ridge's residual bits (RI9).
    public var optimalRelevantInformation: RiskEstimate
    /// relevant / optimal relevant (RI10).
    public var efficiency: RiskEstimate
    /// The optimal information curve in the limit, total bits at n (RI8).
    public var optimalCurve: [RidgeInformation.PlanePoint]
}

public struct RidgeInformationReport: Codable, Sendable {
    public var n: Int
    public var sigma2: Double
    public var r2: Double
    public var noiseScale: Double
    /// "scales:weights" of Σ.
    public var covariance: String
    public var lambda: String
    public var samples: Int
    public var seed: UInt64
    public var device, definition: String
    /// Seconds of the whole run, and the files written (by the app's output writer).
    public var wallSeconds: Double, files: [String: String]
    public var points: [RidgeInformationPoint]
}

public enum RidgeInformationRun {
    public static let definition =
        "bits for one design of n observations: relevant I(ŵ; w | X), residual I(ŵ; ε | X, w) for "
        + "ŵ = (XᵀX + nλ I)⁻¹Xᵀy + ξ, w ~ N(0, r²/p I), ε ~ N(0, σ² I), ξ ~ N(0, s²/n I); theory = n × the "
        + "generalised Marchenko–Pastur limit at p/n (docs/ridge-information.md)"

    /// For each γ, `samples` designs X (the normals of `RidgeRun`'s draw k, columns scaled by
    /// √c of their group), their eigenvalues, and the exact informations.
    public static func run(_ s: RidgeInformationSettings, on backend: any Backend,
                           workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> RidgeInformationReport {
        try s.validate()
        let start = Date()
        let points = try s.gammas.map { gamma in
            let (p, g, lambda) = RidgeRun.point(gamma, n: s.n, lambda: s.lambda, sigma2: s.sigma2, r2: s.r2)
            let channel = RidgeInformation.Channel(gamma: g, r2: s.r2, sigma2: s.sigma2, noiseScale: s.noiseScale,
                                                   lambda: lambda)
            let roots = s.covariance.featureScales(p: p).map { $0.squareRoot() }
            let slots = InformationSlots(count: s.samples)
            let batch = max(1, min(s.samples, (64 << 20) / (8 * s.n * p)))
            var first = 0
            while first < s.samples {
                let range = first..<min(s.samples, first + batch)
                let (x, stride) = try SampleNormals.draw(backend, seed: s.seed, stream: UInt32(3 * p), samples: range,
                                                         perSample: s.n * p)
                try LAPACK.parallelFor(range.count, workers: workers) { i in
                    var xi = Array(x[i * stride..<i * stride + s.n * p])
                    for r in 0..<s.n { for j in 0..<p { xi[r * p + j] *= roots[j] } }
                    let t = try RidgeInformation.designEigenvalues(xi, n: s.n, p: p)
                    slots.store(range.lowerBound + i, RidgeInformation.design(t, channel: channel))
                }
                first = range.upperBound
            }
            let d = slots.values()
            let (limit, curve) = RidgeInformationTheory.limit(gamma: g, covariance: s.covariance.realised(p: p),
                                                              channel: channel)
            let scale = Double(s.n)
            return RidgeInformationPoint(
                gamma: gamma, effectiveGamma: g, lambda: lambda, p: p,
                relevantInformation: RidgeRun.estimate(d.map(\.relevant), theory: scale * limit.relevant),
                residualInformation: RidgeRun.estimate(d.map(\.residual), theory: scale * limit.residual),
                optimalRelevantInformation: RidgeRun.estimate(d.map(\.optimalRelevant), theory: scale * limit.optimalRelevant),
                efficiency: RidgeRun.estimate(d.map(\.efficiency), theory: limit.efficiency),
                optimalCurve: curve.map { .init(residual: scale * $0.residual, relevant: scale * $0.relevant) })
        }
        return RidgeInformationReport(
            n: s.n, sigma2: s.sigma2, r2: s.r2, noiseScale: s.noiseScale, covariance: s.covariance.description,
            lambda: s.lambda.description, samples: s.samples, seed: s.seed, device: backend.label, definition: definition,
            wallSeconds: Date().timeIntervalSince(start), files: [:], points: points)
    }
}

/// Per-design informations that worker threads fill at disjoint indices.
final class InformationSlots: @unchecked Sendable {
    private var slots: UnsafeMutableBufferPointer<DesignInformation>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: DesignInformation(relevant: .nan, residual: .nan, optimalRelevant: .nan, efficiency: .nan))
    }

    deinit { slots.deallocate() }

    func store(_ i: Int, _ v: DesignInformation) { slots[i] = v }

    func values() -> [DesignInformation] { Array(slots) }
}
