/// Foreground over background with a hard mask (docs/backgrounds.md BG10).
public enum Compositing {
    /// x' = m⊙x + (1 − m)⊙b for one [C, H, W] sample, the [H, W] mask `m` applied to every
    /// channel; foreground pixels (m = 1) are copied exactly.
    public static func composite(_ x: ArraySlice<Float>, mask m: ArraySlice<Float>, background b: [Float]) -> [Float] {
        let plane = m.count
        var out = [Float](repeating: 0, count: x.count)
        for k in 0..<x.count {
            let mk = m[m.startIndex + k % plane]
            out[k] = mk == 1 ? x[x.startIndex + k] : mk == 0 ? b[k] : mk * x[x.startIndex + k] + (1 - mk) * b[k]
        }
        return out
    }

    /// The background removed: m⊙x + (1 − m)·level, a constant level (0 for ONLY_FG, BG12; ½ for BG_RM, BG14).
    public static func constant(_ x: ArraySlice<Float>, mask m: ArraySlice<Float>, level: Float) -> [Float] {
        composite(x, mask: m, background: [Float](repeating: level, count: x.count))
    }
}
