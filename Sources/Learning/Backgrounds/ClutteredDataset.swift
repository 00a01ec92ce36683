import Compute
import Foundation

/// How cluttered backgrounds are drawn (docs/backgrounds.md BG9, BG11).
public struct ClutterSpec: Codable, Sendable, Equatable {
    /// The families in use, F₀… (BG9).
    public var families: [TextureFamily]
    /// ρ in [0, 1]: the probability that an image gets its class's family (BG9).
    public var classTie: Double
    /// The foreground rule on the raw images (BG1, BG2).
    public var mask: ForegroundMask

    public init(families: [TextureFamily] = TextureFamily.allCases, classTie: Double = 0, mask: ForegroundMask = .standard) {
        (self.families, self.classTie, self.mask) = (families, classTie, mask)
    }

    public func problem() -> String? {
        if families.isEmpty { return "cluttered backgrounds need at least one texture family" }
        if !(classTie >= 0 && classTie <= 1) { return "the class tie ρ must be in [0, 1], got \(classTie)" }
        return mask.problem()
    }
}

/// A copy of a data set of raw images with every background replaced by a procedural texture
/// (docs/backgrounds.md BG11): image i gets unit `unitBase + i` of stream 10 under `seed`.
/// The background of cluttered image i is defined as that texture, `background(i)`.
public struct ClutteredDataset: Sendable {
    public let original: Dataset
    public let cluttered: Dataset
    /// count × H × W foreground masks of the original images (BG1, BG2).
    public let masks: [Float]
    /// The family each image got.
    public let families: [TextureFamily]
    public let spec: ClutterSpec
    public let seed: UInt64, unitBase: UInt64

    /// Builds the copy, in parallel over images; refuses images without a foreground (BG3).
    public init(_ set: Dataset, spec: ClutterSpec = ClutterSpec(), seed: UInt64, unitBase: UInt64 = 0) throws {
        if let p = spec.problem() { throw ComputeError.invalidArgument(p) }
        if spec.families.contains(.crop), set.count < 2 {
            throw ComputeError.invalidArgument("crop backgrounds need at least two images, the set has \(set.count)")
        }
        let (c, h, w) = try ForegroundMask.imageShape(set.sampleShape)
        let masks = try spec.mask.masks(of: set)
        (original, self.masks, self.spec, self.seed, self.unitBase) = (set, masks, spec, seed, unitBase)
        let size = c * h * w, plane = h * w
        var samples = [Float](repeating: 0, count: set.count * size)
        var families = [TextureFamily](repeating: .noise, count: set.count)
        try samples.withUnsafeMutableBufferPointer { out in
            try families.withUnsafeMutableBufferPointer { fam in
                nonisolated(unsafe) let (o, f) = (out.baseAddress!, fam.baseAddress!)
                try Self.parallel(set.count) { i in
                    let t = try Self.texture(set, spec: spec, seed: seed, unit: unitBase + UInt64(i), image: i)
                    let x = Compositing.composite(set.samples[(i * size)..<((i + 1) * size)],
                                                  mask: masks[(i * plane)..<((i + 1) * plane)], background: t.values)
                    for k in 0..<size { o[i * size + k] = x[k] }
                    f[i] = t.family
                }
            }
        }
        self.families = families
        var d = set
        d.samples = samples
        cluttered = d
    }

    /// The background b_i that cluttered image i got (BG11), [C, H, W].
    public func background(_ i: Int) throws -> [Float] {
        try Self.texture(original, spec: spec, seed: seed, unit: unitBase + UInt64(i), image: i).values
    }

    /// The mask of image i.
    public func mask(_ i: Int) -> ArraySlice<Float> {
        let plane = original.sampleShape[1] * original.sampleShape[2]
        return masks[(i * plane)..<((i + 1) * plane)]
    }

    /// The texture of `unit` for `image` of `set` (BG4–BG9): its family from the class tie, crops from `set`.
    static func texture(_ set: Dataset, spec: ClutterSpec, seed: UInt64, unit: UInt64, image i: Int) throws -> BackgroundTexture {
        let (c, h, w) = (set.sampleShape[0], set.sampleShape[1], set.sampleShape[2])
        let d = BackgroundDraws(seed: seed, stream: BackgroundStreams.cluttered, unit: unit, pixels: c * h * w)
        let family = BackgroundTexture.family(d, families: spec.families, label: Int(set.labels[i]), classTie: spec.classTie)
        return try BackgroundTexture(family, draws: d, c: c, h: h, w: w, own: i, donors: set.samples[...], donorCount: set.count)
    }

    /// body(i) for i in 0..<count, in as many chunks as there are cores; the first error is rethrown.
    static func parallel(_ count: Int, _ body: (Int) throws -> Void) throws {
        let parts = max(1, min(count / 64, ProcessInfo.processInfo.activeProcessorCount))
        var errors = [(any Error)?](repeating: nil, count: parts)
        try withoutActuallyEscaping(body) { body in
            errors.withUnsafeMutableBufferPointer { errs in
                nonisolated(unsafe) let (task, e) = (body, errs.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    do {
                        for i in (part * count / parts)..<((part + 1) * count / parts) { try task(i) }
                    } catch { e[part] = error }
                }
            }
            if let first = errors.compactMap({ $0 }).first { throw first }
        }
    }
}
