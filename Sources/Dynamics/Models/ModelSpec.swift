import Compute
import OpenCLRuntime
import Foundation

/// A model as the command line describes it: which of the five of docs/models.md, its size and
/// parameters, random (from a seed) or loaded from files. `make` builds it on a backend.
public struct ModelSpec: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case rate, gated, gru, lstm, linear
    }

    public var kind: Kind
    /// Units N (ignored when weights are loaded: their shape decides).
    public var n: Int
    /// Gain g of the couplings (g_h for the gated RNN).
    public var g: Double
    /// Euler step δ of the flows (rate, gated); the maps ignore it.
    public var dt: Double
    public var seed: UInt64
    /// A directory of .npy weights, or a file for the rate network and the linear map.
    public var weights: String?
    /// Independent networks drawn from the seed (1: one network, B trajectories).
    public var networks: Int
    public var zeroDiagonal: Bool
    public var alphaZ = 1.0, betaZ = 0.0, alphaR = 1.0, betaR = 0.0
    public var biasZ = 0.0, biasR = 0.0, biasF = 0.0
    /// How the flows are stepped: Euler (the default) or RK4 with its exact tangent (docs/integrators.md I1–I3).
    public var integrator: Integrator = .euler

    public init(kind: Kind, n: Int, g: Double = 2, dt: Double = 0.1, seed: UInt64 = 1, weights: String? = nil,
                networks: Int = 1, zeroDiagonal: Bool = true) {
        self.kind = kind
        self.n = n
        self.g = g
        self.dt = dt
        self.seed = seed
        self.weights = weights
        self.networks = networks
        self.zeroDiagonal = zeroDiagonal
    }

    /// The flows integrate with step δ; the maps take whole steps.
    public var isFlow: Bool { kind == .rate || kind == .gated }

    /// Numbers in one state of a random model of N units: h, (h, c) for the LSTM, (h, z, r) for
    /// the gated RNN (loaded weights decide N, and then the built model's `stateSize` counts).
    public var stateSize: Int { Checked.product([n, kind == .gated ? 3 : kind == .lstm ? 2 : 1]) ?? .max }  // saturates; checkMemory refuses

    /// Clear errors before any work.
    public func validate() throws {
        func bad(_ s: String) -> ComputeError { .invalidArgument("\(kind.rawValue): " + s) }
        if weights == nil && n <= 0 { throw bad("units N must be positive, got \(n)") }
        if isFlow && !(dt > 0 && dt.isFinite) { throw bad("the step dt must be positive, got \(dt)") }
        if !isFlow && integrator != .euler {
            throw bad("the integrator applies to the flows (rate, gated); the \(kind.rawValue) model is a map")
        }
        if !(g >= 0 && g.isFinite) { throw bad("the gain g must be finite and ≥ 0 (it scales the couplings' standard deviation), got \(g)") }
        if networks <= 0 { throw bad("the number of networks must be positive") }
        if weights != nil && networks > 1 { throw bad("loaded weights are one network; use trajectories for a batch") }
        for (name, v) in [("α_z", alphaZ), ("β_z", betaZ), ("α_r", alphaR), ("β_r", betaR),
                          ("b_z", biasZ), ("b_r", biasR), ("b_f", biasF)] where !v.isFinite {
            throw bad("the gate parameter \(name) must be finite, got \(v)")
        }
    }

    /// Bytes of the model's weights (before they are drawn: a run checks memory first).
    public func weightBytes(elementSize: Int) -> Int {
        let matrices: Int
        switch kind {
        case .rate, .linear: matrices = 1
        case .gated, .gru: matrices = 3
        case .lstm: matrices = 4
        }
        // Saturates instead of trapping: a size past Int.max is refused by checkMemory as too large.
        return Checked.product([networks, matrices, n, n, elementSize]) ?? .max
    }

    /// Refuses a run that cannot fit: `workingBytes` plus the weights (twice on the host while
    /// they are drawn) against the device's memory, or the machine's for the CPU backend.
    public func checkMemory(on backend: any Backend, elementSize: Int, workingBytes: Int) throws {
        guard weights == nil else { return }
        let total = Checked.sum([weightBytes(elementSize: elementSize), workingBytes]) ?? .max  // saturates: refused below
        let host = Checked.sum([weightBytes(elementSize: 8), total]) ?? .max
        try Checked.hostMemory(host, for: "the \(kind.rawValue) network of \(n) units (weights and working set)")
        if case .opencl(let cl) = backend.kind { try cl.checkFits(totalBytes: total) }
    }

    /// What a checkpoint must match to be resumed: every parameter, and the weights file's
    /// size and modification time when weights are loaded.
    public var identity: [String: String] {
        var id: [String: String] = [
            "model": kind.rawValue, "n": "\(n)", "g": "\(g)", "dt": "\(dt)", "seed": "\(seed)",
            "networks": "\(networks)", "zeroDiagonal": "\(zeroDiagonal)",
        ]
        switch kind {
        case .gated: id["gates"] = "αz \(alphaZ) βz \(betaZ) αr \(alphaR) βr \(betaR)"
        case .gru: id["biases"] = "z \(biasZ) r \(biasR)"
        case .lstm: id["biases"] = "f \(biasF)"
        case .rate, .linear: break
        }
        if integrator != .euler { id["integrator"] = integrator.rawValue }
        if let w = weights {
            id["weights"] = w
            if let attrs = try? FileManager.default.attributesOfItem(atPath: w) {
                id["weightsStamp"] = "\(attrs[.size] ?? "-") \(attrs[.modificationDate] ?? "-")"
            }
        }
        return id
    }

    /// The gated RNN's options (docs/models.md M7–M9) from this spec.
    public var gatedOptions: GatedRNNOptions {
        GatedRNNOptions(gH: g, alphaZ: alphaZ, betaZ: betaZ, alphaR: alphaR, betaR: betaR, dt: dt,
                        zeroDiagonal: zeroDiagonal, integrator: integrator)
    }

    public func make<T: Scalar>(on backend: any Backend, as _: T.Type = T.self) throws -> any RecurrentModel<T> {
        try validate()
        let gated = gatedOptions
        if let w = weights {
            switch kind {
            case .rate:
                let m = try RateNetwork<T>.load(backend: backend, path: w, dt: dt)
                m.integrator = integrator
                return m
            case .linear: return try LinearMap<T>.load(backend: backend, path: w)
            case .gated: return try GatedRNN<T>.load(backend: backend, path: w, options: gated)
            case .gru: return try GRU<T>.load(backend: backend, path: w)
            case .lstm: return try LSTM<T>.load(backend: backend, path: w)
            }
        }
        switch kind {
        case .rate:
            return try RateNetwork<T>(backend: backend, units: n, g: g, dt: dt, seed: seed, networks: networks,
                                      zeroDiagonal: zeroDiagonal, integrator: integrator)
        case .linear:
            return try LinearMap<T>(backend: backend, units: n, g: g, seed: seed, networks: networks)
        case .gated:
            return try GatedRNN<T>(backend: backend, units: n, options: gated, seed: seed, networks: networks)
        case .gru:
            return try GRU<T>(backend: backend, units: n, g: g, bZ: biasZ, bR: biasR, seed: seed, networks: networks,
                              zeroDiagonal: zeroDiagonal)
        case .lstm:
            return try LSTM<T>(backend: backend, units: n, g: g, bF: biasF, seed: seed, networks: networks,
                               zeroDiagonal: zeroDiagonal)
        }
    }
}
