import Foundation

/// Parameters of kernels/gemm_tiled.cl, the GPU-shaped GEMM (its header explains each).
public struct GemmTiledParams: Sendable, Codable, Hashable, CustomStringConvertible {
    /// Rows and columns of C per work-group, and the depth of one k step.
    public var mwg: Int, nwg: Int, kwg: Int
    /// Work-group shape: MDIMC rows by NDIMC columns of work-items.
    public var mdimc: Int, ndimc: Int
    /// Vector width of the register columns and of aligned global loads.
    public var vw: Int

    public init(mwg: Int, nwg: Int, kwg: Int, mdimc: Int, ndimc: Int, vw: Int) {
        (self.mwg, self.nwg, self.kwg, self.mdimc) = (mwg, nwg, kwg, mdimc)
        (self.ndimc, self.vw) = (ndimc, vw)
    }

    public var options: String {
        "-DMWG=\(mwg) -DNWG=\(nwg) -DKWG=\(kwg) -DMDIMC=\(mdimc) -DNDIMC=\(ndimc) -DVW=\(vw)"
    }
    public var description: String {
        "MWG=\(mwg) NWG=\(nwg) KWG=\(kwg) MDIMC=\(mdimc) NDIMC=\(ndimc) VW=\(vw)"
    }
    /// Work-items per work-group.
    public var workGroupSize: Int { mdimc * ndimc }
    /// __local bytes the kernel declares: (MWG + NWG)·KWG elements.
    public func localMemoryBytes(_ dtype: DType) -> Int { (mwg + nwg) * kwg * dtype.byteSize }

    /// Why these parameters cannot build (the kernel's divisibility rules), or nil.
    public var shapeProblem: String? {
        if [mwg, nwg, kwg, mdimc, ndimc, vw].contains(where: { $0 <= 0 }) { return "non-positive parameter" }
        if ![1, 2, 4, 8, 16].contains(vw) { return "VW \(vw) is not 1, 2, 4, 8 or 16" }
        if mwg % mdimc != 0 { return "MWG \(mwg) is not a multiple of MDIMC \(mdimc)" }
        if nwg % (ndimc * vw) != 0 { return "NWG \(nwg) is not a multiple of NDIMC·VW \(ndimc * vw)" }
        if mwg % vw != 0 || kwg % vw != 0 { return "MWG \(mwg) and KWG \(kwg) must be multiples of VW \(vw)" }
        return nil
    }

    /// Why a device cannot run these parameters (local memory, work-group size), or nil: the
    /// pre-launch check, stated as requested vs available.
    public func limitError(_ dtype: DType, device info: CLDeviceInfo) -> ComputeError? {
        let bytes = localMemoryBytes(dtype)
        if bytes > info.localMemory {
            return .localMemoryTooLarge(kernel: "gemm_tiled \(description)", requested: bytes,
                                        available: info.localMemory, device: info.label)
        }
        let dims = info.maxWorkItemSizes
        if workGroupSize > info.maxWorkGroupSize || dims.count < 2 || ndimc > dims[0] || mdimc > dims[1] {
            return .workGroupTooLarge(kernel: "gemm_tiled \(description)", requested: [ndimc, mdimc, 1],
                                      maxTotal: info.maxWorkGroupSize, maxPerDim: dims)
        }
        return nil
    }

    /// Built-in defaults for an untuned device, by vendor, so that every GPU runs a GPU-shaped
    /// kernel: 64×64 blocks of 16×16 work-items (4×4 register tiles) where 256 work-items and
    /// 16 KiB of local memory are certain (NVIDIA, AMD), 32×32 blocks of 8×8 elsewhere (Intel,
    /// Oclgrind, unknown). Shrunk until the device's limits admit them.
    public static func defaults(for info: CLDeviceInfo, dtype: DType) -> GemmTiledParams {
        // By the device's vendor, for GPUs and accelerators only (PoCL on an AMD CPU is no AMD GPU).
        let v = info.type == "CPU" ? "" : (info.vendor + " " + info.platformVendor).lowercased()
        var preferred: [GemmTiledParams] = []
        if v.contains("nvidia") || v.contains("advanced micro") || v.contains("amd") {
            preferred.append(GemmTiledParams(mwg: 64, nwg: 64, kwg: 16, mdimc: 16, ndimc: 16, vw: dtype == .f32 ? 4 : 2))
        } else if v.contains("intel") {
            preferred.append(GemmTiledParams(mwg: 64, nwg: 64, kwg: 16, mdimc: 8, ndimc: 16, vw: 4))
        }
        preferred += [GemmTiledParams(mwg: 32, nwg: 32, kwg: 16, mdimc: 8, ndimc: 8, vw: 2),
                      GemmTiledParams(mwg: 16, nwg: 16, kwg: 8, mdimc: 4, ndimc: 4, vw: 2),
                      GemmTiledParams(mwg: 4, nwg: 4, kwg: 4, mdimc: 2, ndimc: 2, vw: 1)]
        return preferred.first { $0.limitError(dtype, device: info) == nil } ?? preferred.last!
    }

    /// The tuner's search space: block sizes, work-group shapes and vector widths that satisfy
    /// the kernel's rules (device limits are applied by the tuner, which reports what it skips).
    public static func candidates(dtype: DType) -> [GemmTiledParams] {
        var out: [GemmTiledParams] = []
        for (mdimc, ndimc) in [(8, 8), (16, 16), (8, 16), (16, 8), (32, 8), (8, 32), (32, 32)] {
            for mwi in [2, 4, 8] {
                for nwi in [2, 4, 8] {
                    for kwg in [8, 16, 32] {
                        for vw in [1, 2, 4, 8] where nwi % vw == 0 {
                            let p = GemmTiledParams(mwg: mdimc * mwi, nwg: ndimc * nwi, kwg: kwg,
                                                    mdimc: mdimc, ndimc: ndimc, vw: vw)
                            if p.shapeProblem == nil { out.append(p) }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// The shape classes a tuning record covers, by the work of one product (m·n·k).
public enum GemmShapeClass: String, Sendable, Codable, CaseIterable {
    case small, medium, large

    public init(m: Int, n: Int, k: Int) {
        let work = Double(m) * Double(n) * Double(max(k, 1))
        self = work < 128 * 128 * 128 ? .small : work < 768 * 768 * 768 ? .medium : .large
    }

    /// The square size the tuner measures for this class.
    public func representativeSize(isGPU: Bool) -> Int {
        switch self {
        case .small: 96
        case .medium: 384
        case .large: isGPU ? 2048 : 1024
        }
    }
}

/// One tuning result: on this device and driver, for this dtype and shape class, which engine
/// is fastest and, for the GPU-shaped kernel, with which parameters.
public struct GemmTuningRecord: Sendable, Codable, Equatable {
    public var device: String, driver: String
    public var dtype: DType
    public var shapeClass: GemmShapeClass
    /// "tiled" (kernels/gemm_tiled.cl), "own" (kernels/gemm.cl) or "clblast".
    public var engine: String
    public var tiled: GemmTiledParams?
    /// Measured rates at the class's representative size (GFLOP/s), by engine.
    public var gflops: [String: Double]
    public var size: Int
    public var date: String

    public init(device: String, driver: String, dtype: DType, shapeClass: GemmShapeClass, engine: String,
                tiled: GemmTiledParams?, gflops: [String: Double], size: Int, date: String) {
        (self.device, self.driver, self.dtype, self.shapeClass) = (device, driver, dtype, shapeClass)
        (self.engine, self.tiled, self.gflops, self.size) = (engine, tiled, gflops, size)
        self.date = date
    }

    func matches(_ info: CLDeviceInfo) -> Bool { device == info.name && driver == info.driverVersion }
}

/// The tuning file: every record of every device tuned on this machine (GEMM records, and
/// the convolution's under "conv"), as JSON in the cache directory ($GPURUN_KERNEL_CACHE, else
/// $XDG_CACHE_HOME/gpurun/kernels, else ~/.cache/gpurun/kernels: ProgramCache's), file
/// gemm-tuning.json. Written to a temporary file and renamed (atomic: a reader sees the old or
/// the new file, never half of one). A file that does not parse is reported on stderr and
/// ignored (the next tune replaces it).
public struct GemmTuningFile: Sendable {
    public static let version = 1
    struct Contents: Codable {
        var version: Int
        var records: [GemmTuningRecord]
        /// Absent in files written before convolution tuning.
        var conv: [ConvTuningRecord]?
    }

    public let url: URL?

    public init(url: URL?) { self.url = url }

    /// The file in the cache directory; nil when the cache is off (GPURUN_KERNEL_CACHE=off).
    public static var standard: GemmTuningFile {
        GemmTuningFile(url: ProgramCache.defaultDirectory()?.appendingPathComponent("gemm-tuning.json"))
    }

    /// The file's contents; nil when there is no file, and nil with a note when it is corrupt.
    func contents(report: (String) -> Void) -> Contents? {
        guard let url, let data = try? Data(contentsOf: url) else { return nil }
        do {
            let c = try JSONDecoder().decode(Contents.self, from: data)
            guard c.version == Self.version else {
                report("gpurun: tuning file \(url.path) has version \(c.version), expected \(Self.version); ignored")
                return nil
            }
            return c
        } catch {
            report("gpurun: tuning file \(url.path) is corrupt (\(error)); ignored, run `gpurun tune` to rewrite it")
            return nil
        }
    }

    /// Every GEMM record; [] when there is no file, and [] with a note on stderr when it is corrupt.
    public func load(report: (String) -> Void = GemmTuningFile.warn) -> [GemmTuningRecord] {
        contents(report: report)?.records ?? []
    }

    /// Every convolution record, as `load`.
    public func loadConv(report: (String) -> Void = GemmTuningFile.warn) -> [ConvTuningRecord] {
        contents(report: report)?.conv ?? []
    }

    static let cacheOff = ComputeError.io(path: "gemm-tuning.json", reason: "the cache directory is off (GPURUN_KERNEL_CACHE=off)")

    /// Throws, saying why, unless `store` could write the file: the cache is on, and the file
    /// and its folder are writable or could be created. Tuning calls it before any work.
    public func checkWritable() throws {
        guard let url else { throw Self.cacheOff }
        do { try checkFileCanBeWritten(url) } catch {
            throw ComputeError.io(path: url.path, reason: "the tuning file cannot be written: \(error)")
        }
    }

    /// Replaces the GEMM records with the same (device, driver, dtype, shape class), keeps the
    /// rest, and writes atomically.
    public func store(_ new: [GemmTuningRecord]) throws {
        var c = contents(report: Self.warn) ?? Contents(version: Self.version, records: [], conv: nil)
        c.records.removeAll { r in
            new.contains { $0.device == r.device && $0.driver == r.driver && $0.dtype == r.dtype && $0.shapeClass == r.shapeClass }
        }
        c.records += new
        try write(c)
    }

    /// Replaces the convolution records with the same (device, driver, dtype, pass, shape class).
    public func storeConv(_ new: [ConvTuningRecord]) throws {
        var c = contents(report: Self.warn) ?? Contents(version: Self.version, records: [], conv: nil)
        var conv = c.conv ?? []
        conv.removeAll { r in new.contains { $0.device == r.device && $0.driver == r.driver && $0.key == r.key } }
        c.conv = conv + new
        try write(c)
    }

    private func write(_ contents: Contents) throws {
        guard let url else { throw Self.cacheOff }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try enc.encode(contents)
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let tmp = dir.appendingPathComponent(".gemm-tuning.\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp")
            try data.write(to: tmp)
            if rename(tmp.path, url.path) != 0 {
                let e = errno
                try? FileManager.default.removeItem(at: tmp)
                throw ComputeError.io(path: url.path, reason: "rename failed: \(String(cString: strerror(e)))")
            }
        } catch let e as ComputeError {
            throw e
        } catch {
            throw ComputeError.io(path: url.path, reason: "\(error)")
        }
    }

    public static func warn(_ s: String) {
        writeStderrLine(s)
    }
}

/// What GEMM runs with on one device: the records of the tuning file that match it, else the
/// built-in defaults (CPU devices: our CPU-shaped kernel with GemmTiles; GPUs and accelerators:
/// the GPU-shaped kernel with the vendor's GemmTiledParams).
public struct GemmTuning: Sendable {
    public let records: [GemmTuningRecord]
    public let info: CLDeviceInfo
    /// Why records of the tuning file were refused for this device, one line each: measured on
    /// the same device name with another driver version, or holding parameters this device
    /// cannot run (its local memory or work-group limits, or the kernel's rules). Records of
    /// other devices are not listed (a tuning file holds every device of the machine).
    public let refused: [String]

    public init(info: CLDeviceInfo, records: [GemmTuningRecord]) {
        self.info = info
        var kept: [GemmTuningRecord] = [], refused: [String] = []
        for r in records where r.device == info.name {
            let what = "\(r.dtype.rawValue)/\(r.shapeClass.rawValue)"
            if r.driver != info.driverVersion {
                refused.append("\(what) was measured with driver \(r.driver), this device runs \(info.driverVersion)")
            } else if r.engine == "tiled", r.tiled == nil {
                refused.append("\(what) names the tiled kernel without its parameters")
            } else if let t = r.tiled, let why = t.shapeProblem ?? t.limitError(r.dtype, device: info).map({ "\($0)" }) {
                refused.append("\(what) has parameters \(t) that this device cannot run: \(why)")
            } else if !["tiled", "own", "clblast"].contains(r.engine) {
                refused.append("\(what) names an unknown engine '\(r.engine)'")
            } else {
                kept.append(r)
            }
        }
        (self.records, self.refused) = (kept, refused)
    }

    /// Loads the standard tuning file for this device; refused records are reported once per
    /// process on stderr (the run goes on with what is left, else the built-in defaults).
    public static func load(for info: CLDeviceInfo) -> GemmTuning {
        let tuning = GemmTuning(info: info, records: GemmTuningFile.standard.load())
        if !tuning.refused.isEmpty {
            refusedNote.once {
                writeStderrLine("gpurun: tuning records for \(info.label) refused (\(tuning.refused.joined(separator: "; "))); "
                                + "\(tuning.isTuned ? "the others are used" : "built-in defaults are used"); run `gpurun tune gemm` to measure this device")
            }
        }
        return tuning
    }
    private static let refusedNote = OnceFlag()

    public var isTuned: Bool { !records.isEmpty }

    public func record(dtype: DType, shapeClass: GemmShapeClass) -> GemmTuningRecord? {
        records.last { $0.dtype == dtype && $0.shapeClass == shapeClass }
    }

    /// The engine name ("tiled", "own", "clblast") and tiled parameters for one product.
    public func choice(dtype: DType, m: Int, n: Int, k: Int) -> (engine: String, tiled: GemmTiledParams) {
        let cls = GemmShapeClass(m: m, n: n, k: k)
        let fallback = GemmTiledParams.defaults(for: info, dtype: dtype)
        if let r = record(dtype: dtype, shapeClass: cls) ?? record(dtype: dtype, shapeClass: .large) {
            return (r.engine, r.tiled ?? fallback)  // init refused records this device cannot run
        }
        return (info.type == "CPU" ? "own" : "tiled", fallback)
    }
}
