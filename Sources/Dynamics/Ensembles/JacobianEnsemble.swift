import Compute
import Foundation

/// Where and how a Jacobian ensemble takes its matrices (`gpurun spectrum --at --transient --dt
/// --jacobian --integrator`).
public struct JacobianEnsembleOptions: Sendable, Equatable {
    public enum Place: String, Sendable, CaseIterable {
        /// The state after `transient` steps from a random initial state (Philox stream
        /// PhiloxStreams.initialState(0) of the sample's seed, unit normals).
        case trajectory
        /// The fixed point h = 0 (with z = r = 0, c = 0): every model here has it, since none
        /// has an input or a bias on its candidate.
        case fixedPoint = "fixed-point"
    }

    public var at: Place
    /// Steps before the Jacobian is taken (trajectory only; nil: `defaultTransient`).
    public var transient: Int?
    public static let defaultTransient = 1000
    public var transientSteps: Int { transient ?? Self.defaultTransient }
    /// Euler or RK4 step δ of the flows (rate, gated).
    public var dt: Double
    /// flow: the flow Jacobian A = ∂f/∂x of ẋ = f(x) (rate, gated; the default for them);
    /// step: one step's tangent map M (for Euler M = I + δA); map: a map's Jacobian (GRU, LSTM).
    /// nil: flow for flows, map for maps.
    public var matrix: JacobianSpectrumTheory.Matrix?
    public var integrator: Integrator
    /// Gate biases of the random GRU (b_z, b_r) and LSTM (b_f) (docs/models.md M14); 0 by default.
    public var biasZ = 0.0, biasR = 0.0, biasF = 0.0

    public init(at: Place = .trajectory, transient: Int? = nil, dt: Double = 0.1,
                matrix: JacobianSpectrumTheory.Matrix? = nil, integrator: Integrator = .euler,
                biasZ: Double = 0, biasR: Double = 0, biasF: Double = 0) {
        (self.at, self.transient, self.dt, self.matrix) = (at, transient, dt, matrix)
        self.integrator = integrator
        (self.biasZ, self.biasR, self.biasF) = (biasZ, biasR, biasF)
    }
}

/// Jacobians of one of the RNN models (docs/models.md; docs/ensembles.md E6) as a random-matrix ensemble.
///
/// Sample k is the Jacobian of its own random network, of seed s_k = the first two words of
/// Philox(seed, stream PhiloxStreams.ensembleMember, block k), taken at the state the options
/// name. The network is drawn and stepped, and the Jacobian formed (J·I, or A·I for the flow
/// Jacobian), on the run's backend in float64; a chaotic trajectory's state after many steps
/// depends on rounding, so CPU and device Jacobians agree exactly only at the fixed point and
/// for short transients (validate checks both).
public struct JacobianEnsemble: MatrixEnsemble {
    public let kind: ModelSpec.Kind
    public let n: Int
    public let g: Double
    public let options: JacobianEnsembleOptions
    public let law: SpectralLaw?
    public let jacobianTheory: JacobianSpectrumTheory?

    public init(kind: ModelSpec.Kind, n: Int, g: Double, options: JacobianEnsembleOptions) throws {
        (self.kind, self.n, self.g, self.options) = (kind, n, g, options)
        let base = Self.spec(kind: kind, n: n, g: g, seed: 0, options: options)
        try base.validate()
        guard options.transientSteps >= 0 else {
            throw ComputeError.invalidArgument("the transient steps must be ≥ 0 (got \(options.transientSteps))")
        }
        if (options.biasZ != 0 || options.biasR != 0) && kind != .gru || options.biasF != 0 && kind != .lstm {
            throw ComputeError.invalidArgument("gate biases: b_z and b_r are the GRU's, b_f the LSTM's (the \(kind.rawValue) network has none)")
        }
        if options.at == .fixedPoint && options.transient != nil {
            throw ComputeError.invalidArgument("transient steps apply to Jacobians along a trajectory, not at the fixed point")
        }
        let matrix = options.matrix ?? Self.defaultMatrix(kind)
        guard base.isFlow ? matrix != .map : matrix == .map else {
            throw ComputeError.invalidArgument(base.isFlow
                ? "the map Jacobian is for the GRU and LSTM; the \(kind.rawValue) network is a flow (flow or step)"
                : "the \(kind.rawValue) is a map: its Jacobian is one step's (the map Jacobian), it has no flow")
        }
        let theory = try JacobianEnsembleTheory.make(base, matrix: matrix, options: options)
        (law, jacobianTheory) = (theory.law, theory.support)
    }

    /// The model of sample seed `seed`.
    static func spec(kind: ModelSpec.Kind, n: Int, g: Double, seed: UInt64, options: JacobianEnsembleOptions) -> ModelSpec {
        var s = ModelSpec(kind: kind, n: n, g: g, dt: options.dt, seed: seed)
        s.integrator = options.integrator
        (s.biasZ, s.biasR, s.biasF) = (options.biasZ, options.biasR, options.biasF)
        return s
    }

    public var name: String { kind.rawValue + "-jacobian" }
    public var matrix: JacobianSpectrumTheory.Matrix { options.matrix ?? Self.defaultMatrix(kind) }

    /// The flow Jacobian for the flows (rate, gated), one step's Jacobian for the maps.
    static func defaultMatrix(_ kind: ModelSpec.Kind) -> JacobianSpectrumTheory.Matrix {
        kind == .rate || kind == .gated ? .flow : .map
    }
    public var order: Int { Self.order(kind, n: n) }

    /// The state size: N, 3N (gated: h, z, r) or 2N (LSTM: h, c).
    public static func order(_ kind: ModelSpec.Kind, n: Int) -> Int {
        switch kind {
        case .gated: 3 * n
        case .lstm: 2 * n
        case .rate, .gru, .linear: n
        }
    }
    public var structure: MatrixStructure { .general }
    public var parameters: [String: Double] {
        // At the fixed point "fixedPoint" = 1, along trajectories the transient in steps.
        var p = options.at == .fixedPoint ? ["g": g, "fixedPoint": 1] : ["g": g, "transient": Double(options.transientSteps)]
        if kind == .rate || kind == .gated { p["dt"] = options.dt }
        if kind == .gru { (p["biasZ"], p["biasR"]) = (options.biasZ, options.biasR) }
        if kind == .lstm { p["biasF"] = options.biasF }
        return p
    }

    /// The seed of sample k's network.
    public static func sampleSeed(_ seed: UInt64, sample k: Int) -> UInt64 {
        let w = Philox.block(seed: seed, stream: PhiloxStreams.ensembleMember, index: UInt64(k))
        return UInt64(w.0) | UInt64(w.1) << 32
    }

    public func generate(samples: Range<Int>, seed: UInt64, on backend: any Backend) throws -> MatrixBatch {
        guard backend.supportsFP64 else { throw ComputeError.noFP64(device: backend.label, op: "Jacobian ensembles") }
        var out: [Double] = []
        out.reserveCapacity(samples.count * order * order)
        for k in samples {
            let spec = Self.spec(kind: kind, n: n, g: g, seed: Self.sampleSeed(seed, sample: k), options: options)
            // The identity, the Jacobian and its host copy, besides the weights, and LAPACK's copy
            // and workspace (dgeev: about 2n² more).
            try spec.checkMemory(on: backend, elementSize: 8, workingBytes: 6 * order * order * 8)
            out += try jacobian(of: try spec.make(on: backend, as: Double.self), seed: spec.seed)
        }
        return try MatrixBatch(structure: .general, n: order, count: samples.count, values: out)
    }

    /// The Jacobian at the options' state, row-major [order, order] in docs/models.md (M22) state order.
    func jacobian<M: RecurrentModel>(of model: M, seed: UInt64) throws -> [Double] {
        let x: Tensor<M.T>
        switch options.at {
        case .fixedPoint: x = try model.zeroStates(batch: 1)
        case .trajectory:
            x = try JacobianCheck.randomStates(model, batch: 1, seed: seed)
            for _ in 0..<options.transientSteps { try model.step(x) }
        }
        let j: Tensor<M.T>
        if matrix == .flow, let flow = model as? any FlowModel {
            j = try Self.flowJacobian(flow, x)
        } else {
            j = try model.jacobian(x)
        }
        // jacobianTimes works on segment-major tangents [segments·N] with segment s at rows
        // s·N..<(s+1)·N: the same order as a member's state, so no permutation is needed.
        return try j.toArray().map(\.double)
    }

    /// A = ∂f/∂x at state 0 of x, as A·I.
    static func flowJacobian<F: FlowModel, T: Scalar>(_ f: F, _ x: Tensor<T>) throws -> Tensor<T> {
        guard let xs = x as? Tensor<F.T> else { throw ComputeError.invalidArgument("flow Jacobian: state type mismatch") }
        let n = f.stateSize
        var eye = [F.T](repeating: 0, count: n * n)
        for i in 0..<n { eye[i * n + i] = 1 }
        let out = try f.backend.zeros([n, n], as: F.T.self)
        try f.flowJacobianTimes(xs, member: 0, network: 0, f.backend.tensor(eye, shape: [n, n]), into: out)
        guard let typed = out as? Tensor<T> else { throw ComputeError.invalidArgument("flow Jacobian: state type mismatch") }
        return typed
    }
}
