import Compute
import Foundation

/// The Philox streams of backgrounds under the run's seed (docs/random.md P9).
public enum BackgroundStreams {
    /// The cluttered data set and the Backgrounds Challenge: unit i (training image i), 2³² + i (test image i).
    public static let cluttered: UInt32 = 10
    /// Background augmentations: unit 2(e·n + i) + v.
    public static let augment: UInt32 = 11
    /// The first unit of the test set on the cluttered stream (BG11).
    public static let testUnitBase: UInt64 = 1 << 32

    /// The unit of view `view` of sample `sample` of `count` in `epoch` (BG13).
    public static func augmentationUnit(epoch: Int, sample: Int, count: Int, view: Int) -> UInt64 {
        2 &* (UInt64(epoch) &* UInt64(count) &+ UInt64(sample)) &+ UInt64(view)
    }
}

/// The words of one Philox unit (docs/backgrounds.md BG4): twelve parameter words, then one
/// noise word per pixel of a [C, H, W] image.
public struct BackgroundDraws: Sendable, Equatable {
    public var parameters: [UInt32]
    public var noise: [UInt32]

    public static func blocks(pixels: Int) -> UInt64 { UInt64(3 + (pixels + 3) / 4) }

    public init(seed: UInt64, stream: UInt32, unit: UInt64, pixels: Int) {
        let n = Self.blocks(pixels: pixels)
        let words = PhiloxFill.raw(count: Int(4 * n), seed: seed, stream: stream, offset: unit &* n)
        parameters = Array(words[0..<12])
        noise = Array(words[12..<(12 + pixels)])
    }

    /// The float32 uniform in (0, 1] of a word (docs/random.md P3).
    static func u(_ w: UInt32) -> Double { Double(Philox.unitFloat(w)) }

    /// Whether an augmentation of probability `p` applies (BG13).
    public func applies(probability p: Double) -> Bool { Self.u(parameters[0]) <= p }

    /// The `k`-th of `candidates` others than `own` in 0..<n: j' = k mod (n − 1), j = j' + [j' ≥ own] (BG8, BG15).
    static func other(_ k: UInt32, own: Int, count n: Int) -> Int {
        let j = Int(k % UInt32(n - 1))
        return j >= own ? j + 1 : j
    }
}

/// The procedural background families (docs/backgrounds.md BG5–BG9).
public enum TextureFamily: String, Codable, Sendable, CaseIterable {
    case noise, grating, checkerboard, crop
}

/// A background texture of a [C, H, W] image and the parameters it was drawn with.
public struct BackgroundTexture: Sendable {
    public var family: TextureFamily
    /// [C, H, W] values.
    public var values: [Float]
    /// Grating: θ (radians), period P (pixels), phase φ, contrast κ (BG6).
    public var orientation = 0.0, period = 0.0, phase = 0.0, contrast = 0.0
    /// Checkerboard: cell size s, offsets (o_x, o_y), levels (a, a′) (BG7).
    public var cell = 0, offset = (x: 0, y: 0), levels: (Float, Float) = (0, 0)
    /// Crop: the donor image and the window's shift (d_x, d_y) (BG8).
    public var donor: Int?, shift = (x: 0, y: 0)

    /// The family of an image of class `label` (BG9): the class's family when u(p₂) ≤ ρ, else p₁'s.
    public static func family(_ d: BackgroundDraws, families: [TextureFamily], label: Int, classTie rho: Double) -> TextureFamily {
        BackgroundDraws.u(d.parameters[2]) <= rho ? families[label % families.count]
            : families[Int(d.parameters[1] % UInt32(families.count))]
    }

    /// The texture of `family` from `d` for image `own` (BG5–BG8); `donors` are [C, H, W]
    /// samples (count × C·H·W), needed by `crop` (at least two).
    public init(_ family: TextureFamily, draws d: BackgroundDraws, c: Int, h: Int, w: Int, own: Int = 0,
                donors: ArraySlice<Float>? = nil, donorCount: Int = 0) throws {
        self.family = family
        let p = d.parameters, size = c * h * w
        values = [Float](repeating: 0, count: size)
        switch family {
        case .noise:
            for k in 0..<size { values[k] = Philox.unitFloat(d.noise[k]) }  // BG5
        case .grating:
            (orientation, period) = (2 * Double.pi * BackgroundDraws.u(p[3]), 3 + 7 * BackgroundDraws.u(p[4]))
            (phase, contrast) = (2 * Double.pi * BackgroundDraws.u(p[5]), BackgroundDraws.u(p[6]) / 2)
            let (cx, sy) = (Foundation.cos(orientation), Foundation.sin(orientation))
            for y in 0..<h {
                for x in 0..<w {
                    let v = Float(0.5 + contrast * Foundation.sin(2 * Double.pi * (Double(x) * cx + Double(y) * sy) / period + phase))
                    for ch in 0..<c { values[(ch * h + y) * w + x] = v }  // BG6
                }
            }
        case .checkerboard:
            cell = 2 + Int(p[3] % 6)
            offset = (Int(p[4] % UInt32(cell)), Int(p[5] % UInt32(cell)))
            levels = (Philox.unitFloat(p[6]), Philox.unitFloat(p[7]))
            for y in 0..<h {
                for x in 0..<w {
                    let even = ((x + offset.x) / cell + (y + offset.y) / cell) % 2 == 0
                    for ch in 0..<c { values[(ch * h + y) * w + x] = even ? levels.0 : levels.1 }  // BG7
                }
            }
        case .crop:
            guard let donors, donorCount >= 2, donors.count == donorCount * size, own >= 0, own < donorCount else {
                throw ComputeError.invalidArgument("crop backgrounds need at least two donor images of \(size) values, got \(donorCount)")
            }
            let j = BackgroundDraws.other(p[3], own: own, count: donorCount)
            (donor, shift) = (j, (Int(p[4] % UInt32(w)), Int(p[5] % UInt32(h))))
            let base = donors.startIndex + j * size
            for ch in 0..<c {
                for y in 0..<h {
                    for x in 0..<w {
                        values[(ch * h + y) * w + x] = donors[base + (ch * h + (y + shift.y) % h) * w + (x + shift.x) % w]  // BG8
                    }
                }
            }
        }
    }
}
