import CBLAS
import Compute
import OpenCLRuntime
import Foundation

/// The dynamical mean-field theory of the random GRU and LSTM maps, solved by sampling the
/// single-site process (docs/theory-gru-lstm.md GL1–GL4).
///
/// At large N every pre-activation W_h· h(t) of a unit is a Gaussian process independent of the
/// unit's own past and of the other gates' (the matrices are independent), with the two-time
/// covariance (GL2) K(t, s) = g² C_h(t, s), C_h(t, s) = (1/N) Σ_j h_j(t) h_j(s). The theory is
/// therefore one unit driven by such fields, with C_h taken over many sampled copies of it
/// (`paths`). The process starts where the simulated ensemble starts (state entries unit
/// normals) and is stepped causally: at step t, K(t, ·) is known from the paths up to t, so the
/// fields of step t are drawn conditionally on the earlier ones (GL3), from the Gram–Schmidt
/// factor R of the path matrix H = [h(0) … h(t)] = QR: field(t) = (g/√M) Σ_s R_st ξ(s), ξ
/// independent unit normals per path, field and step, which has covariance g² HᵀH/M = K.
/// No iteration is needed; the only error is the sampling error of M paths.
public struct GatedMapMeanField: Sendable {
    /// One row per sampled unit at the Jacobian's step (docs/theory-gru-lstm.md GL5, GL6).
    public struct Units: Sendable, Equatable {
        /// GRU: z (the diagonal of ∂h'/∂h); LSTM: f (the diagonal of ∂c'/∂c).
        public var diagonal: [Double]
        /// GRU: the row gain a² of GL5; LSTM: p² (h' on W_ho), GL6.
        public var gainSquared: [Double]
        /// LSTM: e²k² (h' on c' times c' on the other gates), GL6; empty for the GRU.
        public var couplingSquared: [Double]
    }

    public let kind: ModelSpec.Kind
    public let g: Double
    /// GRU: b_z, b_r; LSTM: b_f (the others 0), as the random models draw them.
    public let biasZ, biasR, biasF: Double
    /// ⟨h²⟩ at the Jacobian's step, and the lag-1 correlation C_h(T, T−1)/√(C_h(T,T) C_h(T−1,T−1)).
    public private(set) var q = 0.0
    public private(set) var lagOneCorrelation = 0.0
    /// The mean update gate z (GRU) or forget gate f (LSTM) at that step.
    public private(set) var meanGate = 0.0
    public private(set) var units = Units(diagonal: [], gainSquared: [], couplingSquared: [])
    /// The steps the process ran (the transient, or `maxSteps` when the transient is longer).
    public private(set) var steps = 0

    /// The longest transient followed exactly; a longer one is taken as stationary by then.
    public static let maxSteps = 1000

    /// Runs the process for `steps` (≤ `maxSteps` is followed exactly) with `paths` sampled units.
    public init(_ spec: ModelSpec, steps: Int, paths: Int = 1500, seed: UInt64 = 0) throws {
        guard spec.kind == .gru || spec.kind == .lstm else {
            throw ComputeError.invalidArgument("the gated-map mean field is for the GRU and LSTM, not \(spec.kind.rawValue)")
        }
        guard spec.g > 0, spec.g.isFinite else { throw ComputeError.invalidArgument("the gain g must be positive (got \(spec.g))") }
        guard steps >= 0, paths >= 16 else {
            throw ComputeError.invalidArgument("the gated-map mean field needs steps ≥ 0 and at least 16 paths (got \(steps), \(paths))")
        }
        (kind, g, biasZ, biasR, biasF) = (spec.kind, spec.g, spec.biasZ, spec.biasR, spec.biasF)
        try run(steps: min(steps, Self.maxSteps), paths: paths, seed: seed)
    }

    private mutating func run(steps t1: Int, paths m: Int, seed: UInt64) throws {
        let fields = kind == .gru ? 3 : 4
        let cols = t1 + 1
        try Checked.hostMemory(try Checked.bytes(try Checked.product([fields + 3, m, cols], "the mean-field paths"), 8,
                                                 "the mean-field paths"), for: "the gated-map mean field")
        var h = PhiloxFill.normal(count: m, seed: seed, stream: PhiloxStreams.initialState(0)) as [Double]
        var c = kind == .lstm ? PhiloxFill.normal(count: m, seed: seed, stream: PhiloxStreams.initialState(1)) as [Double] : []
        // Q (orthonormal columns, M × cols) and R (cols × cols), column-major; ξ per field, M × cols.
        var q = [Double](repeating: 0, count: m * cols), r = [Double](repeating: 0, count: cols * cols)
        var xi = [[Double]](repeating: [], count: fields)
        for f in 0..<fields {
            xi[f] = PhiloxFill.normal(count: m * cols, seed: seed, stream: PhiloxStreams.perStep(f))
        }
        var u = [[Double]](repeating: [Double](repeating: 0, count: m), count: fields)
        var previous = h
        for t in 0...t1 {
            Self.orthogonalize(h, column: t, q: &q, r: &r, rows: m, cols: cols)
            // field_f(t) = (g/√M) Ξ_f[:, 0...t] R[0...t, t]  (GL3)
            for f in 0..<fields {
                xi[f].withUnsafeBufferPointer { x in
                    r.withUnsafeBufferPointer { rp in
                        u[f].withUnsafeMutableBufferPointer { y in
                            cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(m), Int32(t + 1), g / Double(m).squareRoot(),
                                        x.baseAddress, Int32(m), rp.baseAddress! + t * cols, 1, 0, y.baseAddress, 1)
                        }
                    }
                }
            }
            if t == t1 { break }
            previous = h
            step(&h, &c, u)
        }
        collect(h: h, previous: previous, c: c, u: u)
        steps = t1
    }

    /// Appends column `t` (the paths' h) to the QR factors by classical Gram–Schmidt applied twice.
    private static func orthogonalize(_ h: [Double], column t: Int, q: inout [Double], r: inout [Double], rows m: Int,
                                      cols: Int) {
        var v = h
        var coefficients = [Double](repeating: 0, count: max(t, 1))
        q.withUnsafeMutableBufferPointer { qp in
            v.withUnsafeMutableBufferPointer { vp in
                coefficients.withUnsafeMutableBufferPointer { cp in
                    for _ in 0..<(t > 0 ? 2 : 0) {
                        cblas_dgemv(CblasColMajor, CblasTrans, Int32(m), Int32(t), 1, qp.baseAddress, Int32(m),
                                    vp.baseAddress, 1, 0, cp.baseAddress, 1)
                        cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(m), Int32(t), -1, qp.baseAddress, Int32(m),
                                    cp.baseAddress, 1, 1, vp.baseAddress, 1)
                        for s in 0..<t { r[t * cols + s] += cp[s] }
                    }
                }
                let norm = cblas_dnrm2(Int32(m), vp.baseAddress, 1)
                // A column in the span of the earlier ones (a path at rest) adds no new direction.
                let scale = cblas_dnrm2(Int32(m), h, 1)
                r[t * cols + t] = norm > 1e-13 * scale ? norm : 0
                if norm > 1e-13 * scale {
                    for i in 0..<m { qp[m * t + i] = vp[i] / norm }
                }
            }
        }
    }

    /// One step of the single-site map with fields u (GRU: r, z, n; LSTM: i, f, g, o), docs/models.md.
    private func step(_ h: inout [Double], _ c: inout [Double], _ u: [[Double]]) {
        for p in h.indices {
            if kind == .gru {
                let r = GateFunction.sigma(u[0][p] + biasR), z = GateFunction.sigma(u[1][p] + biasZ)
                let n = Foundation.tanh(r * u[2][p])
                h[p] = (1 - z) * n + z * h[p]
            } else {
                let i = GateFunction.sigma(u[0][p]), f = GateFunction.sigma(u[1][p] + biasF)
                let gg = Foundation.tanh(u[2][p]), o = GateFunction.sigma(u[3][p])
                c[p] = f * c[p] + i * gg
                h[p] = o * Foundation.tanh(c[p])
            }
        }
    }

    /// The per-unit Jacobian quantities at the final state (GL5, GL6) and the summary statistics.
    private mutating func collect(h: [Double], previous: [Double], c: [Double], u: [[Double]]) {
        let m = Double(h.count)
        let hh = h.reduce(0) { $0 + $1 * $1 } / m, pp = previous.reduce(0) { $0 + $1 * $1 } / m
        let hp = zip(h, previous).reduce(0) { $0 + $1.0 * $1.1 } / m
        q = hh
        lagOneCorrelation = hh > 0 && pp > 0 ? hp / (hh * pp).squareRoot() : 0
        var d: [Double] = [], a2: [Double] = [], k2: [Double] = []
        for p in h.indices {
            if kind == .gru {
                let r = GateFunction.sigma(u[0][p] + biasR), z = GateFunction.sigma(u[1][p] + biasZ)
                let mm = u[2][p], n = Foundation.tanh(r * mm)
                let sn = TanhFamily.at(r * mm).s, rr = GateFunction.slope(u[0][p] + biasR), zz = GateFunction.slope(u[1][p] + biasZ)
                let w = (1 - z) * sn
                d.append(z)
                a2.append(w * w * (r * r + mm * mm * rr * rr) + (h[p] - n) * (h[p] - n) * zz * zz)
            } else {
                let i = GateFunction.sigma(u[0][p]), f = GateFunction.sigma(u[1][p] + biasF)
                let gg = Foundation.tanh(u[2][p]), o = GateFunction.sigma(u[3][p])
                let cNext = f * c[p] + i * gg, tc = Foundation.tanh(cNext)
                let slopeI = GateFunction.slope(u[0][p]), slopeF = GateFunction.slope(u[1][p] + biasF)
                let slopeG = TanhFamily.at(u[2][p]).s
                let e = o * TanhFamily.at(cNext).s, pOut = GateFunction.slope(u[3][p]) * tc
                let k = (c[p] * slopeF) * (c[p] * slopeF) + (gg * slopeI) * (gg * slopeI) + (i * slopeG) * (i * slopeG)
                d.append(f)
                a2.append(pOut * pOut)
                k2.append(e * e * k)
            }
        }
        meanGate = d.reduce(0, +) / m
        units = Units(diagonal: d, gainSquared: a2, couplingSquared: k2)
    }
}
