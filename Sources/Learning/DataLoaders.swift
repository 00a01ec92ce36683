import Compute
import Foundation

/// Readers of the three data sources (`DataSource`).
enum DataLoaders {
    static func fashionMNIST(_ dir: String, standardize: Bool) throws -> TrainingData {
        func set(_ prefix: String) throws -> Dataset {
            let imagesPath = "\(dir)/\(prefix)-images-idx3-ubyte.gz", labelsPath = "\(dir)/\(prefix)-labels-idx1-ubyte.gz"
            let images = try IDX.read(imagesPath), labels = try IDX.read(labelsPath)
            guard images.shape.count == 3, labels.shape.count == 1, images.shape[0] == labels.shape[0] else {
                throw ComputeError.io(path: imagesPath, reason: "images \(images.shape) and labels \(labels.shape) do not match")
            }
            var pixels = [Float](repeating: 0, count: images.bytes.count)
            images.bytes.withUnsafeBufferPointer { src in
                pixels.withUnsafeMutableBufferPointer { dst in
                    for i in src.indices { dst[i] = Float(src[i]) * (1 / 255) }
                }
            }
            return try Dataset(samples: pixels, labels: labels.bytes.map { Int32($0) },
                               sampleShape: [1, images.shape[1], images.shape[2]], classes: 10, name: imagesPath)
        }
        return try TrainingData(name: "fashion-mnist", train: set("train"), test: set("t10k"), standardize: standardize)
    }

    static func npy(_ dir: String, standardize: Bool) throws -> TrainingData {
        func load(_ x: String, _ y: String, classes: Int? = nil) throws -> Dataset {
            let xPath = "\(dir)/\(x)", yPath = "\(dir)/\(y)"
            for p in [xPath, yPath] where !FileManager.default.fileExists(atPath: p) {
                throw ComputeError.io(path: p, reason: "no such file")
            }
            let xa = try Npy.read(URL(fileURLWithPath: xPath)), ya = try Npy.read(URL(fileURLWithPath: yPath))
            guard xa.shape.count >= 2, xa.shape[0] == ya.count else {
                throw ComputeError.io(path: xPath, reason: "X \(xa.shape) needs one row per label (y has \(ya.count))")
            }
            let labels = try labelValues(ya, yPath)
            var shape = Array(xa.shape.dropFirst())
            if shape.count == 2 { shape = [1] + shape }  // [n, H, W] images
            return try Dataset(samples: try xa.doubles().map { Float($0) }, labels: labels, sampleShape: shape, classes: classes,
                               name: xPath)
        }
        let all = try load("X.npy", "y.npy")
        if FileManager.default.fileExists(atPath: "\(dir)/X_test.npy") {
            // The test labels must be among the training set's classes.
            return try TrainingData(name: "npy:\(dir)", train: all, test: load("X_test.npy", "y_test.npy", classes: all.classes),
                                    standardize: standardize)
        }
        return try split(all, name: "npy:\(dir)", standardize: standardize)
    }

    /// Integer labels from an integer or integral float array.
    static func labelValues(_ a: NpyArray, _ path: String) throws -> [Int32] {
        let v = try a.doubles()
        guard v.allSatisfy({ $0 == $0.rounded() && $0 >= 0 && $0 < 1_048_576 }) else {
            throw ComputeError.io(path: path, reason: "labels must be non-negative integers")
        }
        return v.map { Int32($0) }
    }

    static func csv(_ path: String, standardize: Bool) throws -> TrainingData {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ComputeError.io(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read" : "no such file")
        }
        var samples: [Float] = [], labels: [Int32] = []
        var width: Int?
        for (i, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let values = fields.compactMap { Double($0) }
            guard values.count == fields.count, values.count >= 2 else {
                if i == 0 { continue }  // a header
                throw ComputeError.io(path: path, reason: "line \(i + 1) is not comma-separated numbers")
            }
            guard width == nil || width == values.count else {
                throw ComputeError.io(path: path, reason: "line \(i + 1) has \(values.count) fields, earlier lines \(width!)")
            }
            width = values.count
            guard let label = values.last, label == label.rounded(), label >= 0 else {
                throw ComputeError.io(path: path, reason: "line \(i + 1): the last field must be a class label")
            }
            samples += values.dropLast().map { Float($0) }
            labels.append(Int32(label))
        }
        guard let w = width else { throw ComputeError.io(path: path, reason: "no samples") }
        let features = w - 1, side = Int(Double(features).squareRoot())
        let shape = side * side == features ? [1, side, side] : [features]
        return try split(Dataset(samples: samples, labels: labels, sampleShape: shape, name: path), name: "csv:\(path)", standardize: standardize)
    }

    /// The first 80% for training, the rest for testing.
    static func split(_ d: Dataset, name: String, standardize: Bool) throws -> TrainingData {
        guard d.count >= 5 else { throw ComputeError.io(path: name, reason: "\(d.count) samples are too few to split") }
        let cut = d.count * 4 / 5
        return try TrainingData(name: name, train: d.slice(0..<cut), test: d.slice(cut..<d.count), standardize: standardize)
    }
}
