import Compute
import OpenCLRuntime
import Learning
import Foundation

/// `gpurun backgrounds`: the cluttered training set and the four Backgrounds-Challenge test
/// sets of a data set, as .npy files (docs/backgrounds.md BG11, BG12).
public enum BackgroundsJob {
    public struct Settings: Sendable {
        /// `DataSource` text; its images are used raw (intensities in [0, 1] for Fashion-MNIST).
        public var data: String
        public var output: URL
        public var seed: UInt64
        public var trainLimit: Int?, testLimit: Int?
        public var spec: ClutterSpec

        public init(data: String, output: URL, seed: UInt64, trainLimit: Int? = nil, testLimit: Int? = nil,
                    spec: ClutterSpec = ClutterSpec()) {
            (self.data, self.output, self.seed, self.trainLimit, self.testLimit, self.spec) = (data, output, seed, trainLimit, testLimit, spec)
        }

        func problem() -> String? {
            if let n = trainLimit, n < 2 { return "the training-sample limit must be at least 2, got \(n)" }
            if let n = testLimit, n < 2 { return "the test-sample limit must be at least 2, got \(n)" }
            return spec.problem()
        }
    }

    /// What was written.
    public struct Report: Codable, Sendable {
        public var data: String, seed: UInt64
        public var trainCount: Int, testCount: Int, sampleShape: [Int]
        public var threshold: Float, dilation: Int, classTie: Double, families: [TextureFamily]
        /// How many training images got each family.
        public var trainFamilies: [String: Int]
        public var files: [String: String]
    }

    /// Loads the data raw, builds every set (errors in what was given, images without a
    /// foreground included, are InvalidInput, all before a file is written), then writes them.
    public static func run(_ s: Settings, loading: (String) -> Void = { _ in }) throws -> Report {
        try InvalidInput.check {
            if let p = s.problem() { throw ComputeError.invalidArgument(p) }
            try checkFolderCanExist(s.output)
        }
        loading(s.data)
        let (train, challenge) = try InvalidInput.check {
            let raw = try DataSource(parsing: s.data).load(standardize: false)
            return (try ClutteredDataset(raw.train.prefix(s.trainLimit), spec: s.spec, seed: s.seed),
                    try BackgroundChallenge(test: raw.test.prefix(s.testLimit), spec: s.spec, seed: s.seed))
        }
        let dir = try ReportFiles.folder(s.output.path)
        var files: [String: String] = [:]
        func write(_ key: String, _ name: String, _ a: NpyArray) throws {
            let url = dir.appendingPathComponent(name)
            try Npy.write(a, to: url)
            files[key] = url.path
        }
        let shape = train.original.sampleShape, plane = [shape[1], shape[2]]
        // [n, H, W] for one channel (what `--data npy:DIR` reads as images); [n, C·H·W] otherwise (.npy files here have at most 3 axes).
        func images(_ d: Dataset) throws -> NpyArray {
            try NpyArray(d.samples, shape: shape[0] == 1 ? [d.count] + plane : [d.count, d.sampleSize])
        }
        func ints(_ v: [Int]) throws -> NpyArray { try NpyArray(v.map(Int64.init), shape: [v.count]) }
        // X.npy, y.npy, X_test.npy, y_test.npy: `train --data npy:DIR` trains on the cluttered set.
        try write("trainImages", "X.npy", images(train.cluttered))
        try write("trainLabels", "y.npy", ints(train.cluttered.labels.map(Int.init)))
        try write("original", "X_test.npy", images(challenge.original))
        try write("testLabels", "y_test.npy", ints(challenge.original.labels.map(Int.init)))
        try write("onlyForeground", "only-fg.npy", images(challenge.onlyForeground))
        try write("mixedSame", "mixed-same.npy", images(challenge.mixedSame))
        try write("mixedRandom", "mixed-rand.npy", images(challenge.mixedRandom))
        try write("mixedSameDonor", "mixed-same-donor.npy", ints(challenge.sameDonor))
        try write("mixedRandomDonor", "mixed-rand-donor.npy", ints(challenge.randomDonor))
        try write("trainMasks", "train-masks.npy", NpyArray(train.masks, shape: [train.original.count] + plane))
        try write("testMasks", "test-masks.npy", NpyArray(challenge.clutter.masks, shape: [challenge.original.count] + plane))
        let sheet = dir.appendingPathComponent("contact-sheet.svg")
        do {
            try ContactSheet.svg([("cluttered", train.cluttered), ("original", challenge.original), ("only-fg", challenge.onlyForeground),
                                  ("mixed-same", challenge.mixedSame), ("mixed-rand", challenge.mixedRandom)])
                .write(to: sheet, atomically: true, encoding: .utf8)
        } catch { throw ComputeError.io(path: sheet.path, reason: "cannot write the contact sheet (\(fileErrorReason(error)))") }
        files["contactSheet"] = sheet.path
        let order = TextureFamily.allCases
        try write("trainFamilies", "train-families.npy", ints(train.families.map { order.firstIndex(of: $0)! }))
        try write("testFamilies", "test-families.npy", ints(challenge.clutter.families.map { order.firstIndex(of: $0)! }))
        var report = Report(data: s.data, seed: s.seed, trainCount: train.original.count, testCount: challenge.original.count,
                            sampleShape: shape, threshold: s.spec.mask.threshold, dilation: s.spec.mask.dilation,
                            classTie: s.spec.classTie, families: s.spec.families,
                            trainFamilies: Dictionary(train.families.map { ($0.rawValue, 1) }, uniquingKeysWith: +), files: files)
        let json = dir.appendingPathComponent("backgrounds.json")
        report.files["report"] = json.path
        try ReportFiles.writeJSON(report, to: json)
        return report
    }
}
