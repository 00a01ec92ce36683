import Compute
import Foundation

/// One step of a view's augmentation (docs/ssl.md S9), applied to one standardised
/// [C, H, W] sample; each takes its words of stream 8 in list order (`words`).
public enum ViewStep: Codable, Sendable, Equatable {
    /// Random resized crop: area fraction in [minScale, maxScale], aspect in [3/4, 4/3].
    case crop(minScale: Double, maxScale: Double)
    /// A horizontal flip with probability 1/2.
    case flip
    /// With this probability, contrast in [1 − c, 1 + c] and brightness in [−b, b] per channel.
    case jitter(brightness: Double, contrast: Double, probability: Double)
    /// With this probability, a Gaussian blur of σ in [minSigma, maxSigma].
    case blur(minSigma: Double, maxSigma: Double, probability: Double)

    /// The words of stream 8 it draws.
    public var words: Int {
        switch self {
        case .crop: 4
        case .flip: 1
        case .jitter: 3
        case .blur: 2
        }
    }

    public func problem() -> String? {
        switch self {
        case .crop(let lo, let hi) where !(lo > 0 && lo <= hi && hi <= 1):
            "a resized crop's area fractions must satisfy 0 < min ≤ max ≤ 1, got \(lo) and \(hi)"
        case .jitter(let b, let c, let p) where !(b >= 0 && b.isFinite && c >= 0 && c < 1 && p >= 0 && p <= 1):
            "jitter needs brightness ≥ 0, contrast in [0, 1) and a probability in [0, 1], got \(b), \(c), \(p)"
        case .blur(let lo, let hi, let p) where !(lo > 0 && lo <= hi && hi.isFinite && p >= 0 && p <= 1):
            "a view blur needs 0 < σmin ≤ σmax and a probability in [0, 1], got \(lo), \(hi), \(p)"
        default: nil
        }
    }

    /// Applies the step to `v` with its words `w` (count `words`).
    func apply(_ v: inout [Float], c: Int, h: Int, w: Int, words r: ArraySlice<UInt32>) {
        let b = r.startIndex
        func u(_ i: Int) -> Double { Double((r[b + i] >> 8) + 1) * 0x1p-24 }  // P3
        switch self {
        case .crop(let lo, let hi):
            let s = lo + (hi - lo) * u(0), rho = Foundation.exp(Foundation.log(0.75) + Foundation.log(16.0 / 9) * u(1))
            let area = s * Double(h * w)
            let cw = min(max(Int((area * rho).squareRoot().rounded()), 1), w)
            let ch = min(max(Int((area / rho).squareRoot().rounded()), 1), h)
            let x0 = Int(r[b + 2] % UInt32(w - cw + 1)), y0 = Int(r[b + 3] % UInt32(h - ch + 1))
            ViewOps.resizedCrop(&v, c: c, h: h, w: w, x0: x0, y0: y0, cropW: cw, cropH: ch)
        case .flip:
            if r[b] & 1 == 1 { ImageOps.flip(&v, c: c, h: h, w: w) }
        case .jitter(let bright, let contrast, let p):
            guard u(0) <= p else { return }
            ViewOps.jitter(&v, c: c, plane: h * w, contrast: 1 - contrast + 2 * contrast * u(1), brightness: bright * (2 * u(2) - 1))
        case .blur(let lo, let hi, let p):
            guard u(0) <= p else { return }
            ImageOps.blur(&v, c: c, h: h, w: w, sigma: lo + (hi - lo) * u(1))
        }
    }
}

/// The steps making one view of an image (S9); MoCo takes two views, each with its own words.
public struct ViewAugmentation: Codable, Sendable, Equatable {
    public var steps: [ViewStep]

    public init(steps: [ViewStep]) { self.steps = steps }

    /// crop(0.2, 1), flip, jitter(0.4, 0.4, 0.8), blur(0.1, 1, 0.5).
    public static let mocoV2 = ViewAugmentation(steps: [.crop(minScale: 0.2, maxScale: 1), .flip,
                                                        .jitter(brightness: 0.4, contrast: 0.4, probability: 0.8),
                                                        .blur(minSigma: 0.1, maxSigma: 1, probability: 0.5)])

    /// Words of stream 8 per view: four blocks.
    public static let wordsPerView = 16

    public func problem() -> String? {
        if steps.reduce(0, { $0 + $1.words }) > Self.wordsPerView {
            return "a view's steps draw more than \(Self.wordsPerView) words"
        }
        return steps.lazy.compactMap { $0.problem() }.first
    }

    /// View `view` (0 or 1) of sample `index` of `count` in `epoch`, from its 16 words of stream 8
    /// at block 4((e n + i) 2 + v).
    public func apply(_ v: inout [Float], shape: [Int], seed: UInt64, epoch: Int, index: Int, count: Int, view: Int) {
        let block = 4 * ((UInt64(epoch) * UInt64(count) + UInt64(index)) * 2 + UInt64(view))
        let words = PhiloxFill.raw(count: Self.wordsPerView, seed: seed, stream: SSLStreams.views, offset: block)
        var at = 0
        for step in steps {
            step.apply(&v, c: shape[0], h: shape[1], w: shape[2], words: words[at..<(at + step.words)])
            at += step.words
        }
    }
}

/// The image operations the views add to `ImageOps`, on one [C, H, W] sample.
public enum ViewOps {
    /// The window [y0, y0 + cropH) × [x0, x0 + cropW) resized to H × W bilinearly, sample centres
    /// aligned (source coordinate (x + ½)·cropW/W − ½), edges clamped.
    public static func resizedCrop(_ v: inout [Float], c: Int, h: Int, w: Int, x0: Int, y0: Int, cropW: Int, cropH: Int) {
        let src = v
        let sx = Double(cropW) / Double(w), sy = Double(cropH) / Double(h)
        for y in 0..<h {
            let fy = min(max((Double(y) + 0.5) * sy - 0.5, 0), Double(cropH - 1))
            let iy = Int(fy), ty = Float(fy - Double(iy)), iy1 = min(iy + 1, cropH - 1)
            for x in 0..<w {
                let fx = min(max((Double(x) + 0.5) * sx - 0.5, 0), Double(cropW - 1))
                let ix = Int(fx), tx = Float(fx - Double(ix)), ix1 = min(ix + 1, cropW - 1)
                for ch in 0..<c {
                    func at(_ yy: Int, _ xx: Int) -> Float { src[(ch * h + y0 + yy) * w + x0 + xx] }
                    let top = at(iy, ix) * (1 - tx) + at(iy, ix1) * tx
                    let bottom = at(iy1, ix) * (1 - tx) + at(iy1, ix1) * tx
                    v[(ch * h + y) * w + x] = top * (1 - ty) + bottom * ty
                }
            }
        }
    }

    /// x ← (x − x̄)·contrast + x̄ + brightness per channel, x̄ the channel's mean.
    public static func jitter(_ v: inout [Float], c: Int, plane: Int, contrast: Double, brightness: Double) {
        for ch in 0..<c {
            let range = (ch * plane)..<((ch + 1) * plane)
            let mean = v[range].reduce(0.0) { $0 + Double($1) } / Double(plane)
            for i in range { v[i] = Float((Double(v[i]) - mean) * contrast + mean + brightness) }
        }
    }
}
