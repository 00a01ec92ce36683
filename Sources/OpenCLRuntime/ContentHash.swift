/// FNV-1a, 64 bits: the content hash of the kernel cache's entries and of checkpoint manifests
/// (it detects damage and mix-ups, not tampering).
public enum ContentHash {
    public static let basis: UInt64 = 0xcbf2_9ce4_8422_2325

    public static func fnv1a64<S: Sequence<UInt8>>(_ bytes: S, basis: UInt64 = basis) -> UInt64 {
        var h = basis
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// The hash as 16 hexadecimal digits.
    public static func hex<S: Sequence<UInt8>>(_ bytes: S) -> String {
        let s = String(fnv1a64(bytes), radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
