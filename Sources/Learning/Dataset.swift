import Compute
import Foundation

/// Labelled samples held on the host as float32: `samples` is count × sampleSize, row-major.
public struct Dataset: Sendable {
    public var samples: [Float]
    public var labels: [Int32]
    /// The shape of one sample: [C, H, W] for images, [features] otherwise.
    public var sampleShape: [Int]
    public var classes: Int

    public var count: Int { labels.count }
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    public init(samples: [Float], labels: [Int32], sampleShape: [Int], classes: Int? = nil, name: String) throws {
        let size = sampleShape.reduce(1, *)
        guard size > 0, samples.count == labels.count * size else {
            throw ComputeError.io(path: name, reason: "\(samples.count) values are not \(labels.count) samples of shape \(sampleShape)")
        }
        guard !labels.isEmpty else { throw ComputeError.io(path: name, reason: "no samples") }
        guard let lo = labels.min(), lo >= 0 else { throw ComputeError.io(path: name, reason: "negative class label") }
        let k: Int
        if let classes {
            k = classes
            guard labels.allSatisfy({ Int($0) < k }) else {
                throw ComputeError.io(path: name, reason: "a label is not below the \(k) classes")
            }
        } else {
            // Inferred classes must be 0..K−1 with every one present: a stray label (1000000
            // among 0..9) would otherwise silently grow the output layer.
            let present = Set(labels)
            k = present.count
            let outside = present.filter { Int($0) >= k }.sorted()
            guard outside.isEmpty else {
                throw ComputeError.io(path: name, reason: "the labels are not the classes 0..\(k - 1): "
                    + outside.prefix(5).map(String.init).joined(separator: ", ") + (outside.count > 5 ? ", …" : "")
                    + " \(outside.count == 1 ? "lies" : "lie") outside (\(k) distinct labels)")
            }
        }
        guard samples.withUnsafeBufferPointer({ p in !p.contains { !$0.isFinite } }) else { throw ComputeError.io(path: name, reason: "non-finite feature values") }
        self.samples = samples
        self.labels = labels
        self.sampleShape = sampleShape
        self.classes = k
    }

    /// The first `n` samples (all when n is nil or larger).
    public func prefix(_ n: Int?) -> Dataset {
        guard let n, n < count else { return self }
        var d = self
        d.samples = Array(samples[0..<(n * sampleSize)])
        d.labels = Array(labels[0..<n])
        return d
    }

    /// The samples `indices`, row after row.
    func rows(_ indices: ArraySlice<Int>) -> [Float] {
        let size = sampleSize
        var xs = [Float](repeating: 0, count: indices.count * size)
        samples.withUnsafeBufferPointer { src in
            xs.withUnsafeMutableBufferPointer { dst in
                for (row, i) in indices.enumerated() {
                    UnsafeMutableRawPointer(dst.baseAddress! + row * size)
                        .copyMemory(from: src.baseAddress! + i * size, byteCount: size * MemoryLayout<Float>.size)
                }
            }
        }
        return xs
    }

    /// Samples `range` (for splitting one file into train and test).
    func slice(_ range: Range<Int>) -> Dataset {
        var d = self
        d.samples = Array(samples[(range.lowerBound * sampleSize)..<(range.upperBound * sampleSize)])
        d.labels = Array(labels[range])
        return d
    }
}

/// A training and a test set with the same sample shape and classes, features standardised
/// by the training set's mean and standard deviation (one scalar each), or kept raw.
public struct TrainingData: Sendable {
    public var name: String
    public var train: Dataset
    public var test: Dataset
    /// The standardisation applied, x ↦ (x − mean)·scale (0 and 1 when raw).
    public private(set) var mean: Float = 0, scale: Float = 1
    /// The Backgrounds-Challenge test sets of cluttered data (ClutteredTraining.swift), evaluated at the end of a run.
    public var backgroundTests: BackgroundTestSets?

    public init(name: String, train: Dataset, test: Dataset, standardize: Bool = true) throws {
        guard train.sampleShape == test.sampleShape else {
            throw ComputeError.io(path: name, reason: "train samples \(train.sampleShape) and test samples \(test.sampleShape) differ")
        }
        var tr = train, te = test
        let k = max(train.classes, test.classes)
        (tr.classes, te.classes) = (k, k)
        if standardize {
            let (m, std) = Self.moments(tr.samples)
            (mean, scale) = (Float(m), Float(1 / max(std, 1e-12)))
            Self.standardize(&tr.samples, mean: mean, scale: scale)
            Self.standardize(&te.samples, mean: mean, scale: scale)
        }
        self.name = name
        self.train = tr
        self.test = te
    }
}

extension TrainingData {
    /// Mean and standard deviation of all values (two passes, in Double).
    static func moments(_ v: [Float]) -> (Double, Double) {
        v.withUnsafeBufferPointer { p in
            var s = 0.0
            for x in p { s += Double(x) }
            let mean = s / Double(max(p.count, 1))
            var q = 0.0
            for x in p { q += (Double(x) - mean) * (Double(x) - mean) }
            return (mean, (q / Double(max(p.count, 1))).squareRoot())
        }
    }

    /// The values of `set` standardised as this data's training set was.
    public func standardized(_ set: Dataset) -> Dataset {
        var d = set
        Self.standardize(&d.samples, mean: mean, scale: scale)
        return d
    }

    static func standardize(_ v: inout [Float], mean: Float, scale: Float) {
        v.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = (p[i] - mean) * scale }
        }
    }
}

/// Where `gpurun train --data` reads from.
public enum DataSource: Sendable, Equatable {
    /// The four gzip-compressed IDX files of Fashion-MNIST in a folder (Debian's
    /// dataset-fashion-mnist installs them in /usr/share/datasets/fashion-mnist).
    case fashionMNIST(directory: String)
    /// X.npy [n, ...] and y.npy [n] (integer or integral float labels); X_test.npy and
    /// y_test.npy when present, else the last 20% of the rows are the test set.
    case npy(directory: String)
    /// A digits CSV: one sample a row, its features then the class label (UCI optdigits:
    /// 64 values of an 8×8 image, 0–16); the last 20% of the rows are the test set.
    case csv(path: String)

    public static let fashionMNISTDefault = "/usr/share/datasets/fashion-mnist"

    /// "fashion-mnist", "fashion-mnist:DIR", "npy:DIR" or "csv:FILE" (also "digits:FILE").
    public init(parsing s: String, fashionMNISTDirectory: String? = nil) throws {
        if s == "fashion-mnist" {
            self = .fashionMNIST(directory: fashionMNISTDirectory ?? Self.fashionMNISTDefault)
        } else if s.hasPrefix("fashion-mnist:") {
            self = .fashionMNIST(directory: String(s.dropFirst("fashion-mnist:".count)))
        } else if s.hasPrefix("npy:") {
            self = .npy(directory: String(s.dropFirst(4)))
        } else if s.hasPrefix("csv:") || s.hasPrefix("digits:") {
            self = .csv(path: String(s.drop { $0 != ":" }.dropFirst()))
        } else {
            throw ComputeError.invalidArgument("the data source must be fashion-mnist, fashion-mnist:DIR, npy:DIR or csv:FILE, got '\(s)'")
        }
    }

    public var description: String {
        switch self {
        case .fashionMNIST(let d): "fashion-mnist:\(d)"
        case .npy(let d): "npy:\(d)"
        case .csv(let p): "csv:\(p)"
        }
    }

    /// The data, standardised (the default) or raw (for backgrounds, docs/backgrounds.md BG1).
    public func load(standardize: Bool = true) throws -> TrainingData {
        switch self {
        case .fashionMNIST(let dir): try DataLoaders.fashionMNIST(dir, standardize: standardize)
        case .npy(let dir): try DataLoaders.npy(dir, standardize: standardize)
        case .csv(let path): try DataLoaders.csv(path, standardize: standardize)
        }
    }
}
