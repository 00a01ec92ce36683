/// Philox4x32-10 (Salmon et al., SC 2011), the CPU twin of kernels/philox.h.
/// Counter-based: any element of any stream is computed directly from (seed, stream, index).
public enum Philox {
    public static let m0: UInt32 = 0xD251_1F53
    public static let m1: UInt32 = 0xCD9E_8D57
    public static let w0: UInt32 = 0x9E37_79B9
    public static let w1: UInt32 = 0xBB67_AE85

    /// Ten rounds on a 4-word counter with a 2-word key (shared/docs/RANDOM.md; docs/random.md P1).
    @inlinable
    public static func block(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32))
        -> (UInt32, UInt32, UInt32, UInt32)
    {
        var c = counter
        var k = key
        for _ in 0..<10 {
            let p0 = UInt64(m0) &* UInt64(c.0)
            let p1 = UInt64(m1) &* UInt64(c.2)
            c = (UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k.0, UInt32(truncatingIfNeeded: p1),
                 UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k.1, UInt32(truncatingIfNeeded: p0))
            k.0 &+= w0
            k.1 &+= w1
        }
        return c
    }

    /// Block `index` of stream `stream`: counter (lo(index), hi(index), stream, 0),
    /// key (lo(seed), hi(seed)).
    @inlinable
    public static func block(seed: UInt64, stream: UInt32, index: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        block(counter: (UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32), stream, 0),
              key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
    }

    /// Uniform in (0, 1]: top 24 bits plus one, times 2^-24 (exact).
    @inlinable public static func unitFloat(_ w: UInt32) -> Float { Float((w >> 8) &+ 1) * 0x1.0p-24 }

    /// Uniform in (0, 1]: top 53 bits of (hi:lo) plus one, times 2^-53 (exact).
    @inlinable public static func unitDouble(_ hi: UInt32, _ lo: UInt32) -> Double {
        Double(((UInt64(hi) << 32 | UInt64(lo)) >> 11) &+ 1) * 0x1.0p-53
    }
}
