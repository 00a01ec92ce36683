import Foundation

/// The three passes of a convolution, tuned separately (their best path differs: the weight
/// gradient is a reduction over the batch, the others are maps).
public enum ConvPass: String, Sendable, Codable, CaseIterable {
    case forward
    case backwardInput = "backward-input"
    case backwardWeights = "backward-weights"
}

/// The shape classes a convolution record covers: `thin` groups (fewer than 8 output channels
/// per group: depthwise and the like), else by the work of one pass, N·O·OH·OW·(C/G)·KH·KW
/// multiply-adds, below or above 2²⁵.
public enum ConvShapeClass: String, Sendable, Codable, CaseIterable {
    case thin, small, large

    public init(outPerGroup: Int, work: Int) {
        self = outPerGroup < 8 ? .thin : work < 1 << 25 ? .small : .large
    }
}

/// Work-group shapes of the GPU-shaped direct kernels (kernels/conv2d_gpu.cl): `lx` × `ly`
/// work-items over the output (forward) or input (input gradient) plane, `reduction` work-items
/// per weight in the weight gradient. Preferred sizes: a launch shrinks them to the plane and to
/// the kernel's work-group limit, so they never exceed what the device admits.
public struct ConvDirectParams: Sendable, Codable, Hashable, CustomStringConvertible {
    public var lx: Int, ly: Int, reduction: Int

    public init(lx: Int, ly: Int, reduction: Int) { (self.lx, self.ly, self.reduction) = (lx, ly, reduction) }

    public var description: String { "\(lx)×\(ly), reduction \(reduction)" }

    /// Why a device cannot run these shapes, or nil (checked when records are loaded).
    public func problem(device info: CLDeviceInfo) -> String? {
        let isPow2 = { (v: Int) in v > 0 && v & (v - 1) == 0 }
        if ![lx, ly, reduction].allSatisfy(isPow2) { return "work-group sides must be powers of two, got \(self)" }
        let dims = info.maxWorkItemSizes
        if lx * ly > info.maxWorkGroupSize || reduction > info.maxWorkGroupSize || dims.count < 2 || lx > dims[0]
            || ly > dims[1] || reduction > dims[0] {
            return "\(self) exceeds the device's work-group limits (\(info.maxWorkGroupSize) in all, \(dims) per dimension)"
        }
        return nil
    }

    /// The built-in shapes (GPUShapes' rule): 32 × 8 over planes, 256 per reduction.
    public static let defaults = ConvDirectParams(lx: 32, ly: 8, reduction: 256)

    /// The tuner's candidates for GPU-shaped kernels.
    public static let candidates: [ConvDirectParams] = [
        ConvDirectParams(lx: 32, ly: 8, reduction: 256), ConvDirectParams(lx: 16, ly: 16, reduction: 128),
        ConvDirectParams(lx: 64, ly: 4, reduction: 512), ConvDirectParams(lx: 16, ly: 8, reduction: 64),
        ConvDirectParams(lx: 8, ly: 8, reduction: 128), ConvDirectParams(lx: 32, ly: 4, reduction: 256),
    ]
}

/// One measured choice: on this device and driver, for this dtype, pass and shape class, the
/// path ("direct" or "im2col", the latter through the device's tuned GEMM) and, for the direct
/// path on GPU-shaped kernels, its work-group shapes.
public struct ConvTuningRecord: Sendable, Codable, Equatable {
    public var device: String, driver: String
    public var dtype: DType
    public var pass: ConvPass
    public var shapeClass: ConvShapeClass
    public var path: String
    public var direct: ConvDirectParams?
    /// Milliseconds per pass at the class's representative layer, by candidate.
    public var milliseconds: [String: Double]
    /// The representative layer, as text.
    public var layer: String
    public var date: String

    public init(device: String, driver: String, dtype: DType, pass: ConvPass, shapeClass: ConvShapeClass, path: String,
                direct: ConvDirectParams?, milliseconds: [String: Double], layer: String, date: String) {
        (self.device, self.driver, self.dtype, self.pass, self.shapeClass) = (device, driver, dtype, pass, shapeClass)
        (self.path, self.direct, self.milliseconds, self.layer, self.date) = (path, direct, milliseconds, layer, date)
    }

    var key: String { "\(dtype.rawValue)/\(pass.rawValue)/\(shapeClass.rawValue)" }
}

/// The convolution records of the tuning file that this device can use, and why the others of
/// the same device were refused (another driver, shapes beyond its limits, an unknown path).
public struct ConvTuning: Sendable {
    public let records: [ConvTuningRecord]
    public let refused: [String]

    public init(info: CLDeviceInfo, records all: [ConvTuningRecord]) {
        var kept: [ConvTuningRecord] = [], refused: [String] = []
        for r in all where r.device == info.name {
            if r.driver != info.driverVersion {
                refused.append("conv \(r.key) was measured with driver \(r.driver), this device runs \(info.driverVersion)")
            } else if !["direct", "im2col"].contains(r.path) {
                refused.append("conv \(r.key) names an unknown path '\(r.path)'")
            } else if let d = r.direct, let why = d.problem(device: info) {
                refused.append("conv \(r.key): \(why)")
            } else {
                kept.append(r)
            }
        }
        (self.records, self.refused) = (kept, refused)
    }

    /// The standard tuning file's records for this device; refusals noted once on stderr.
    public static func load(for info: CLDeviceInfo) -> ConvTuning {
        let t = ConvTuning(info: info, records: GemmTuningFile.standard.loadConv())
        if !t.refused.isEmpty {
            note.once {
                writeStderrLine("gpurun: convolution tuning records for \(info.label) refused (\(t.refused.joined(separator: "; "))); "
                                + "run `gpurun tune conv` to measure this device")
            }
        }
        return t
    }
    private static let note = OnceFlag()

    public var isTuned: Bool { !records.isEmpty }

    /// The record for one pass of one layer, if this device was tuned for its class.
    public func record(dtype: DType, pass: ConvPass, shapeClass: ConvShapeClass) -> ConvTuningRecord? {
        records.last { $0.dtype == dtype && $0.pass == pass && $0.shapeClass == shapeClass }
    }
}
