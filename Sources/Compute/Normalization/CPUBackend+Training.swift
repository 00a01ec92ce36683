import OpenCLRuntime
import Foundation

/// The CPU twins of kernels/train.cl: per-plane sums in Double (the kernels' ACC on fp64
/// devices; eight partial sums here, one running sum there, so the two agree to rounding), then
/// a sum over the batch in order.
extension CPUBackend {
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func batchNormStatistics<T: Scalar>(_ x: Tensor<T>, channels: Int, spatial: Int, mean: Tensor<T>,
                                               variance: Tensor<T>) throws {
        let n = try checkBatchNorm("batchNormStatistics", x: x, others: [], perChannel: [mean, variance],
                                   channels: channels, spatial: spatial)
        let px = ptr(x), pm = ptr(mean), pv = ptr(variance)
        let (c, s) = (channels, spatial)
        let m = Double(n * s)
        let a = CPUTraining.Scratch(n * c)
        CPUTraining.planes(n: n, c: c) { i in a.p[i] = CPUTraining.sum(px + i * s, s, shift: 0) }
        for ch in 0..<c { pm[ch] = T(CPUTraining.columnSum(a, n: n, c: c, ch) / m) }
        CPUTraining.planes(n: n, c: c) { i in a.p[i] = CPUTraining.sumSquares(px + i * s, s, shift: pm[i % c].double) }
        for ch in 0..<c { pv[ch] = T(CPUTraining.columnSum(a, n: n, c: c, ch) / m) }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func batchNormForward<T: Scalar>(_ x: Tensor<T>, mean: Tensor<T>, variance: Tensor<T>, gamma: Tensor<T>,
                                            beta: Tensor<T>, eps: Double, channels: Int, spatial: Int,
                                            into y: Tensor<T>) throws {
        let n = try checkBatchNorm("batchNormForward", x: x, others: [y], perChannel: [mean, variance, gamma, beta],
                                   channels: channels, spatial: spatial)
        let px = ptr(x), py = ptr(y), pm = ptr(mean), pv = ptr(variance), pg = ptr(gamma), pb = ptr(beta)
        let (c, s, e) = (channels, spatial, T(eps))
        CPUTraining.planes(n: n, c: c) { i in
            let ch = i % c
            let invstd = 1 / (pv[ch] + e).squareRoot()
            let (mu, g, b) = (pm[ch], pg[ch], pb[ch])
            let src = px + i * s, dst = py + i * s
            for j in 0..<s { dst[j] = g * ((src[j] - mu) * invstd) + b }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func batchNormBackward<T: Scalar>(_ x: Tensor<T>, _ dy: Tensor<T>, mean: Tensor<T>, variance: Tensor<T>,
                                             gamma: Tensor<T>, eps: Double, channels: Int, spatial: Int, dx: Tensor<T>,
                                             dgamma: Tensor<T>, dbeta: Tensor<T>) throws {
        let n = try checkBatchNormBackward(x: x, dy: dy, dx: dx, perChannel: [mean, variance, gamma, dgamma, dbeta],
                                           channels: channels, spatial: spatial)
        let px = ptr(x), pdy = ptr(dy), pdx = ptr(dx), pm = ptr(mean), pv = ptr(variance), pg = ptr(gamma)
        let pdg = ptr(dgamma), pdb = ptr(dbeta)
        let (c, s, e) = (channels, spatial, T(eps))
        let a = CPUTraining.Scratch(n * c), b = CPUTraining.Scratch(n * c)
        CPUTraining.planes(n: n, c: c) { i in
            (a.p[i], b.p[i]) = CPUTraining.gradientSums(px + i * s, pdy + i * s, s, shift: pm[i % c].double)
        }
        for ch in 0..<c {
            let invstd = 1 / (pv[ch] + e).squareRoot()
            pdb[ch] = T(CPUTraining.columnSum(a, n: n, c: c, ch))
            pdg[ch] = T(CPUTraining.columnSum(b, n: n, c: c, ch)) * invstd
        }
        let m = T(Double(n * s))
        CPUTraining.planes(n: n, c: c) { i in
            let ch = i % c
            let invstd = 1 / (pv[ch] + e).squareRoot()
            let (mu, k, db, dg) = (pm[ch], pg[ch] * invstd, pdb[ch] / m, pdg[ch] / m)
            let p = px + i * s, g = pdy + i * s, out = pdx + i * s
            for j in 0..<s { out[j] = k * (g[j] - db - (p[j] - mu) * invstd * dg) }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func softmaxCrossEntropy<T: Scalar>(_ logits: Tensor<T>, labels: Tensor<T>, loss: Tensor<T>,
                                               correct: Tensor<T>, gradient: Tensor<T>?, gradScale: T) throws {
        let (n, k) = try checkSoftmax(logits, labels: labels, loss: loss, correct: correct, gradient: gradient)
        let pz = ptr(logits), pl = ptr(labels), ploss = ptr(loss), pc = ptr(correct)
        let pg = gradient.map { ptr($0) }
        let scale = gradScale.double
        for r in 0..<n {
            let row = pz + r * k
            var m = row[0], arg = 0
            for j in 1..<max(k, 1) where row[j] > m {
                m = row[j]
                arg = j
            }
            var s = 0.0
            for j in 0..<k { s += Double.exp((row[j] - m).double) }
            let y = Int(pl[r].double)
            ploss[r] = T(Double.log(s) - (row[y] - m).double)
            pc[r] = arg == y ? 1 : 0
            if let pg {
                let g = pg + r * k
                for j in 0..<k { g[j] = T((Double.exp((row[j] - m).double) / s - (j == y ? 1 : 0)) * scale) }
            }
        }
    }
}

/// Loops of the CPU training ops.
enum CPUTraining {
    /// body(i) for each plane i = n·C + c, over two threads when there is enough work.
    static func planes(n: Int, c: Int, _ body: (Int) -> Void) { planes(count: n * c, body) }

    /// body(i) for i in 0..<count (independent planes, also of pooling), in two halves run
    /// concurrently when there are at least 64.
    static func planes(count: Int, _ body: (Int) -> Void) {
        if count < 64 {
            for i in 0..<count { body(i) }
            return
        }
        let parts = 2
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let task = body
            DispatchQueue.concurrentPerform(iterations: parts) { t in
                for i in (t * count / parts)..<((t + 1) * count / parts) { task(i) }
            }
        }
    }

    /// Per-plane partial sums; workers write disjoint elements.
    final class Scratch {
        let p: UnsafeMutablePointer<Double>
        init(_ count: Int) {
            p = .allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
        }
        deinit { p.deallocate() }
    }

    /// Σ (x − shift) over n values, in eight partial sums (two SIMD registers of four lanes:
    /// independent additions the CPU overlaps).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func sum<T: Scalar>(_ x: UnsafeMutablePointer<T>, _ n: Int, shift: Double) -> Double {
        laneSum(x, n, shift: shift) { $0 } scalar: { $0 }
    }

    /// Σ (x − shift)².
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func sumSquares<T: Scalar>(_ x: UnsafeMutablePointer<T>, _ n: Int, shift: Double) -> Double {
        laneSum(x, n, shift: shift) { $0 * $0 } scalar: { $0 * $0 }
    }

    /// Σ f(x − shift) in eight lanes, then the lanes' sum and the last n mod 8 values in order.
    @inline(__always)
    static func laneSum<T: Scalar>(_ x: UnsafeMutablePointer<T>, _ n: Int, shift: Double,
                                   _ f: (SIMD4<Double>) -> SIMD4<Double>, scalar: (Double) -> Double) -> Double {
        var (a0, a1) = (SIMD4<Double>(), SIMD4<Double>())
        let s = SIMD4<Double>(repeating: shift)
        var j = 0
        while j &+ 8 <= n {
            a0 += f(wide(x + j) - s)
            a1 += f(wide(x + (j &+ 4)) - s)
            j &+= 8
        }
        var total = (a0 + a1).sum()
        while j < n {
            total += scalar(x[j].double - shift)
            j &+= 1
        }
        return total
    }

    /// (Σ g, Σ g (x − shift)), in eight lanes each.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func gradientSums<T: Scalar>(_ x: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>, _ n: Int,
                                        shift: Double) -> (Double, Double) {
        var (a0, a1, b0, b1) = (SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>())
        let s = SIMD4<Double>(repeating: shift)
        var j = 0
        while j &+ 8 <= n {
            let (g0, g1) = (wide(g + j), wide(g + (j &+ 4)))
            a0 += g0
            a1 += g1
            b0 += g0 * (wide(x + j) - s)
            b1 += g1 * (wide(x + (j &+ 4)) - s)
            j &+= 8
        }
        var (ta, tb) = ((a0 + a1).sum(), (b0 + b1).sum())
        while j < n {
            ta += g[j].double
            tb += g[j].double * (x[j].double - shift)
            j &+= 1
        }
        return (ta, tb)
    }

    /// Four values from p, widened to Double.
    @inline(__always)
    static func wide<T: Scalar>(_ p: UnsafeMutablePointer<T>) -> SIMD4<Double> {
        SIMD4<Double>(UnsafeRawPointer(p).loadUnaligned(as: SIMD4<T>.self))
    }

    /// Σ_n a[n·C + ch], in order of n.
    static func columnSum(_ a: Scratch, n: Int, c: Int, _ ch: Int) -> Double {
        var s = 0.0
        for i in 0..<n { s += a.p[i * c + ch] }
        return s
    }
}
