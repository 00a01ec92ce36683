import Compute
/// A recurrent model of docs/models.md: a map of the state, with its Jacobian.
///
/// States are stored segment-major: a batch of B states is a tensor of shape
/// [segments, B, N] (the rate network and the linear map have one segment, h; the LSTM two,
/// h and c; the gated RNN three, h, z and r), so each segment of the whole batch is one
/// contiguous [B, N] block that a single GEMM advances. `state(b)` of a batch is the
/// concatenation of its segments, `stateSize` = segments · N numbers.
public protocol RecurrentModel<T>: AnyObject {
    associatedtype T: Scalar
    var backend: any Backend { get }
    /// "rate", "gated", "gru", "lstm", "linear".
    var name: String { get }
    /// Units N.
    var units: Int { get }
    /// Segments of the state (1, 2 or 3).
    var segments: Int { get }
    /// Time of one step: δ for flows; 1 for maps, whose exponents are per step.
    var timeStep: Double { get }
    /// Networks in the model: 1, or B independent networks whose member b drives state b.
    var networks: Int { get }

    /// Advances every state of `states` ([segments, B, N]) one step, in place.
    func step(_ states: Tensor<T>) throws

    /// out = M Q for every state of `states` at once (issue 17 point 2; docs/lyapunov.md L11): Q
    /// and out are [B, stateSize, k] (block b [stateSize, k] at b·stateSize·k; [stateSize, k] when
    /// B = 1), M_b the Jacobian of state b's step. `member` nil: `states` is the whole batch and
    /// state b is member b (network b when networks > 1); m: `states` holds member m's state
    /// alone. The launches do not depend on B: each product is one strided-batched GEMM over the
    /// members. `out` must not alias `q`. Callers use `jacobianTimes`, which checks the operands.
    func tangentProducts(_ states: Tensor<T>, member: Int?, _ q: Tensor<T>, into out: Tensor<T>) throws

    /// Whether M depends on the state (false for the linear map and the Gaussian products, whose
    /// exponents stay meaningful when the state itself overflows; docs/lyapunov.md L14).
    var jacobianDependsOnState: Bool { get }
}

/// A model whose step before the fused kernels of issue 17 (a chain of separate launches) is
/// kept callable, for `gpurun bench rnn` and the tests to compare against `step`.
package protocol LaunchChainModel: RecurrentModel {
    func chainStep(_ states: Tensor<T>) throws
}

extension RecurrentModel {
    public var stateSize: Int { segments * units }

    public var jacobianDependsOnState: Bool { true }

    /// The full Jacobian M ([stateSize, stateSize]) at state `member`: M · I.
    public func jacobian(_ states: Tensor<T>, member: Int = 0) throws -> Tensor<T> {
        let n = stateSize
        var eye = [T](repeating: 0, count: n * n)
        for i in 0..<n { eye[i * n + i] = 1 }
        let out = try backend.zeros([n, n], as: T.self)
        try jacobianTimes(states, member: member, backend.tensor(eye, shape: [n, n]), into: out)
        return out
    }

    /// A batch of B zero states.
    public func zeroStates(batch: Int) throws -> Tensor<T> {
        try backend.zeros([segments, batch, units], as: T.self)
    }

    /// Segment `s` ([B, N]) of a batch of states.
    public func segment(_ states: Tensor<T>, _ s: Int) throws -> Tensor<T> {
        try states.reshaped([segments * batchSize(states), units]).rows(s * batchSize(states)..<(s + 1) * batchSize(states))
    }

    /// Segment `s` of state `member` ([1, N]).
    public func segment(_ states: Tensor<T>, _ s: Int, member b: Int) throws -> Tensor<T> {
        let batch = batchSize(states)
        return try states.reshaped([segments * batch, units]).rows(s * batch + b..<s * batch + b + 1)
    }

    public func batchSize(_ states: Tensor<T>) -> Int { states.count / max(stateSize, 1) }

    /// Checks a batch of states and a tangent block before work starts.
    func checkStates(_ states: Tensor<T>) throws {
        guard states.backend === backend else {
            throw ComputeError.backendMismatch("\(name): states live on \(states.backend.label), the model on \(backend.label)")
        }
        guard states.count % max(stateSize, 1) == 0, states.count > 0 else {
            throw ComputeError.shapeMismatch("\(name): \(states.count) numbers are not a batch of states of size \(stateSize)")
        }
        let b = batchSize(states)
        guard networks == 1 || b == networks else {
            throw ComputeError.shapeMismatch("\(name): \(networks) networks need \(networks) states, got \(b)")
        }
    }

    /// out = M Q for every member: Q and out [B, stateSize, k] (see `tangentProducts`).
    public func jacobianTimes(_ states: Tensor<T>, _ q: Tensor<T>, into out: Tensor<T>) throws {
        try checkStates(states)
        let b = batchSize(states)
        guard q.rank >= 2, let k = q.shape.last, q.count == b * stateSize * k, out.shape == q.shape,
              q.rank == 2 ? b == 1 : q.shape == [b, stateSize, k] else {
            throw ComputeError.shapeMismatch("\(name): Q must be [\(b), \(stateSize), k] and out the same; got \(q.shape), \(out.shape)")
        }
        try tangentProducts(states, member: nil, q, into: out)
    }

    /// out = M Q at state `member` alone (Q [stateSize, k]): a thin wrapper over the batched
    /// product, on a view of the member's state (one segment) or a copy of it (several).
    public func jacobianTimes(_ states: Tensor<T>, member: Int, _ q: Tensor<T>, into out: Tensor<T>) throws {
        try checkTangent(states, member: member, q, out)
        try tangentProducts(memberState(states, member), member: member, q, into: out)
    }

    /// State `member` of a batch alone ([segments, 1, N]): the batch itself when B = 1, a view
    /// with one segment, else a copy.
    func memberState(_ states: Tensor<T>, _ member: Int) throws -> Tensor<T> {
        let b = batchSize(states)
        if b == 1 { return states }
        if segments == 1 { return try states.reshaped([b, units]).rows(member..<member + 1).reshaped([1, 1, units]) }
        let one = try backend.zeros([segments, 1, units], as: T.self)
        let rows = try one.reshaped([segments, units])
        for s in 0..<segments { try backend.copy(segment(states, s, member: member), into: rows.rows(s..<s + 1)) }
        return one
    }

    func checkTangent(_ states: Tensor<T>, member: Int, _ q: Tensor<T>, _ out: Tensor<T>) throws {
        try checkStates(states)
        guard member >= 0, member < batchSize(states) else {
            throw ComputeError.invalidArgument("\(name): member \(member) of a batch of \(batchSize(states))")
        }
        guard q.rank == 2, q.shape[0] == stateSize, out.shape == q.shape else {
            throw ComputeError.shapeMismatch("\(name): Q must be [\(stateSize), k] and out the same; got \(q.shape), \(out.shape)")
        }
    }
}
