import Compute
import Foundation

/// Transformations of the training data (docs/training.md N14), drawn from Philox so both
/// engines see the same batches and a resumed run the same ones (docs/random.md P7).
/// Test data are never transformed.
public enum Augmentation: Codable, Sendable, Equatable {
    /// A random crop of the image padded by `padding` zeros (the standardised mean) on each side.
    case crop(padding: Int)
    /// A horizontal flip with probability 1/2.
    case flip
    /// A Gaussian blur of standard deviation `sigma` pixels (deterministic).
    case blur(sigma: Double)
    /// This fraction of the training labels replaced, once for the run, by uniform random classes.
    case randomLabels(fraction: Double)
    /// BG_RM, BG_Random or BG_Swaps (docs/backgrounds.md BG13–BG15), before the others.
    case background(BackgroundAugmentation)

    /// "crop:PAD", "flip", "blur:SIGMA", "random-labels:FRACTION", "bg-rm:P", "bg-random:P" or "bg-swaps:P".
    public init(parsing s: String) throws {
        if s.hasPrefix("bg-") {
            self = .background(try BackgroundAugmentation(parsing: s))
            return
        }
        let parts = s.split(separator: ":", maxSplits: 1).map(String.init)
        let arg = parts.count == 2 ? Double(parts[1]) : nil
        switch (parts[0], arg) {
        case ("flip", _) where parts.count == 1: self = .flip
        case ("crop", let v?) where v == v.rounded(): self = .crop(padding: Int(v))
        case ("blur", let v?): self = .blur(sigma: v)
        case ("random-labels", let v?): self = .randomLabels(fraction: v)
        default:
            throw ComputeError.invalidArgument("an augmentation is crop:PAD, flip, blur:SIGMA, random-labels:FRACTION, bg-rm:P, "
                + "bg-random:P or bg-swaps:P, got '\(s)'")
        }
        if let p = problem() { throw ComputeError.invalidArgument(p) }
    }

    public var description: String {
        switch self {
        case .crop(let p): "crop:\(p)"
        case .flip: "flip"
        case .blur(let s): "blur:\(s)"
        case .randomLabels(let f): "random-labels:\(f)"
        case .background(let b): b.description
        }
    }

    public func problem() -> String? {
        switch self {
        case .crop(let p) where p < 1: "the crop padding must be at least 1 pixel, got \(p)"
        case .blur(let s) where !(s > 0) || !s.isFinite: "the blur σ must be positive, got \(s)"
        case .randomLabels(let f) where !(f > 0 && f <= 1): "the random-label fraction must be in (0, 1], got \(f)"
        case .background(let b): b.problem()
        default: nil
        }
    }

    /// Whether it transforms images (and so needs [C, H, W] samples).
    var needsImages: Bool { if case .randomLabels = self { false } else { true } }
}

/// The host-side image operations of augmentations and pre-training, on one [C, H, W] sample.
public enum ImageOps {
    /// out[c, y, x] = in[c, y + dy − pad, x + dx − pad], 0 outside; dx, dy in 0...2·pad.
    public static func crop(_ v: inout [Float], c: Int, h: Int, w: Int, pad: Int, dx: Int, dy: Int) {
        let src = v
        for ch in 0..<c {
            for y in 0..<h {
                for x in 0..<w {
                    let sy = y + dy - pad, sx = x + dx - pad
                    v[(ch * h + y) * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[(ch * h + sy) * w + sx] : 0
                }
            }
        }
    }

    public static func flip(_ v: inout [Float], c: Int, h: Int, w: Int) {
        for row in 0..<(c * h) { v[(row * w)..<(row * w + w)].reverse() }
    }

    /// A separable Gaussian blur (radius ⌈3σ⌉, weights normalised, edges clamped).
    public static func blur(_ v: inout [Float], c: Int, h: Int, w: Int, sigma: Double) {
        let r = Int((3 * sigma).rounded(.up))
        let raw = (-r...r).map { Foundation.exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = raw.reduce(0, +)
        let k = raw.map { Float($0 / total) }
        func pass(_ along: (Int, Int) -> Int, _ n: Int, _ lines: Int) {
            let src = v
            for line in 0..<lines {
                for i in 0..<n {
                    var s: Float = 0
                    for (j, kj) in k.enumerated() { s += kj * src[along(line, min(max(i + j - r, 0), n - 1))] }
                    v[along(line, i)] = s
                }
            }
        }
        pass({ line, i in line * w + i }, w, c * h)  // rows
        pass({ line, i in ((line / w) * h + i) * w + line % w }, h, c * w)  // columns
    }

    /// Rotation by k quarter turns counter-clockwise of square images.
    public static func rotate(_ v: inout [Float], c: Int, n: Int, quarterTurns k: Int) {
        let src = v
        for ch in 0..<c {
            for y in 0..<n {
                for x in 0..<n {
                    let (sy, sx): (Int, Int)
                    switch k % 4 {
                    case 1: (sy, sx) = (x, n - 1 - y)
                    case 2: (sy, sx) = (n - 1 - y, n - 1 - x)
                    case 3: (sy, sx) = (n - 1 - x, y)
                    default: (sy, sx) = (y, x)
                    }
                    v[(ch * n + y) * n + x] = src[(ch * n + sy) * n + sx]
                }
            }
        }
    }
}
