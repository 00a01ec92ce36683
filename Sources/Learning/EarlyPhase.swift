import Compute

/// Measurements of the early phase of training (docs/training.md N18): at chosen iterations t,
/// over the watched parameters (by default the prunable weights), the distance from the
/// reference weights w₀ (those at the probe's creation), ‖w_t − w₀‖₂ and ‖w_t − w₀‖₂/‖w₀‖₂,
/// the fraction of weights whose sign (−1, 0 or +1) differs from w₀'s, and the test accuracy.
public final class EarlyPhaseProbe<T: Scalar> {
    let params: [Parameter<T>]
    let reference: [[Double]]
    let referenceNorm: Double
    public private(set) var points: [EarlyPhasePoint] = []

    public init(_ params: [Parameter<T>]) throws {
        self.params = params
        reference = try params.map { try $0.value.toArray().map(\.double) }
        referenceNorm = reference.joined().reduce(0) { $0 + $1 * $1 }.squareRoot()
    }

    /// Measures the trainer's model now.
    public func measure(_ t: Trainer<T>) throws {
        var d2 = 0.0, flips = 0, count = 0
        for (p, w0) in zip(params, reference) {
            for (a, b) in zip(try p.value.toArray(), w0) {
                let x = a.double
                d2 += (x - b) * (x - b)
                if (x > 0, x < 0) != (b > 0, b < 0) { flips += 1 }
                count += 1
            }
        }
        let d = d2.squareRoot()
        points.append(EarlyPhasePoint(iteration: t.iteration, distance: d, relativeDistance: referenceNorm > 0 ? d / referenceNorm : 0,
                            signsChanged: count > 0 ? Double(flips) / Double(count) : 0,
                            testAccuracy: try t.evaluate(t.data.test).accuracy))
    }

    /// A hook measuring at every `every`-th iteration up to `until`.
    public func hook(until: Int, every: Int = 1) -> TrainHook<T> {
        .every(every, until: until) { [unowned self] t in try self.measure(t) }
    }
}

/// One measurement of `EarlyPhaseProbe`.
public struct EarlyPhasePoint: Codable, Sendable, Equatable {
    public var iteration: Int
    public var distance: Double, relativeDistance: Double
    public var signsChanged: Double
    public var testAccuracy: Double
}
