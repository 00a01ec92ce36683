import Compute
/// Validation of every model of docs/models.md (rate, linear, gated, gru, lstm) on a device against
/// the CPU engine (docs/checks.md C1–C3): from the same Philox weights, states and tangents, a
/// batched step (B = 3, N = 37, one network shared and three networks), the input-driven step of
/// the GRU and LSTM, jacobianTimes on Q [stateSize, 5] at a member ≠ 0 and batched over all
/// members (Q [B, stateSize, 5], docs/lyapunov.md L11; member 1's block against the former), in float32 and (where
/// the device has it) float64; the flows with Euler and RK4; on the device the fused step
/// (kernels/rnn_step.cl) also against the previous launch chain. Compared normwise (floor 1).
package enum ModelChecks {
    static let models = ["rate", "linear", "gated", "gru", "lstm"]
    package static let batch = 3, columns = 5, inputSize = 5
    /// N: 37, or 7 under `--shapes small`.
    package static var units: Int { Validation.size(37, small: 7) }

    package static var all: [ValidationCheck] { models.map(check) }

    static func check(_ model: String) -> ValidationCheck {
        ValidationCheck(op: "model.\(model)") { cpu, dev, seed in
            var out = try cases(model, Float.self, cpu, dev, seed)
            if dev.supportsFP64 { out += try cases(model, Double.self, cpu, dev, seed) }
            return out
        }
    }

    static func tolerance<T: Scalar>(_: T.Type) -> Double { T.dtype == .f64 ? 1e-12 : 1e-5 }

    static func cases<T: Scalar>(_ model: String, _: T.Type, _ cpu: CPUBackend, _ dev: any Backend,
                                 _ seed: UInt64) throws -> [ValidationResult] {
        var out: [ValidationResult] = []
        for networks in [1, 3] {
            let label = "model.\(model)" + (networks > 1 ? "[\(networks) networks]" : "")
            switch model {
            case "rate":
                for integrator in Integrator.allCases {
                    out += try compare(label + "[\(integrator)]", cpu, dev, seed) {
                        try RateNetwork<T>(backend: $0, units: units, g: 1.5, dt: 0.3, seed: seed, networks: networks,
                                           integrator: integrator)
                    }
                }
            case "linear":
                out += try compare(label, cpu, dev, seed) {
                    try LinearMap<T>(backend: $0, units: units, g: 1.2, seed: seed, networks: networks)
                }
            case "gated":
                for integrator in Integrator.allCases {
                    let o = GatedRNNOptions(gH: 2.5, alphaZ: 3, betaZ: 0.5, alphaR: 1.5, betaR: -0.5, tauZ: 2, tauR: 0.7,
                                            dt: 0.2, integrator: integrator)
                    out += try compare(label + "[\(integrator)]", cpu, dev, seed) {
                        try GatedRNN<T>(backend: $0, units: units, options: o, seed: seed, networks: networks)
                    }
                }
            case "gru":
                out += try compare(label, cpu, dev, seed) {
                    try GRU<T>(backend: $0, units: units, g: 2, bZ: 0.5, bR: -0.3, seed: seed, networks: networks)
                }
                let p = torchLike(T.self, gates: 3, networks: networks, seed: seed)
                out += try compareInput(label, cpu, dev, seed) {
                    try GRU<T>(backend: $0, units: units, inputSize: inputSize, networks: networks, weightHH: p.whh,
                               weightIH: p.wih, biasIH: p.bih, biasHH: p.bhh)
                }
            case "lstm":
                out += try compare(label, cpu, dev, seed) {
                    try LSTM<T>(backend: $0, units: units, g: 2, bF: 1, seed: seed, networks: networks)
                }
                let p = torchLike(T.self, gates: 4, networks: networks, seed: seed)
                out += try compareInput(label, cpu, dev, seed) {
                    try LSTM<T>(backend: $0, units: units, inputSize: inputSize, networks: networks, weightHH: p.whh,
                                weightIH: p.wih, biasIH: p.bih, biasHH: p.bhh)
                }
            default:
                throw ComputeError.invalidArgument("no model \(model)")
            }
        }
        return out
    }

    /// GRU/LSTM parameters with every tensor nonzero: N(0, 1/N) weights, N(0, 0.25) biases.
    package static func torchLike<T: Scalar>(_: T.Type, gates: Int, networks: Int, seed: UInt64)
        -> (whh: [T], wih: [T], bih: [T], bhh: [T])
    {
        let rows = gates * units
        func draw(_ count: Int, _ s: Double, _ stream: UInt32) -> [T] {
            (PhiloxFill.normal(count: count, seed: seed, stream: 0x0040_0000 + stream) as [Double]).map { T($0 * s) }
        }
        let w = 1 / Double(units).squareRoot()
        return (draw(networks * rows * units, w, 0), draw(networks * rows * inputSize, w, 1),
                draw(networks * rows, 0.5, 2), draw(networks * rows, 0.5, 3))
    }

    /// The same model on both backends: one batched step (the fused step, and on the device also
    /// the previous launch chain against it), and M Q at member 1 of the initial states.
    static func compare<M: LaunchChainModel>(_ label: String, _ cpu: CPUBackend, _ dev: any Backend, _ seed: UInt64,
                                             _ make: (any Backend) throws -> M) throws -> [ValidationResult] {
        let tol = tolerance(M.T.self)
        let results = try [cpu, dev].map { be -> (step: [M.T], jac: [M.T], batched: [M.T], chain: [M.T], size: Int) in
            let m = try make(be)
            let chained = try JacobianCheck.randomStates(m, batch: batch, seed: seed)
            try m.chainStep(chained)
            let x = try JacobianCheck.randomStates(m, batch: batch, seed: seed)
            let z: [Double] = PhiloxFill.normal(count: m.stateSize * columns, seed: seed, stream: PhiloxStreams.tangent(0))
            let q = try be.tensor(z.map { M.T($0) }, shape: [m.stateSize, columns])
            let mq = try be.zeros([m.stateSize, columns], as: M.T.self)
            try m.jacobianTimes(x, member: 1, q, into: mq)
            let qb = try be.tensor((0..<batch).flatMap { _ in z }.map { M.T($0) }, shape: [batch, m.stateSize, columns])
            let mqb = try be.zeros(qb.shape, as: M.T.self)
            try m.jacobianTimes(x, qb, into: mqb)
            try m.step(x)
            return (try x.toArray(), try mq.toArray(), try mqb.toArray(), try chained.toArray(), m.stateSize)
        }
        let size = results[0].size
        return [
            .compare(op: label + ".chainStep", shape: [batch, size], ref: results[1].chain, got: results[1].step,
                     tolerance: tol, seed: seed, floor: 1),
            .compare(op: label + ".step", shape: [batch, size], ref: results[0].step, got: results[1].step,
                     tolerance: tol, seed: seed, floor: 1),
            .compare(op: label + ".jacobianTimes", shape: [size, columns], ref: results[0].jac, got: results[1].jac,
                     tolerance: tol, seed: seed, floor: 1),
            .compare(op: label + ".batchedJacobianTimes", shape: [batch, size, columns], ref: results[0].batched,
                     got: results[1].batched, tolerance: tol, seed: seed, floor: 1),
            .compare(op: label + ".batchedJacobianTimes[member 1]", shape: [size, columns], ref: results[1].jac,
                     got: Array(results[1].batched[(size * columns)..<(2 * size * columns)]), tolerance: tol, seed: seed,
                     floor: 1),
        ]
    }

    /// Two input-driven steps of the same model on both backends.
    static func compareInput<M: InputDrivenModel>(_ label: String, _ cpu: CPUBackend, _ dev: any Backend,
                                                  _ seed: UInt64, _ make: (any Backend) throws -> M) throws
        -> [ValidationResult]
    {
        let results = try [cpu, dev].map { be -> [M.T] in
            let m = try make(be)
            let x = try JacobianCheck.randomStates(m, batch: batch, seed: seed)
            for t in 0..<2 {
                let u: [Double] = PhiloxFill.normal(count: batch * m.inputSize, seed: seed,
                                                    stream: PhiloxStreams.perStep(t))
                try m.step(x, input: be.tensor(u.map { M.T($0) }, shape: [batch, m.inputSize]))
            }
            return try x.toArray()
        }
        return [.compare(op: label + ".inputStep", shape: [batch, results[0].count / batch], ref: results[0],
                         got: results[1], tolerance: tolerance(M.T.self), seed: seed, floor: 1)]
    }
}
