/// 2×2 max pooling with stride 2, the CNN's pooling, on one N·C plane: loops written so the
/// compiler keeps them free of branches (the forward pass) or that run four tiles at a time in
/// SIMD registers (the backward pass). Same rules as `CPUPool`: the first maximum in row-major
/// order (a, b over c, d), NaN wins and the first NaN is kept; an odd last row or column is
/// outside every tile.
enum Tile2 {
    /// y[oh, ow] = the tile's maximum. `wins` is one expression of selects, so this loop has
    /// no data-dependent branch.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func forward<T: Scalar>(_ x: UnsafeMutablePointer<T>, H: Int, W: Int, into y: UnsafeMutablePointer<T>) {
        let (oH, oW) = (H / 2, W / 2)
        for oh in 0..<oH {
            let r0 = x + 2 &* oh &* W, r1 = r0 + W, d = y + oh &* oW
            for ow in 0..<oW {
                let i = 2 &* ow
                var m = r0[i]
                let b = r0[i &+ 1], c = r1[i], e = r1[i &+ 1]
                m = wins(b, over: m) ? b : m
                m = wins(c, over: m) ? c : m
                m = wins(e, over: m) ? e : m
                d[ow] = m
            }
        }
    }

    /// dx = dy at each tile's first maximum, 0 at its other three pixels (and on an odd last
    /// row or column). Four tiles at a time compare with plain `>`, which is the order of
    /// `wins` when they hold no NaN; four with a NaN or an infinity, and the last tiles of a row, take the
    /// scalar loop of `argmax`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func backward<T: Scalar>(x: UnsafeMutablePointer<T>, _ dy: UnsafeMutablePointer<T>, H: Int, W: Int,
                                    into dx: UnsafeMutablePointer<T>) {
        let (oH, oW) = (H / 2, W / 2)
        if H != 2 * oH || W != 2 * oW { dx.update(repeating: 0, count: H * W) }
        let zero = SIMD4<T>(repeating: 0)
        for oh in 0..<oH {
            let r0 = x + 2 &* oh &* W, r1 = r0 + W, d0 = dx + 2 &* oh &* W, d1 = d0 + W, g = dy + oh &* oW
            // dy to the first maximum of tiles ow..<end, one at a time.
            func scalar(_ ow: Int, _ end: Int) {
                for ow in ow..<end {
                    let i = 2 &* ow, k = argmax(r0 + i, W), v = g[ow]
                    d0[i] = k == 0 ? v : 0
                    d0[i &+ 1] = k == 1 ? v : 0
                    d1[i] = k == 2 ? v : 0
                    d1[i &+ 1] = k == 3 ? v : 0
                }
            }
            var ow = 0
            while ow &+ 4 <= oW {
                defer { ow &+= 4 }
                let i = 2 &* ow
                let top = UnsafeRawPointer(r0 + i).loadUnaligned(as: SIMD8<T>.self)
                let bottom = UnsafeRawPointer(r1 + i).loadUnaligned(as: SIMD8<T>.self)
                // x − x is 0 unless x is NaN or infinite (a sum: SIMDMask's any() is slow here).
                if ((top - top) + (bottom - bottom)).sum() != 0 {
                    scalar(ow, ow &+ 4)
                    continue
                }
                let v = UnsafeRawPointer(g + ow).loadUnaligned(as: SIMD4<T>.self)
                let (a, b, c, e) = (top.evenHalf, top.oddHalf, bottom.evenHalf, bottom.oddHalf)
                // v to the first maximum: each later pixel that is larger takes it over.
                var m = a, ga = v, gb = zero, gc = zero, gd = zero
                let wb = b .> m
                m.replace(with: b, where: wb)
                ga.replace(with: zero, where: wb)
                gb.replace(with: v, where: wb)
                let wc = c .> m
                m.replace(with: c, where: wc)
                ga.replace(with: zero, where: wc)
                gb.replace(with: zero, where: wc)
                gc.replace(with: v, where: wc)
                let wd = e .> m
                ga.replace(with: zero, where: wd)
                gb.replace(with: zero, where: wd)
                gc.replace(with: zero, where: wd)
                gd.replace(with: v, where: wd)
                UnsafeMutableRawPointer(d0 + i).storeBytes(of: interleave(ga, gb), as: SIMD8<T>.self)
                UnsafeMutableRawPointer(d1 + i).storeBytes(of: interleave(gc, gd), as: SIMD8<T>.self)
            }
            scalar(ow, oW)
        }
    }

    /// v replaces the running maximum m: larger, or the first NaN.
    @inline(__always)
    static func wins<T: Scalar>(_ v: T, over m: T) -> Bool { v > m || v.isNaN && !m.isNaN }

    @inline(__always)
    static func interleave<T: Scalar>(_ p: SIMD4<T>, _ q: SIMD4<T>) -> SIMD8<T> {
        SIMD8(p[0], q[0], p[1], q[1], p[2], q[2], p[3], q[3])
    }

    /// The first maximum (NaN wins) of the tile at t (rows w apart), as k = 2·row + column.
    @inline(__always)
    static func argmax<T: Scalar>(_ t: UnsafeMutablePointer<T>, _ w: Int) -> Int {
        var k = 0, m = t[0]
        let (b, c, d) = (t[1], t[w], t[w &+ 1])
        if wins(b, over: m) { (k, m) = (1, b) }
        if wins(c, over: m) { (k, m) = (2, c) }
        if wins(d, over: m) { k = 3 }
        return k
    }
}
