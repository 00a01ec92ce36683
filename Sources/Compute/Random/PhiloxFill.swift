import OpenCLRuntime
import Foundation

/// Host fills with the element layout of kernels/random.cl (docs/random.md P4), so a (seed, stream) draws the
/// same numbers on every backend. `offset` counts Philox blocks, as in the kernels.
public enum PhiloxFill {
    public static func raw(count: Int, seed: UInt64, stream: UInt32, offset: UInt64 = 0) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: count)
        for b in 0..<(count + 3) / 4 {
            let w = Philox.block(seed: seed, stream: stream, index: offset &+ UInt64(b))
            let words = [w.0, w.1, w.2, w.3]
            for j in 0..<min(4, count - 4 * b) { out[4 * b + j] = words[j] }
        }
        return out
    }

    public static func uniform(count: Int, seed: UInt64, stream: UInt32, offset: UInt64 = 0) -> [Float] {
        raw(count: count, seed: seed, stream: stream, offset: offset).map(Philox.unitFloat)
    }

    public static func uniform(count: Int, seed: UInt64, stream: UInt32, offset: UInt64 = 0) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        for b in 0..<(count + 1) / 2 {
            let w = Philox.block(seed: seed, stream: stream, index: offset &+ UInt64(b))
            out[2 * b] = Philox.unitDouble(w.0, w.1)
            if 2 * b + 1 < count { out[2 * b + 1] = Philox.unitDouble(w.2, w.3) }
        }
        return out
    }

    /// Box–Muller on words (0, 1) of each block: two normals per block.
    public static func normal(count: Int, seed: UInt64, stream: UInt32, offset: UInt64 = 0) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        for b in 0..<(count + 1) / 2 {
            let w = Philox.block(seed: seed, stream: stream, index: offset &+ UInt64(b))
            let r = (-2 * Foundation.log(Philox.unitFloat(w.0))).squareRoot()
            let t = 6.28318530717958647692 as Float * Philox.unitFloat(w.1)
            out[2 * b] = r * Foundation.cos(t)
            if 2 * b + 1 < count { out[2 * b + 1] = r * Foundation.sin(t) }
        }
        return out
    }

    /// Box–Muller on the two 53-bit uniforms of each block: two normals per block.
    public static func normal(count: Int, seed: UInt64, stream: UInt32, offset: UInt64 = 0) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        for b in 0..<(count + 1) / 2 {
            let w = Philox.block(seed: seed, stream: stream, index: offset &+ UInt64(b))
            let r = (-2 * Foundation.log(Philox.unitDouble(w.0, w.1))).squareRoot()
            let t = 6.28318530717958647692 * Philox.unitDouble(w.2, w.3)
            out[2 * b] = r * Foundation.cos(t)
            if 2 * b + 1 < count { out[2 * b + 1] = r * Foundation.sin(t) }
        }
        return out
    }
}
