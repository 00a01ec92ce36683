import Compute
/// The networks `gpurun train --model` builds, for inputs of shape [C, H, W] (or [features])
/// and K classes.
public enum ModelKind: String, Codable, Sendable, CaseIterable {
    /// Flatten → 256 → ReLU → 128 → ReLU → K.
    case mlp
    /// Two stages of [3×3 conv (16, then 32 channels) → BatchNorm → ReLU → 2×2 max pool], then
    /// Linear → 128 → ReLU → K.
    case cnn
    /// A small ResNet: 3×3 conv stem (16) → BatchNorm → ReLU, basic residual blocks 16, 32/2,
    /// 64/2, global average pool, Linear → K.
    case resnet

    public func build<T: Scalar>(_: T.Type, input: [Int], classes: Int, on be: any Backend) throws -> Sequential<T> {
        let features = input.reduce(1, *)
        let layers: [any Layer<T>]
        switch self {
        case .mlp:
            layers = [Flatten("flatten"), try Linear("fc1", in: features, out: 256, on: be), ReLU("relu1", on: be),
                      try Linear("fc2", in: 256, out: 128, on: be), ReLU("relu2", on: be),
                      try Linear("fc3", in: 128, out: classes, on: be)]
        case .cnn:
            let (c, h, w) = try image(input)
            guard h >= 4, w >= 4 else { throw ComputeError.invalidArgument("cnn needs images of at least 4x4, got \(h)x\(w)") }
            layers = [try Conv2dLayer("conv1", in: c, out: 16, kernel: 3, padding: 1, bias: false, on: be),
                      try BatchNorm("bn1", channels: 16, on: be), ReLU("relu1", on: be), MaxPool("pool1", kernel: 2, on: be),
                      try Conv2dLayer("conv2", in: 16, out: 32, kernel: 3, padding: 1, bias: false, on: be),
                      try BatchNorm("bn2", channels: 32, on: be), ReLU("relu2", on: be), MaxPool("pool2", kernel: 2, on: be),
                      Flatten("flatten"), try Linear("fc1", in: 32 * (h / 2 / 2) * (w / 2 / 2), out: 128, on: be),
                      ReLU("relu3", on: be), try Linear("fc2", in: 128, out: classes, on: be)]
        case .resnet:
            let (c, h, w) = try image(input)
            guard h >= 4, w >= 4 else { throw ComputeError.invalidArgument("resnet needs images of at least 4x4, got \(h)x\(w)") }
            layers = [try Conv2dLayer("stem", in: c, out: 16, kernel: 3, padding: 1, bias: false, on: be),
                      try BatchNorm("stem.bn", channels: 16, on: be), ReLU("stem.relu", on: be),
                      try ResidualBlock("block1", in: 16, out: 16, stride: 1, on: be),
                      try ResidualBlock("block2", in: 16, out: 32, stride: 2, on: be),
                      try ResidualBlock("block3", in: 32, out: 64, stride: 2, on: be),
                      GlobalAvgPool("pool", on: be), try Linear("fc", in: 64, out: classes, on: be)]
        }
        let model = Sequential<T>(rawValue, layers)
        model.needsInputGradient = false
        if let out = layers.last { for p in out.parameters { p.isOutput = true } }
        return model
    }

    private func image(_ input: [Int]) throws -> (Int, Int, Int) {
        guard input.count == 3 else {
            throw ComputeError.invalidArgument("\(rawValue) needs image samples [C, H, W], got \(input)")
        }
        return (input[0], input[1], input[2])
    }
}
