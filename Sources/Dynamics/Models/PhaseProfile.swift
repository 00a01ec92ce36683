import Compute

/// Launches, time and GEMM work per phase of a run (`--profile`, issue 17 point 5): each
/// measured call waits for the device before and after, so a phase's time is its own.
public final class PhaseProfile {
    public struct Phase: Codable, Sendable {
        public var name: String
        public var calls: Int
        /// OpenCL kernels enqueued (0 on the CPU engine).
        public var launches: Int
        public var seconds: Double
        /// GEMM floating-point operations (0 where the phase has none).
        public var flops: Double
        public var gflopsPerSecond: Double
        public var launchesPerCall: Double
    }

    let backend: any Backend
    private var order: [String] = []
    private var byName: [String: Phase] = [:]

    public init(backend: any Backend) { self.backend = backend }

    /// The phases in the order first measured.
    public var phases: [Phase] { order.compactMap { byName[$0] } }

    public func measure<R>(_ name: String, flops: Double = 0, _ body: () throws -> R) throws -> R {
        try backend.synchronize()
        let launches = backend.kernelLaunches, start = Timing.now()
        let r = try body()
        try backend.synchronize()
        let dt = Timing.now() - start, dl = backend.kernelLaunches - launches
        if byName[name] == nil { order.append(name) }
        var p = byName[name] ?? Phase(name: name, calls: 0, launches: 0, seconds: 0, flops: 0, gflopsPerSecond: 0,
                                      launchesPerCall: 0)
        p.calls += 1
        p.launches += dl
        p.seconds += dt
        p.flops += flops
        p.gflopsPerSecond = p.seconds > 0 ? p.flops / p.seconds / 1e9 : 0
        p.launchesPerCall = Double(p.launches) / Double(p.calls)
        byName[name] = p
        return r
    }
}

extension RecurrentModel {
    /// Coupling products of one step (docs/models.md): rate and linear 1, gated 3, GRU 3, LSTM 4.
    var couplingProducts: Double {
        switch name {
        case "gated", "gru": 3
        case "lstm": 4
        default: 1
        }
    }

    var usesRK4: Bool {
        if let m = self as? RateNetwork<T> { return m.integrator == .rk4 }
        if let m = self as? GatedRNN<T> { return m.options.integrator == .rk4 }
        return false
    }

    /// GEMM work of one step for B states (2·B·N² per coupling product, docs/models.md): rate and
    /// linear 1 product, gated 3, GRU 3, LSTM 4, each flow product 4 times with RK4.
    public func stepGemmFlops(batch: Int) -> Double {
        2 * Double(batch) * Double(units) * Double(units) * couplingProducts * (usesRK4 ? 4 : 1)
    }

    /// GEMM work of one batched tangent product, k columns for B members (docs/lyapunov.md L12):
    /// each coupling product applied to Q (2·B·N²·k, 4 stages with RK4), plus the products on
    /// the B state rows inside it (2·B·N² each): the gated RNN's J^h(σ_r φ) per stage, the GRU's
    /// and LSTM's gate pre-activations, and RK4's three stage velocities.
    public func tangentGemmFlops(batch: Int, k: Int) -> Double {
        let rows = 2 * Double(batch) * Double(units) * Double(units)
        let p = couplingProducts, stages: Double = usesRK4 ? 4 : 1
        let velocities = usesRK4 ? 3 * p * rows : 0
        let inside: Double = switch name {
        case "gated": stages * rows + velocities
        case "gru", "lstm": p * rows
        case "rate": velocities
        default: 0
        }
        return p * rows * Double(k) * stages + inside
    }
}
