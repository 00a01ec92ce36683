import Compute
import Foundation

/// `gpurun tune conv`: for each pass of the convolution (forward, input gradient, weight
/// gradient) and shape class (ConvShapeClass), measures on one device the im2col path (through
/// the device's GEMM, tuned or not) against the direct kernels — on GPU-shaped devices with each
/// work-group shape of ConvDirectParams.candidates — and records the fastest per (device,
/// driver, dtype, pass, class) in the tuning file, beside GEMM's records.
///
/// Every candidate is first checked against the CPU engine on two odd layers (a strided,
/// padded, grouped one and a depthwise one, all four outputs); survivors are timed at the class's
/// representative layer until the budget is spent (im2col and the default direct shapes are
/// always timed, so a short budget still yields a record).
public enum ConvTuner {
    public struct Choice: Codable, Sendable {
        public var pass: ConvPass
        public var shapeClass: ConvShapeClass
        public var layer: String
        public var chosen: String
        public var direct: ConvDirectParams?
        /// Milliseconds per pass by candidate ("im2col", "direct" or "direct LX×LY/R").
        public var milliseconds: [String: Double]
        public var why: String
    }

    public struct Report: Codable, Sendable {
        public var device: String, driver: String, kernels: String
        public var dtype: DType
        public var budgetSeconds: Double, elapsedSeconds: Double
        public var candidates: Int, failedCheck: Int, timed: Int
        public var failures: [String]
        public var choices: [Choice]
        public var stored: String?, storeError: String?
    }

    /// A representative layer per class (the shape classes' work bounds are checked in tests).
    public static func layer(_ cls: ConvShapeClass) -> Conv2dParams {
        switch cls {
        case .thin: Conv2dParams(batch: 16, inChannels: 32, outChannels: 32, height: 16, width: 16, kernel: 3, padding: 1, groups: 32)
        case .small: Conv2dParams(batch: 8, inChannels: 16, outChannels: 16, height: 16, width: 16, kernel: 3, padding: 1)
        case .large: Conv2dParams(batch: 32, inChannels: 32, outChannels: 32, height: 16, width: 16, kernel: 3, padding: 1)
        }
    }

    /// The layers every candidate must reproduce: odd sizes, stride 2, padding, two groups; and
    /// a depthwise layer.
    static let checkLayers = [
        Conv2dParams(batch: 2, inChannels: 6, outChannels: 16, height: 11, width: 13, kernelH: 3, kernelW: 3, strideH: 2,
                     strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 2),
        Conv2dParams(batch: 3, inChannels: 5, outChannels: 5, height: 9, width: 7, kernel: 3, padding: 1, groups: 5),
    ]

    struct Candidate {
        var name: String
        var path: Conv2dPath
        var shape: ConvDirectParams?
    }

    public static func run(device: OpenCLBackend, dtype: DType, budget: Double, file: GemmTuningFile = .standard,
                           progress: (String) -> Void = { _ in }) throws -> Report {
        switch dtype {
        case .f32: try run(Float.self, device: device, budget: budget, file: file, progress: progress)
        case .f64: try run(Double.self, device: device, budget: budget, file: file, progress: progress)
        }
    }

    static func run<T: Scalar>(_: T.Type, device: OpenCLBackend, budget: Double, file: GemmTuningFile,
                               progress: (String) -> Void) throws -> Report {
        try device.checkDType(T.self, "tune conv")
        try file.checkWritable()
        let info = device.cl.info
        let start = Timing.now(), deadline = start + max(budget, 0)
        let gpuShaped = device.kernelShape == .gpu
        defer { device.convShapeOverride = nil }

        var candidates = [Candidate(name: "im2col", path: .im2col, shape: nil)]
        if gpuShaped {
            candidates += ConvDirectParams.candidates.filter { $0.problem(device: info) == nil }.map {
                Candidate(name: "direct \($0.lx)×\($0.ly)/\($0.reduction)", path: .direct, shape: $0)
            }
        } else {
            candidates.append(Candidate(name: "direct", path: .direct, shape: nil))
        }
        let references = try checkLayers.map { p -> (Conv2dParams, (x: [T], w: [T], b: [T], dy: [T]), ConvChecks.Outputs<T>) in
            let v: (x: [T], w: [T], b: [T], dy: [T]) = ConvChecks.inputs(p, seed: 11)
            return (p, v, try ConvChecks.run(CPUBackend.shared, path: .direct, p, v))
        }
        func problem(_ c: Candidate) -> String? {
            device.convShapeOverride = c.shape
            for (p, v, ref) in references {
                do {
                    let got = try ConvChecks.run(device, path: c.path, p, v)
                    if let bad = ConvChecks.compare(p, path: c.name, ref: ref, got: got, seed: 11).first(where: { !$0.pass }) {
                        return "\(bad.op) \(p): error \(bad.maxRelError) > \(bad.tolerance)"
                    }
                } catch {
                    return "\(p): \(error)"
                }
            }
            return nil
        }

        // Operands of each class's layer, on the device.
        var operands: [ConvShapeClass: LayerOperands<T>] = [:]
        for cls in ConvShapeClass.allCases {
            let p = layer(cls)
            let n = { (shape: [Int], stream: UInt32) -> Tensor<T> in try device.normal(shape, seed: 5, stream: stream, offset: 0) }
            operands[cls] = LayerOperands(p: p, x: try n(p.inputShape, 0), w: try n(p.weightShape, 1), dy: try n(p.outputShape, 2),
                                          y: try device.zeros(p.outputShape, as: T.self),
                                          dx: try device.zeros(p.inputShape, as: T.self),
                                          dw: try device.zeros(p.weightShape, as: T.self))
        }
        func milliseconds(_ c: Candidate, _ pass: ConvPass, _ o: LayerOperands<T>) throws -> Double {
            device.convShapeOverride = c.shape
            return 1000 * (try Timing.median(warmup: 2, minRepeats: 5, minSeconds: 0.2) {
                switch pass {
                case .forward: try device.conv2dForward(o.x, o.w, bias: nil, o.p, into: o.y, path: c.path)
                case .backwardInput: try device.conv2dBackwardInput(o.dy, o.w, o.p, into: o.dx, path: c.path)
                case .backwardWeights: try device.conv2dBackwardWeights(o.x, o.dy, o.p, into: o.dw, bias: nil, path: c.path)
                }
                try device.synchronize()
            })
        }

        var times: [String: [String: Double]] = [:]   // "pass/class" → candidate → ms
        var failures: [String] = []
        var failedCheck = 0, timed = 0
        for (i, c) in candidates.enumerated() {
            let baseline = i < 2
            if !baseline && Timing.now() >= deadline { break }
            progress(c.name)
            if let why = problem(c) {
                failedCheck += 1
                failures.append("\(c.name): \(why)")
                continue
            }
            timed += 1
            for cls in ConvShapeClass.allCases {
                for pass in ConvPass.allCases {
                    if !baseline && Timing.now() >= deadline { break }
                    do { times["\(pass.rawValue)/\(cls.rawValue)", default: [:]][c.name] = try milliseconds(c, pass, operands[cls]!) } catch {
                        failures.append("\(c.name) \(pass.rawValue) \(cls.rawValue): \(error)")
                    }
                }
            }
        }

        let date = ISO8601DateFormatter().string(from: Date())
        var choices: [Choice] = [], records: [ConvTuningRecord] = []
        for cls in ConvShapeClass.allCases {
            for pass in ConvPass.allCases {
                let t = times["\(pass.rawValue)/\(cls.rawValue)"] ?? [:]
                guard let best = t.min(by: { $0.value < $1.value }), let c = candidates.first(where: { $0.name == best.key }) else { continue }
                let runnerUp = t.filter { $0.key != best.key }.min(by: { $0.value < $1.value })
                let why = runnerUp.map { String(format: "%@ %.3g ms vs %@ %.3g ms (%.2fx)", best.key, best.value, $0.key, $0.value,
                                                $0.value / best.value) } ?? "\(best.key) was the only candidate that passed"
                let layerText = layer(cls).description
                choices.append(Choice(pass: pass, shapeClass: cls, layer: layerText, chosen: c.name, direct: c.shape,
                                      milliseconds: t, why: why))
                records.append(ConvTuningRecord(device: info.name, driver: info.driverVersion, dtype: T.dtype, pass: pass,
                                                shapeClass: cls, path: c.path.rawValue, direct: c.shape, milliseconds: t,
                                                layer: layerText, date: date))
            }
        }
        var stored: String?, storeError: String?
        if !records.isEmpty {
            do { try file.storeConv(records); stored = file.url?.path } catch { storeError = "\(error)" }
        }
        return Report(device: info.label, driver: info.driverVersion, kernels: gpuShaped ? "gpu" : "cpu", dtype: T.dtype,
                      budgetSeconds: budget, elapsedSeconds: Timing.now() - start, candidates: candidates.count,
                      failedCheck: failedCheck, timed: timed, failures: failures, choices: choices,
                      stored: stored, storeError: storeError)
    }
}

/// One representative layer's operands and outputs on the device.
private struct LayerOperands<S: Scalar> {
    var p: Conv2dParams
    var x: Tensor<S>, w: Tensor<S>, dy: Tensor<S>
    var y: Tensor<S>, dx: Tensor<S>, dw: Tensor<S>
}
