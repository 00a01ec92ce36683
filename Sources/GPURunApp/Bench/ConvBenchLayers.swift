import Compute

/// The layers of `gpurun bench conv`: the default ResNet set, or a list in the reference script's format.
extension ConvBench {
    /// One layer: a name and its shape; `spec` is the reference script's "N,C,H,W,O,k,s,p,d,g".
    public struct Layer: Sendable {
        public var name: String
        public var params: Conv2dParams

        public var spec: String {
            let p = params
            return "\(name):" + [p.batch, p.inChannels, p.height, p.width, p.outChannels, p.kernelH, p.strideH, p.padH,
                                 p.dilationH, p.groups].map(String.init).joined(separator: ",")
        }
    }

    /// A small ResNet at batch `batch`: the 7×7 stride-2 stem on 64×64 images, a 64→64 3×3
    /// block layer on 32×32, the 3×3 stride-2 and 1×1 stride-2 downsampling layers to 128
    /// channels, a 128→128 3×3 layer on 16×16, and a depthwise 3×3 layer (MobileNet-style).
    public static func resnet(batch: Int) -> [Layer] {
        func layer(_ name: String, _ c: Int, _ hw: Int, _ o: Int, _ k: Int, _ s: Int, _ p: Int, groups: Int = 1) -> Layer {
            Layer(name: name, params: Conv2dParams(batch: batch, inChannels: c, outChannels: o, height: hw, width: hw,
                                                   kernel: k, stride: s, padding: p, groups: groups))
        }
        return [layer("stem 7x7/2", 3, 64, 64, 7, 2, 3), layer("3x3 64", 64, 32, 64, 3, 1, 1),
                layer("down 3x3/2", 64, 32, 128, 3, 2, 1), layer("down 1x1/2", 64, 32, 128, 1, 2, 0),
                layer("3x3 128", 128, 16, 128, 3, 1, 1), layer("dw 3x3 128", 128, 16, 128, 3, 1, 1, groups: 128)]
    }

    /// Layers from "name:N,C,H,W,O,k,stride,padding,dilation,groups;..." (the script's format);
    /// throws on a malformed entry or a shape that `Conv2dParams.problem` refuses.
    public static func parse(_ spec: String) throws -> [Layer] {
        try spec.split(separator: ";").map { item in
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            let v = parts.count == 2 ? parts[1].split(separator: ",", omittingEmptySubsequences: false).compactMap { Int($0) } : []
            guard parts.count == 2, !parts[0].isEmpty, v.count == 10, !parts[0].contains(",") else {
                throw ComputeError.invalidArgument(
                    "bench conv: '\(item)' is not name:N,C,H,W,O,k,stride,padding,dilation,groups")
            }
            let layer = Layer(name: String(parts[0]), params: Conv2dParams(
                batch: v[0], inChannels: v[1], outChannels: v[4], height: v[2], width: v[3], kernel: v[5], stride: v[6],
                padding: v[7], dilation: v[8], groups: v[9]))
            if let problem = layer.params.problem() { throw ComputeError.invalidArgument("bench conv: \(problem)") }
            return layer
        }
    }

    /// The layers of a run: those of `spec` (see `parse`), else the ResNet set at `batch`; a
    /// malformed entry or a batch below 1 is InvalidInput.
    public static func layers(_ spec: String?, batch: Int) throws -> [Layer] {
        try InvalidInput.check {
            if let spec { return try parse(spec) }
            try BenchInput.positive([batch], "the batch size")
            return resnet(batch: batch)
        }
    }
}
