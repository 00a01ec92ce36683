import Compute
import Foundation

/// The predicted eigenvalue support of a model's Jacobian (docs/theory.md T11, T13), for
/// `gpurun spectrum`'s rate-jacobian and gated-jacobian ensembles and `gpurun theory`:
/// - rate network: the eigenvalues of the flow Jacobian −I + J diag(φ') lie in the disc of centre
///   −1 and radius g √E[φ'(√Δ0 z)²] (Δ0 of the DMFT; = g below the transition, where h = 0); their
///   density is uniform only where φ' is constant (h = 0) and thins towards the edge otherwise;
/// - gated RNN: the h block Σ_z(−I + J^h diag(σ_r φ')) fills {λ : g_h² ⟨σ_z² σ_r² φ'²/|λ+σ_z|²⟩ ≥ 1},
///   averaged over unit samples of a trajectory, or at the zero fixed point the disc of centre
///   −σ_z(0) and radius g_h σ_z(0) σ_r(0); the z and r blocks add −1/τ_z and −1/τ_r (N each);
///   the slow modes are the fraction of units with σ_z < `slowModeThreshold`.
/// `matrix` says which matrix the numbers describe: the flow Jacobian A, or one step's tangent
/// map M (Euler: M = I + δA, so the disc moves to 1 + δc and scales by δ; RK4: m(δA), drawn by
/// mapping the boundary), or a map's own one-step Jacobian (GRU, LSTM: no mapping).
public struct JacobianSpectrumTheory: Codable, Sendable {
    public enum Matrix: String, Codable, Sendable {
        case flow, step
        /// The one-step Jacobian of a map (GRU, LSTM); coordinates are the map's own.
        case map
    }

    public var model: String
    public var matrix: Matrix
    public var integrator: Integrator
    public var dt: Double
    /// What the support is computed from: "DMFT", "zero fixed point", "trajectory samples".
    public var source: String
    public var description: String
    /// The disc, when the support is one (in `matrix` coordinates; nil for RK4 steps).
    public var discCenter: Double?
    public var discRadius: Double?
    /// Closed boundary curves, each a list of [re, im] (in `matrix` coordinates).
    public var boundary: [[[Double]]]
    /// Eigenvalues outside the h block with their fractions of the spectrum (gated: −1/τ_z, −1/τ_r).
    public var pointMasses: [StableSpectrum.PointMass]
    /// The largest real part of the support (with point masses), in `matrix` coordinates.
    public var rightEdge: Double
    public var slowModeFraction: Double?
    public var slowModeThreshold: Double?
    /// Maps (GRU, LSTM): the largest |λ| of the support (1 is marginal stability), and the
    /// predicted fraction of eigenvalues within `slowModes.radius` of 1 (docs/theory-gru-lstm.md GL11).
    public var spectralRadius: Double?
    public var slowModes: SlowModes?

    public struct SlowModes: Codable, Sendable {
        public var radius: Double
        public var fraction: Double
    }

    /// The support in flow coordinates, for membership tests (not encoded).
    var support: JacobianSupport?

    enum CodingKeys: String, CodingKey {
        case model, matrix, integrator, dt, source, description, discCenter, discRadius, boundary, pointMasses,
             rightEdge, slowModeFraction, slowModeThreshold, spectralRadius, slowModes
    }

    /// Builds the description in `matrix` coordinates from the flow-coordinate support.
    init(model: String, matrix: Matrix, integrator: Integrator, dt: Double, source: String, support: JacobianSupport,
         disc: (center: Double, radius: Double)?, pointMasses: [StableSpectrum.PointMass], slowThreshold: Double?) {
        self.model = model
        self.matrix = matrix
        self.integrator = integrator
        self.dt = dt
        self.source = source
        self.support = support
        func map(_ re: Double, _ im: Double) -> [Double] {
            if matrix != .step { return [re, im] }
            let m = integrator.amplification(re: dt * re, im: dt * im)
            return [m.re, m.im]
        }
        if let d = disc {
            let circle = (0...256).map { k -> [Double] in
                let th = 2 * Double.pi * Double(k) / 256
                return [d.center + d.radius * cos(th), d.radius * sin(th)]
            }
            boundary = [circle.map { map($0[0], $0[1]) }]
        } else {
            boundary = support.boundary().curves.map { $0.map { map($0[0], $0[1]) } }
        }
        if let d = disc, matrix != .step || integrator == .euler {
            (discCenter, discRadius) = matrix != .step ? (d.center, d.radius) : (1 + dt * d.center, dt * d.radius)
        }
        self.pointMasses = pointMasses.map { .init(eigenvalue: map($0.eigenvalue, 0)[0], weight: $0.weight) }
        rightEdge = (boundary.joined().map { $0[0] } + self.pointMasses.map(\.eigenvalue)).max() ?? 0
        if matrix == .map {
            spectralRadius = (boundary.joined().map { ($0[0] * $0[0] + $0[1] * $0[1]).squareRoot() }
                + self.pointMasses.map { Swift.abs($0.eigenvalue) }).max()
        }
        if let t = slowThreshold {
            slowModeThreshold = t
            slowModeFraction = support.slowModeFraction(threshold: t)
        }
        let shape: String
        if let c = discCenter, let r = discRadius {
            shape = "disc of centre \(short(c)) and radius \(short(r))"
        } else {
            shape = "\(boundary.count) region(s) reaching Re λ = \(short(rightEdge))"
        }
        let what = switch matrix {
        case .flow: "flow Jacobian"
        case .step: "step tangent map"
        case .map: "one-step Jacobian"
        }
        description = "\(model) \(what) (\(source)): \(shape)"
    }

    /// Whether an eigenvalue lies in the predicted support (flow coordinates, or Euler steps
    /// mapped back; RK4 steps are not invertible and count as inside). A point mass counts
    /// within 1e-6 of its place.
    public func contains(re: Double, im: Double) -> Bool {
        var (x, y) = (re, im)
        if matrix == .step {
            guard integrator == .euler else { return true }
            (x, y) = ((re - 1) / dt, im / dt)
        }
        if pointMasses.contains(where: { Swift.abs($0.eigenvalue - re) <= 1e-6 * max(1, Swift.abs(re)) && Swift.abs(im) < 1e-6 }) {
            return true
        }
        return support?.contains(re: x, im: y) ?? true
    }

    /// Simulation against theory: the fraction of eigenvalues outside the support, and the
    /// rightmost real parts.
    public func compare(re: [Double], im: [Double]) -> Comparison {
        let outside = zip(re, im).filter { !contains(re: $0, im: $1) }.count
        let right = re.max() ?? .nan
        var c = Comparison(fractionOutside: Double(outside) / Double(max(re.count, 1)), simulatedRightEdge: right,
                           theoryRightEdge: rightEdge, rightEdgeGap: right - rightEdge)
        if spectralRadius != nil {
            c.simulatedSpectralRadius = zip(re, im).map { ($0 * $0 + $1 * $1).squareRoot() }.max()
        }
        if let slow = slowModes {
            let near = zip(re, im).filter { (($0 - 1) * ($0 - 1) + $1 * $1).squareRoot() <= slow.radius }.count
            c.simulatedSlowModeFraction = Double(near) / Double(max(re.count, 1))
        }
        return c
    }

    public struct Comparison: Codable, Sendable {
        public var fractionOutside: Double
        public var simulatedRightEdge: Double
        public var theoryRightEdge: Double
        /// simulated − theory.
        public var rightEdgeGap: Double
        /// Maps: the largest simulated |λ| (theory: `spectralRadius`).
        public var simulatedSpectralRadius: Double?
        /// Maps with a law: the simulated fraction within `slowModes.radius` of 1.
        public var simulatedSlowModeFraction: Double?
    }

    /// Draws the boundary (and point masses) on a complex-plane plot.
    public func draw(on plot: inout SVGPlot, color: String = SVGPlot.palette[1]) {
        for (i, curve) in boundary.enumerated() {
            plot.line(curve.map { $0[0] }, curve.map { $0[1] }, name: i == 0 ? "theory: \(source)" : nil, color: color)
        }
        if !pointMasses.isEmpty {
            plot.scatter(pointMasses.map(\.eigenvalue), pointMasses.map { _ in 0 }, name: "theory: point masses",
                         color: color, radius: 5, opacity: 1)
        }
    }
}

/// A number in four significant digits, for descriptions.
func short(_ v: Double) -> String { String(format: "%.4g", v) }
