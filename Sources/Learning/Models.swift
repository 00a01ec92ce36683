import Compute
import Foundation

/// The networks `gpurun train --model` builds, for inputs of shape [C, H, W] (or [features])
/// and K classes; each is a `ModelDescription` built by the same public layers as any other.
public enum ModelKind: String, Codable, Sendable, CaseIterable {
    /// Flatten → 256 → ReLU → 128 → ReLU → K.
    case mlp
    /// Two stages of [3×3 conv (16, then 32 channels) → BatchNorm → ReLU → 2×2 max pool], then
    /// Linear → 128 → ReLU → K.
    case cnn
    /// A small ResNet: 3×3 conv stem (16) → BatchNorm → ReLU, basic residual blocks 16, 32/2,
    /// 64/2, global average pool, Linear → K.
    case resnet

    public var description: ModelDescription {
        func conv(_ name: String, _ out: Int) -> LayerSpec { LayerSpec(.conv, name, out: out, kernel: 3, padding: 1, bias: false) }
        let layers: [LayerSpec]
        switch self {
        case .mlp:
            layers = [LayerSpec(.flatten, "flatten"), LayerSpec(.linear, "fc1", out: 256), LayerSpec(.relu, "relu1"),
                      LayerSpec(.linear, "fc2", out: 128), LayerSpec(.relu, "relu2"), LayerSpec(.linear, "fc3")]
        case .cnn:
            layers = [conv("conv1", 16), LayerSpec(.batchnorm, "bn1"), LayerSpec(.relu, "relu1"), LayerSpec(.maxpool, "pool1"),
                      conv("conv2", 32), LayerSpec(.batchnorm, "bn2"), LayerSpec(.relu, "relu2"), LayerSpec(.maxpool, "pool2"),
                      LayerSpec(.flatten, "flatten"), LayerSpec(.linear, "fc1", out: 128), LayerSpec(.relu, "relu3"),
                      LayerSpec(.linear, "fc2")]
        case .resnet:
            layers = [conv("stem", 16), LayerSpec(.batchnorm, "stem.bn"), LayerSpec(.relu, "stem.relu"),
                      LayerSpec(.residual, "block1", out: 16, stride: 1), LayerSpec(.residual, "block2", out: 32, stride: 2),
                      LayerSpec(.residual, "block3", out: 64, stride: 2), LayerSpec(.avgpool, "pool"), LayerSpec(.linear, "fc")]
        }
        return ModelDescription(name: rawValue, layers: layers)
    }

    public func build<T: Scalar>(_: T.Type, input: [Int], classes: Int, on be: any Backend) throws -> Sequential<T> {
        if self != .mlp, input.count != 3 || input[1] < 4 || input[2] < 4 {
            throw ComputeError.invalidArgument("\(rawValue) needs image samples [C, H, W] of at least 4×4, got \(input)")
        }
        return try description.build(T.self, input: input, classes: classes, on: be)
    }
}

/// The model of a run's configuration: a built-in one, a description, or one the caller built
/// (named only; a checkpoint of it resumes into a trainer given the same model).
public enum ModelChoice: Codable, Sendable, Equatable {
    case builtin(ModelKind)
    case described(ModelDescription)
    case custom(String)

    /// "mlp", "cnn" or "resnet"; a path to a .json description; or the JSON text itself.
    public init(parsing s: String) throws {
        if let k = ModelKind(rawValue: s) { self = .builtin(k); return }
        let text: String
        if s.trimmingCharacters(in: .whitespaces).hasPrefix("{") {
            text = s
        } else if s.hasSuffix(".json") || FileManager.default.fileExists(atPath: s) {
            guard let t = try? String(contentsOfFile: s, encoding: .utf8) else {
                throw ComputeError.io(path: s, reason: FileManager.default.fileExists(atPath: s) ? "cannot read" : "no such model description")
            }
            text = t
        } else {
            throw ComputeError.invalidArgument("the model must be mlp, cnn, resnet, a .json model description or its JSON text, got '\(s)'")
        }
        self = .described(try ModelDescription(json: text))
    }

    /// A built-in model as its name, a description as its object, a caller's model as
    /// {"custom": NAME}.
    public init(from decoder: Decoder) throws {
        if let k = try? decoder.singleValueContainer().decode(ModelKind.self) { self = .builtin(k); return }
        struct Custom: Decodable { var custom: String }
        if let c = try? Custom(from: decoder) { self = .custom(c.custom); return }
        self = .described(try ModelDescription(from: decoder))
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .builtin(let k): var c = encoder.singleValueContainer(); try c.encode(k)
        case .described(let d): try d.encode(to: encoder)
        case .custom(let n): var c = encoder.singleValueContainer(); try c.encode(["custom": n])
        }
    }

    public var name: String {
        switch self {
        case .builtin(let k): k.rawValue
        case .described(let d): d.name
        case .custom(let n): n
        }
    }

    public func build<T: Scalar>(_: T.Type, input: [Int], classes: Int, on be: any Backend) throws -> Sequential<T> {
        switch self {
        case .builtin(let k): return try k.build(T.self, input: input, classes: classes, on: be)
        case .described(let d): return try d.build(T.self, input: input, classes: classes, on: be)
        case .custom(let n): throw ComputeError.invalidArgument("the model \(n) was built by its caller; pass it to the trainer")
        }
    }
}
