import Compute
import Foundation

/// One layer of a `ModelDescription`: its kind and the sizes it needs. Input sizes (`in`,
/// channels) follow from the layer before; `out` of a final linear layer defaults to the classes.
public struct LayerSpec: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case linear, conv, batchnorm, relu, maxpool, avgpool, flatten, residual
    }
    public var type: Kind
    public var name: String?
    public var `in`: Int?
    public var out: Int?
    public var kernel: Int?, stride: Int?, padding: Int?
    public var bias: Bool?

    public init(_ type: Kind, _ name: String? = nil, in inputs: Int? = nil, out: Int? = nil, kernel: Int? = nil,
                stride: Int? = nil, padding: Int? = nil, bias: Bool? = nil) {
        (self.type, self.name, self.in, self.out) = (type, name, inputs, out)
        (self.kernel, self.stride, self.padding, self.bias) = (kernel, stride, padding, bias)
    }

    /// The keys a layer object may have in JSON.
    static let keys: Set<String> = ["type", "name", "in", "out", "kernel", "stride", "padding", "bias"]
}

/// A network as a list of layers (`gpurun train --model FILE.json`, docs/training.md N11):
/// {"name": "small", "layers": [{"type": "conv", "out": 8, "kernel": 3, "padding": 1},
/// {"type": "batchnorm"}, {"type": "relu"}, {"type": "maxpool"}, {"type": "flatten"},
/// {"type": "linear"}]}. Shapes are checked layer by layer before anything is built.
public struct ModelDescription: Codable, Sendable, Equatable {
    public var name: String
    public var layers: [LayerSpec]

    public init(name: String, layers: [LayerSpec]) {
        (self.name, self.layers) = (name, layers)
    }

    enum CodingKeys: String, CodingKey { case name, layers }

    /// "name" may be left out ("described").
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? "described"
        layers = try c.decode([LayerSpec].self, forKey: .layers)
    }

    /// Parses the JSON text, refusing unknown keys and layer types.
    public init(json text: String) throws {
        func fail(_ why: String) -> ComputeError { .invalidArgument("model description: \(why)") }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)), let top = object as? [String: Any] else {
            throw fail("not a JSON object {\"name\": ..., \"layers\": [...]}")
        }
        if let bad = Set(top.keys).subtracting(["name", "layers"]).sorted().first { throw fail("unknown key '\(bad)'") }
        guard let layers = top["layers"] as? [[String: Any]], !layers.isEmpty else { throw fail("\"layers\" must be a non-empty list of objects") }
        for (i, l) in layers.enumerated() {
            if let bad = Set(l.keys).subtracting(LayerSpec.keys).sorted().first {
                throw fail("layer \(i + 1) has the unknown key '\(bad)' (known: \(LayerSpec.keys.sorted().joined(separator: ", ")))")
            }
            guard let t = l["type"] as? String, LayerSpec.Kind(rawValue: t) != nil else {
                throw fail("layer \(i + 1) has the unknown type '\(l["type"] ?? "none")' (known: "
                           + LayerSpec.Kind.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
        }
        do { self = try JSONDecoder().decode(Self.self, from: Data(text.utf8)) } catch { throw fail("\(error)") }
    }

    /// The network for samples of shape `input` ([C, H, W] or [features]) and `classes` outputs;
    /// its output layer's parameters are marked `isOutput`.
    public func build<T: Scalar>(_: T.Type, input: [Int], classes: Int, on be: any Backend) throws -> Sequential<T> {
        var shape = input
        var built: [any Layer<T>] = []
        var counts: [LayerSpec.Kind: Int] = [:]
        let lastLinear = layers.lastIndex { $0.type == .linear }
        for (i, spec) in layers.enumerated() {
            counts[spec.type, default: 0] += 1
            let name = spec.name ?? "\(spec.type.rawValue)\(counts[spec.type]!)"
            func fail(_ why: String) -> ComputeError {
                .invalidArgument("model \(self.name): layer \(i + 1) (\(spec.type.rawValue) \(name)) \(why)")
            }
            let out = spec.out ?? (i == lastLinear ? classes : nil)
            let (layer, next) = try LayerBuilder.make(spec, name: name, input: shape, out: out, on: be, T.self, fail)
            built.append(layer)
            shape = next
        }
        guard shape == [classes] else {
            throw ComputeError.invalidArgument("model \(name): the last layer gives \(shape) per sample, the data have \(classes) classes")
        }
        let model = Sequential<T>(name, built)
        model.needsInputGradient = false
        model.markOutputLayer()
        return model
    }
}

/// Each layer kind's shape rule and constructor.
enum LayerBuilder {
    static func make<T: Scalar>(_ s: LayerSpec, name: String, input: [Int], out: Int?, on be: any Backend, _: T.Type,
                                _ fail: (String) -> ComputeError) throws -> (any Layer<T>, [Int]) {
        func need(_ v: Int?, _ what: String) throws -> Int {
            guard let v else { throw fail("needs \"\(what)\"") }
            guard v > 0 else { throw fail("needs a positive \"\(what)\", got \(v)") }
            return v
        }
        func image() throws -> (Int, Int, Int) {
            guard input.count == 3 else { throw fail("needs image input [C, H, W], gets \(input)") }
            if let c = s.in, c != input[0] { throw fail("expects \(c) input channels, gets \(input[0])") }
            return (input[0], input[1], input[2])
        }
        switch s.type {
        case .linear:
            guard input.count == 1 else { throw fail("needs [features] input (add a flatten), gets \(input)") }
            if let f = s.in, f != input[0] { throw fail("expects \(f) input features, gets \(input[0])") }
            let o = try need(out, "out")
            return (try Linear(name, in: input[0], out: o, on: be), [o])
        case .conv:
            let (c, h, w) = try image()
            let o = try need(out, "out"), k = try need(s.kernel ?? 3, "kernel"), st = try need(s.stride ?? 1, "stride")
            let p = s.padding ?? 0
            guard p >= 0, h + 2 * p >= k, w + 2 * p >= k else { throw fail("with kernel \(k), padding \(p) does not fit \(h)×\(w)") }
            let layer = try Conv2dLayer<T>(name, in: c, out: o, kernel: k, stride: st, padding: p, bias: s.bias ?? true, on: be)
            return (layer, [o, (h + 2 * p - k) / st + 1, (w + 2 * p - k) / st + 1])
        case .batchnorm:
            guard input.count == 1 || input.count == 3 else { throw fail("needs [C] or [C, H, W] input, gets \(input)") }
            return (try BatchNorm<T>(name, channels: input[0], on: be), input)
        case .relu:
            return (ReLU<T>(name, on: be), input)
        case .maxpool:
            let (c, h, w) = try image(), k = try need(s.kernel ?? 2, "kernel")
            guard h >= k, w >= k else { throw fail("with kernel \(k) does not fit \(h)×\(w)") }
            return (MaxPool<T>(name, kernel: k, on: be), [c, h / k, w / k])
        case .avgpool:
            let (c, _, _) = try image()
            return (GlobalAvgPool<T>(name, on: be), [c])
        case .flatten:
            return (Flatten<T>(name), [input.reduce(1, *)])
        case .residual:
            let (c, h, w) = try image()
            let o = try need(out, "out"), st = try need(s.stride ?? 1, "stride")
            return (try ResidualBlock<T>(name, in: c, out: o, stride: st, on: be), [o, (h - 1) / st + 1, (w - 1) / st + 1])
        }
    }
}
