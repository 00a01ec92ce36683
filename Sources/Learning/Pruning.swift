import Compute

/// Magnitude pruning (docs/training.md N13): remove the fraction P of the weights still kept
/// that have the smallest |w|, over all pruned parameters together (global) or in each
/// separately (layer-wise). Ties break by position, so the masks are deterministic.
public enum MagnitudePruning {
    public enum Scope: String, Codable, Sendable, CaseIterable {
        case global, layerwise
    }

    /// The parameters pruned by default: every convolution and linear weight (not biases, not
    /// BatchNorm), the output layer's included unless `keepOutput`.
    public static func prunable<T>(_ params: [Parameter<T>], keepOutput: Bool = false) -> [Parameter<T>] {
        params.filter { $0.role == .weight && !(keepOutput && $0.isOutput) }
    }

    public static func checkFraction(_ p: Double) throws {
        guard p > 0, p < 1 else { throw ComputeError.invalidArgument("the prune fraction must be in (0, 1), got \(p)") }
    }

    /// New masks for `params` (in order): each keeps what its current mask keeps, less the
    /// ⌊P·kept⌉ smallest magnitudes of the pool (all of `params`, or each one).
    public static func masks<T>(_ params: [Parameter<T>], fraction: Double, scope: Scope) throws -> [[T]] {
        try checkFraction(fraction)
        var masks = try params.map { try $0.maskValues() }
        let values = try params.map { try $0.value.toArray() }
        let pools: [[Int]] = scope == .global ? [Array(params.indices)] : params.indices.map { [$0] }
        for pool in pools {
            var kept: [(magnitude: Double, param: Int, index: Int)] = []
            for pi in pool {
                for (i, m) in masks[pi].enumerated() where m == 1 { kept.append((abs(values[pi][i].double), pi, i)) }
            }
            let remove = Int((fraction * Double(kept.count)).rounded())
            kept.sort { ($0.magnitude, $0.param, $0.index) < ($1.magnitude, $1.param, $1.index) }
            for k in kept.prefix(remove) { masks[k.param][k.index] = 0 }
        }
        return masks
    }

    /// Sets the new masks (`masks`) on the parameters.
    public static func prune<T>(_ params: [Parameter<T>], fraction: Double, scope: Scope) throws {
        for (p, m) in zip(params, try masks(params, fraction: fraction, scope: scope)) { try p.setMask(m) }
    }

    /// The fraction of `params`' weights kept.
    public static func density<T>(_ params: [Parameter<T>]) throws -> Double {
        let total = params.reduce(0) { $0 + $1.value.count }
        return total == 0 ? 1 : Double(try params.reduce(0) { $0 + (try $1.keptCount()) }) / Double(total)
    }
}
