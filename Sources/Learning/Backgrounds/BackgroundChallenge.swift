import Compute

/// The four test sets of the Backgrounds Challenge on a cluttered test set (docs/backgrounds.md
/// BG11, BG12): ORIGINAL, ONLY_FG, MIXED_SAME, MIXED_RAND, with the image whose background each
/// mixed image got.
public struct BackgroundChallenge: Sendable {
    public enum Variant: String, CaseIterable, Sendable {
        case original, onlyForeground = "only-fg", mixedSame = "mixed-same", mixedRandom = "mixed-rand"
    }

    /// The cluttered test set (its masks, families and backgrounds).
    public let clutter: ClutteredDataset
    public let original: Dataset, onlyForeground: Dataset, mixedSame: Dataset, mixedRandom: Dataset
    /// s(i): the same-class test image whose background MIXED_SAME image i got; d(i): the
    /// other-class one of MIXED_RAND (BG12).
    public let sameDonor: [Int], randomDonor: [Int]

    /// The four sets from a raw test set; its units start at 2³² on stream 10 (BG11).
    public init(test: Dataset, spec: ClutterSpec = ClutterSpec(), seed: UInt64) throws {
        let clutter = try ClutteredDataset(test, spec: spec, seed: seed, unitBase: BackgroundStreams.testUnitBase)
        let labels = test.labels, n = test.count
        let (c, h, w) = (test.sampleShape[0], test.sampleShape[1], test.sampleShape[2])
        var byClass: [Int32: [Int]] = [:]
        for (i, y) in labels.enumerated() { byClass[y, default: []].append(i) }
        if byClass.count < 2 {
            throw ComputeError.invalidArgument("MIXED_RAND needs test images of at least two classes, all \(n) are of class \(labels[0])")
        }
        if let (y, _) = byClass.first(where: { $0.value.count < 2 }) {
            throw ComputeError.invalidArgument("MIXED_SAME needs two test images of every class, class \(y) has one")
        }
        var same = [Int](repeating: 0, count: n), other = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let p = BackgroundDraws(seed: seed, stream: BackgroundStreams.cluttered,
                                    unit: BackgroundStreams.testUnitBase + UInt64(i), pixels: c * h * w).parameters
            let sameClass = byClass[labels[i]]!, s = sameClass.count - 1
            let k = Int(p[8] % UInt32(s)), own = sameClass.firstIndex(of: i)!
            same[i] = sameClass[k >= own ? k + 1 : k]
            // The k-th index of another class, counting 0..<n without class y's members.
            let others = n - sameClass.count
            var r = Int(p[9] % UInt32(others))
            for j in 0..<n where labels[j] != labels[i] {
                if r == 0 { other[i] = j; break }
                r -= 1
            }
        }
        let size = c * h * w
        func mixed(_ donor: [Int]) throws -> Dataset {
            var d = test
            for i in 0..<n {
                let x = Compositing.composite(test.samples[(i * size)..<((i + 1) * size)], mask: clutter.mask(i),
                                              background: try clutter.background(donor[i]))
                d.samples.replaceSubrange((i * size)..<((i + 1) * size), with: x)
            }
            return d
        }
        var fg = test
        for i in 0..<n {
            fg.samples.replaceSubrange((i * size)..<((i + 1) * size),
                                       with: Compositing.constant(test.samples[(i * size)..<((i + 1) * size)], mask: clutter.mask(i), level: 0))
        }
        (self.clutter, original, onlyForeground) = (clutter, clutter.cluttered, fg)
        (mixedSame, mixedRandom, sameDonor, randomDonor) = (try mixed(same), try mixed(other), same, other)
    }

    public func set(_ v: Variant) -> Dataset {
        switch v {
        case .original: original
        case .onlyForeground: onlyForeground
        case .mixedSame: mixedSame
        case .mixedRandom: mixedRandom
        }
    }
}
