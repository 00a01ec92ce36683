import Compute

/// The foreground of an image as one [H, W] plane of 0s and 1s (docs/backgrounds.md BG1–BG3):
/// the positions where some channel exceeds `threshold`, dilated by `dilation` pixels in the
/// square (Chebyshev) neighbourhood.
public struct ForegroundMask: Codable, Sendable, Equatable {
    /// τ, on the samples' own scale (raw intensity for raw images; see `standardized`).
    public var threshold: Float
    /// r ≥ 0 pixels.
    public var dilation: Int

    /// τ = 0.05 on raw intensities in [0, 1], r = 1 (BG1, BG2).
    public static let standard = ForegroundMask(threshold: 0.05, dilation: 1)

    public init(threshold: Float, dilation: Int) { (self.threshold, self.dilation) = (threshold, dilation) }

    public func problem() -> String? {
        if !threshold.isFinite { return "the foreground threshold must be finite, got \(threshold)" }
        if dilation < 0 { return "the foreground dilation must be at least 0 pixels, got \(dilation)" }
        return nil
    }

    /// The same rule on samples standardised as (x − mean)·scale, scale > 0 (BG1): τ̃ = (τ − mean)·scale.
    public func standardized(mean: Float, scale: Float) -> ForegroundMask {
        ForegroundMask(threshold: (threshold - mean) * scale, dilation: dilation)
    }

    /// The mask of one [C, H, W] sample (BG1, BG2); all zeros when no pixel exceeds τ.
    public func mask(_ v: ArraySlice<Float>, c: Int, h: Int, w: Int) -> [Float] {
        let base = v.startIndex
        var bright = [Bool](repeating: false, count: h * w)
        for ch in 0..<c {
            for k in 0..<(h * w) where v[base + ch * h * w + k] > threshold { bright[k] = true }
        }
        guard dilation > 0 else { return bright.map { $0 ? 1 : 0 } }
        // Separable: a square neighbourhood is a row pass then a column pass.
        var rows = [Bool](repeating: false, count: h * w)
        for y in 0..<h {
            for x in 0..<w where bright[y * w + x] {
                for xx in max(0, x - dilation)...min(w - 1, x + dilation) { rows[y * w + xx] = true }
            }
        }
        var m = [Float](repeating: 0, count: h * w)
        for y in 0..<h {
            for x in 0..<w where rows[y * w + x] {
                for yy in max(0, y - dilation)...min(h - 1, y + dilation) { m[yy * w + x] = 1 }
            }
        }
        return m
    }

    public func mask(_ v: [Float], c: Int, h: Int, w: Int) -> [Float] { mask(v[...], c: c, h: h, w: w) }

    /// The masks of every image of `set`, count × H × W; an image with an empty mask is refused
    /// (BG3), naming it.
    public func masks(of set: Dataset) throws -> [Float] {
        if let p = problem() { throw ComputeError.invalidArgument(p) }
        let (c, h, w) = try Self.imageShape(set.sampleShape)
        let size = c * h * w, plane = h * w
        var out = [Float](repeating: 0, count: set.count * plane)
        for i in 0..<set.count {
            let sample = set.samples[(i * size)..<((i + 1) * size)]
            let m = mask(sample, c: c, h: h, w: w)
            guard m.contains(1) else {
                throw ComputeError.invalidArgument("image \(i) (label \(set.labels[i])) has no foreground: its largest value "
                    + "\(sample.max() ?? 0) is not above the threshold τ = \(threshold)")
            }
            out.replaceSubrange((i * plane)..<((i + 1) * plane), with: m)
        }
        return out
    }

    /// (C, H, W) of image samples, or an error naming the shape.
    static func imageShape(_ shape: [Int]) throws -> (Int, Int, Int) {
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw ComputeError.invalidArgument("backgrounds need [C, H, W] image samples, the data have \(shape)")
        }
        return (shape[0], shape[1], shape[2])
    }
}
