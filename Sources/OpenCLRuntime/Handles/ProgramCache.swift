import COpenCL
import Foundation

/// Compiled programs of one context: in memory by (file, options), on disk as device binaries.
///
/// Disk key: a 128-bit hash of platform name and version, device name, driver version, build
/// options and source text. Entries are written to a temporary file and renamed (atomic), carry a
/// magic, a length and a hash of the key and the whole binary, checked before the binary reaches
/// the driver (so an entry copied under another key is refused too); an entry that fails any
/// check, or that the driver refuses, is rebuilt from source and rewritten. Drivers that keep
/// their own cache of compiled programs (PoCL, NVIDIA) get sources only: a binary that a
/// driver cannot digest may crash it inside the process, and theirs is as fast. Directory: $GPURUN_KERNEL_CACHE, else
/// $XDG_CACHE_HOME/gpurun/kernels, else ~/.cache/gpurun/kernels; GPURUN_KERNEL_CACHE=off disables it,
/// and a path that is a file or cannot be created turns it off with a note on stderr.
package final class ProgramCache: @unchecked Sendable {
    /// What the last `program` call did, for tests and `--verbose`.
    package enum Outcome: Equatable { case memory, disk, built, rebuiltCorrupt }

    /// Which devices get binaries from the disk cache.
    package enum BinaryPolicy: Sendable { case unlessDriverCaches, always }

    private var programs: [String: (program: cl_program?, kernels: [String: cl_kernel?])] = [:]
    let diskDirectory: URL?
    let binaries: BinaryPolicy
    package private(set) var lastOutcome: Outcome = .built

    package init(diskDirectory: URL?, binaries: BinaryPolicy = .unlessDriverCaches) {
        self.diskDirectory = diskDirectory
        self.binaries = binaries
    }

    /// PoCL (POCL_CACHE_DIR) and NVIDIA (its compute cache) keep compiled programs themselves.
    package static func driverKeepsItsOwnCache(_ info: CLDeviceInfo) -> Bool {
        info.platformName.contains("Portable Computing Language") || info.platformName.contains("NVIDIA")
    }

    static func defaultDirectory() -> URL? {
        let env = ProcessInfo.processInfo.environment
        if let p = env["GPURUN_KERNEL_CACHE"] {
            return p == "off" || p.isEmpty ? nil : URL(fileURLWithPath: p)
        }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty {
            return URL(fileURLWithPath: x).appendingPathComponent("gpurun/kernels")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/gpurun/kernels")
    }

    /// `defaultDirectory()` when it is a folder or could be created there; otherwise nil (the
    /// cache is off) with one line on stderr saying why, once per process.
    static func usableDefaultDirectory() -> URL? {
        guard let url = defaultDirectory() else { return nil }
        do {
            try checkFolderCanExist(url)
            return url
        } catch {
            unusableWarning.once {
                writeStderrLine("gpurun: kernel cache \(error); running without it "
                    + "(set GPURUN_KERNEL_CACHE to a writable folder, or to off)")
            }
            return nil
        }
    }

    private static let unusableWarning = OnceFlag()

    func releaseAll() {
        for (_, entry) in programs {
            for (_, k) in entry.kernels { clReleaseKernel(k) }
            clReleaseProgram(entry.program)
        }
        programs.removeAll()
    }

    /// A kernel object, building or loading its program on first use. Caller holds the context lock.
    func kernel(file: String, name: String, options: String, on ctx: CLContext) throws -> cl_kernel? {
        let key = file + "\u{0}" + options
        if programs[key] == nil {
            programs[key] = (try program(file: file, options: options, on: ctx), [:])
        } else {
            lastOutcome = .memory
        }
        if let k = programs[key]!.kernels[name] { return k }
        var status: cl_int = 0
        let k = clCreateKernel(programs[key]!.program, name, &status)
        try clCheck(status, "clCreateKernel(\(name)) in kernels/\(file)")
        programs[key]!.kernels[name] = k
        return k
    }

    private func program(file: String, options: String, on ctx: CLContext) throws -> cl_program? {
        try program(source: KernelLibrary.source(file), file: file, options: options, on: ctx)
    }

    /// Builds (or loads) `source`; `file` names it in messages.
    package func program(source: String, file: String, options: String, on ctx: CLContext) throws -> cl_program? {
        let fullOptions = ("-cl-std=CL1.2 " + options).trimmingWhitespace()
        let key = Self.key(ctx.info, fullOptions, source)
        let useDisk = binaries == .always || !Self.driverKeepsItsOwnCache(ctx.info)
        let path = useDisk ? diskDirectory.map { $0.appendingPathComponent(key + ".bin") } : nil
        var sawCorrupt = false
        if let path, FileManager.default.fileExists(atPath: path.path) {
            if let binary = Self.readEntry(path, key: key), let p = try? fromBinary(binary, options: fullOptions, on: ctx) {
                lastOutcome = .disk
                return p
            }
            sawCorrupt = true
        }
        let p = try fromSource(source, file: file, options: fullOptions, on: ctx)
        if let path, let binary = try? Self.binary(of: p) { Self.writeEntry(path, binary, key: key) }
        lastOutcome = sawCorrupt ? .rebuiltCorrupt : .built
        return p
    }

    private func fromSource(_ source: String, file: String, options: String, on ctx: CLContext) throws -> cl_program? {
        var status: cl_int = 0
        let program: cl_program? = source.withCString { s in
            var ptr: UnsafePointer<CChar>? = s
            var len = strlen(s)
            return clCreateProgramWithSource(ctx.context, 1, &ptr, &len, &status)
        }
        try clCheck(status, "clCreateProgramWithSource(kernels/\(file))")
        var dev = ctx.device
        let b = clBuildProgram(program, 1, &dev, options, nil, nil)
        if b != CL_SUCCESS {
            let log = Self.buildLog(program, ctx.device)
            clReleaseProgram(program)
            if b == CL_BUILD_PROGRAM_FAILURE {
                throw ComputeError.buildFailed(file: file, device: ctx.info.label, options: options, log: log)
            }
            throw OpenCLError(code: b, call: "clBuildProgram(kernels/\(file))", detail: log)
        }
        return program
    }

    private func fromBinary(_ binary: [UInt8], options: String, on ctx: CLContext) throws -> cl_program? {
        var status: cl_int = 0, binaryStatus: cl_int = 0
        var dev = ctx.device
        let program: cl_program? = binary.withUnsafeBufferPointer { buf in
            var len = buf.count
            var ptr: UnsafePointer<UInt8>? = buf.baseAddress
            return clCreateProgramWithBinary(ctx.context, 1, &dev, &len, &ptr, &binaryStatus, &status)
        }
        try clCheck(status, "clCreateProgramWithBinary")
        if binaryStatus != CL_SUCCESS {
            clReleaseProgram(program)
            throw OpenCLError(code: binaryStatus, call: "clCreateProgramWithBinary")
        }
        let b = clBuildProgram(program, 1, &dev, options, nil, nil)
        if b != CL_SUCCESS {
            clReleaseProgram(program)
            throw OpenCLError(code: b, call: "clBuildProgram(binary)")
        }
        return program
    }

    static func buildLog(_ program: cl_program?, _ device: cl_device_id?) -> String {
        var size = 0
        clGetProgramBuildInfo(program, device, cl_program_build_info(CL_PROGRAM_BUILD_LOG), 0, nil, &size)
        var bytes = [CChar](repeating: 0, count: size + 1)
        clGetProgramBuildInfo(program, device, cl_program_build_info(CL_PROGRAM_BUILD_LOG), size, &bytes, nil)
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func binary(of program: cl_program?) throws -> [UInt8] {
        var size = 0
        try clCheck(clGetProgramInfo(program, cl_program_info(CL_PROGRAM_BINARY_SIZES), MemoryLayout<Int>.size, &size, nil),
                    "clGetProgramInfo(CL_PROGRAM_BINARY_SIZES)")
        var bytes = [UInt8](repeating: 0, count: size)
        try bytes.withUnsafeMutableBufferPointer { buf in
            var ptr: UnsafeMutablePointer<UInt8>? = buf.baseAddress
            try clCheck(clGetProgramInfo(program, cl_program_info(CL_PROGRAM_BINARIES),
                                         MemoryLayout<UnsafeMutablePointer<UInt8>?>.size, &ptr, nil),
                        "clGetProgramInfo(CL_PROGRAM_BINARIES)")
        }
        return bytes
    }

    // MARK: disk entries: "GPRNBIN2" | length u64 | fnv64 of key + bytes u64 | bytes

    static let magic = Array("GPRNBIN2".utf8)

    /// The entry's hash: the key's text, then the whole binary.
    static func entryHash(_ body: [UInt8], key: String) -> UInt64 {
        fnv1a64(Array(key.utf8) + body, basis: 0xcbf2_9ce4_8422_2325)
    }

    package static func key(_ info: CLDeviceInfo, _ options: String, _ source: String) -> String {
        let text = [info.platformName, info.platformVersion, info.name, info.driverVersion, options, source]
            .joined(separator: "\u{1}")
        let bytes = Array(text.utf8)
        return hex(fnv1a64(bytes, basis: 0xcbf2_9ce4_8422_2325)) + hex(fnv1a64(bytes, basis: 0x8422_2325_cbf2_9ce4))
    }

    package static func fnv1a64(_ bytes: [UInt8], basis: UInt64) -> UInt64 { ContentHash.fnv1a64(bytes, basis: basis) }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    static func readEntry(_ url: URL, key: String) -> [UInt8]? {
        guard let data = try? Data(contentsOf: url), data.count >= 24 else { return nil }
        let bytes = [UInt8](data)
        guard Array(bytes[0..<8]) == magic else { return nil }
        let len = bytes[8..<16].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        let sum = bytes[16..<24].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard len == UInt64(bytes.count - 24) else { return nil }
        let body = Array(bytes[24...])
        guard !body.isEmpty, entryHash(body, key: key) == sum else { return nil }
        return body
    }

    static func writeEntry(_ url: URL, _ body: [UInt8], key: String) {
        let dir = url.deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var out = magic
        for v in [UInt64(body.count), entryHash(body, key: key)] {
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
        }
        out += body
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp")
        do {
            try Data(out).write(to: tmp)
            if rename(tmp.path, url.path) != 0 { try? FileManager.default.removeItem(at: tmp) }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
        }
    }
}

