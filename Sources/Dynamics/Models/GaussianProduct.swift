import Compute
/// Products of i.i.d. Gaussian matrices (docs/theory.md T14, docs/checks.md C7): the "Jacobian" of step t is a
/// fresh N×N matrix with entries N(0, s²/N), drawn from Philox (seed, PhiloxStreams.perStep(0))
/// at block offset t·N²/2, so a run is reproducible on every backend. The state is a step
/// counter kept by the model; exponents are λ_i = ln s + ½[ln(2/N) + ψ((N − i + 1)/2)] (Newman).
public final class GaussianProduct<T: Scalar>: RecurrentModel {
    public let backend: any Backend
    public let units: Int
    public let gain: Double
    public let seed: UInt64
    /// Matrices drawn so far: step t uses matrix t.
    public private(set) var stepCount = 0
    let ws: Workspace<T>

    public var name: String { "gaussian-product" }
    public var segments: Int { 1 }
    public var timeStep: Double { 1 }
    public var networks: Int { 1 }
    /// The matrices do not depend on the state.
    public var jacobianDependsOnState: Bool { false }

    public init(backend: any Backend, units n: Int, gain: Double, seed: UInt64) throws {
        guard n > 0 else { throw ComputeError.invalidArgument("gaussian product: N must be positive") }
        self.backend = backend
        units = n
        self.gain = gain
        self.seed = seed
        ws = Workspace(backend)
    }

    /// The state does not matter; only the matrix index advances.
    public func step(_ states: Tensor<T>) throws { stepCount += 1 }

    /// Member b draws its own matrix (stream PhiloxStreams.perStep(b)), one draw and one GEMM per
    /// member: a check model, not a workload, so its launches grow with B.
    public func tangentProducts(_ states: Tensor<T>, member: Int?, _ q: Tensor<T>, into out: Tensor<T>) throws {
        let n = units, b = batchSize(states), k = q.count / max(b * n, 1)
        let blocksPerMatrix = UInt64((n * n + 1) / 2)
        for i in 0..<b {
            let w: Tensor<T> = try backend.normal([n, n], seed: seed, stream: PhiloxStreams.perStep(member ?? i),
                                                  offset: UInt64(stepCount) * blocksPerMatrix)
            var p = GemmParams(m: n, n: k, k: n)
            (p.offsetB, p.offsetC) = (i * n * k, i * n * k)
            try backend.gemm(p, alpha: T(gain / Double(n).squareRoot()), w, q, beta: 0, out)
        }
    }
}
