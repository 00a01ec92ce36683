import Compute
import Foundation

/// Work done at chosen iterations of a run (docs/training.md N15): evaluate, save, measure.
/// A hook fires after the step that completes iteration t when `fires(t)`, and at t = 0 before
/// the first step of a fresh run (after any pre-training); its time is not counted as training.
public struct TrainHook<T: Scalar> {
    public var fires: (Int) -> Bool
    public var action: (Trainer<T>) throws -> Void

    public init(fires: @escaping (Int) -> Bool, action: @escaping (Trainer<T>) throws -> Void) {
        (self.fires, self.action) = (fires, action)
    }

    /// At the iterations listed.
    public static func at(_ iterations: Set<Int>, _ action: @escaping (Trainer<T>) throws -> Void) -> Self {
        Self(fires: { iterations.contains($0) }, action: action)
    }

    /// At every n-th iteration (0, n, 2n, ...), while t ≤ `until` when given.
    public static func every(_ n: Int, until: Int? = nil, _ action: @escaping (Trainer<T>) throws -> Void) -> Self {
        Self(fires: { $0 % max(n, 1) == 0 && $0 <= (until ?? .max) }, action: action)
    }

    /// Test accuracy and loss at every n-th iteration, handed to `record` with the iteration.
    public static func evaluate(every n: Int, until: Int? = nil,
                                _ record: @escaping (_ iteration: Int, _ accuracy: Double, _ loss: Double) -> Void) -> Self {
        every(n, until: until) { t in
            let r = try t.evaluate(t.data.test)
            record(t.iteration, r.accuracy, r.loss)
        }
    }

    /// A checkpoint DIR/checkpoint-t at each listed iteration t (TrainCheckpoint).
    public static func save(at iterations: Set<Int>, to dir: URL, written: @escaping (URL) -> Void = { _ in }) -> Self {
        at(iterations) { t in
            let url = dir.appendingPathComponent("checkpoint-\(t.iteration)")
            try TrainCheckpoint.save(t, to: url)
            written(url)
        }
    }
}
