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
    /// GEMM work of one step for B states (2·B·N² per coupling product, docs/models.md): rate and
    /// linear 1 product, gated 3, GRU 3, LSTM 4, each flow product 4 times with RK4.
    public func stepGemmFlops(batch: Int) -> Double {
        let product = 2 * Double(batch) * Double(units) * Double(units)
        let rk4: Bool
        if let m = self as? RateNetwork<T> { rk4 = m.integrator == .rk4 } else if let m = self as? GatedRNN<T> {
            rk4 = m.options.integrator == .rk4
        } else {
            rk4 = false
        }
        let products: Double = switch name {
        case "gated", "gru": 3
        case "lstm": 4
        default: 1
        }
        return product * products * (rk4 ? 4 : 1)
    }
}
