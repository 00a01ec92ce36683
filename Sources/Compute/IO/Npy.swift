/// Reading and writing numpy .npy files (format versions 1.0, 2.0 and 3.0 read; 1.0 written)
/// holding 1- to 3-dimensional, C-ordered, little-endian float32, float64, complex64,
/// complex128, int32 or int64 arrays. Malformed input gives a `ComputeError`, never a crash.
import Foundation
import OpenCLRuntime

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One complex value, as `NpyArray.complex()` returns it.
public struct NpyComplex: Sendable, Hashable {
    public var re: Double
    public var im: Double
    public init(re: Double, im: Double) {
        self.re = re
        self.im = im
    }
}

/// An array as stored in a .npy file: its shape, its element type, and its payload (raw
/// little-endian bytes in C order).
public struct NpyArray: Sendable {
    public var shape: [Int]
    public var dtype: NpyDType
    public var data: [UInt8]

    /// Number of elements: the product of the shape (Int.max if that overflows, which only a
    /// hand-edited `shape` can cause).
    public var count: Int { elementCount(shape) ?? .max }

    /// An array from its parts; the payload must be exactly `count * dtype.itemSize` bytes.
    public init(shape: [Int], dtype: NpyDType, data: [UInt8]) throws {
        let n = try Self.checkedCount(shape, components: 1)
        let (bytes, overflow) = n.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow, bytes == data.count else {
            throw ComputeError.shapeMismatch(
                "shape \(shape) of \(dtype.rawValue) needs \(n) × \(dtype.itemSize) bytes but "
                    + "\(data.count) bytes were given")
        }
        self.shape = shape
        self.dtype = dtype
        self.data = data
    }

    /// A real array of `shape`, its dtype from the element type.
    public init(_ values: [Float], shape: [Int]) throws { try self.init(unchecked: values, shape: shape, dtype: .float32) }
    public init(_ values: [Double], shape: [Int]) throws { try self.init(unchecked: values, shape: shape, dtype: .float64) }
    public init(_ values: [Int32], shape: [Int]) throws { try self.init(unchecked: values, shape: shape, dtype: .int32) }
    public init(_ values: [Int64], shape: [Int]) throws { try self.init(unchecked: values, shape: shape, dtype: .int64) }

    /// A complex64 array from interleaved parts `[re0, im0, re1, im1, …]`.
    public init(complexInterleaved values: [Float], shape: [Int]) throws {
        try self.init(unchecked: values, shape: shape, dtype: .complex64, components: 2)
    }

    /// A complex128 array from interleaved parts `[re0, im0, re1, im1, …]`.
    public init(complexInterleaved values: [Double], shape: [Int]) throws {
        try self.init(unchecked: values, shape: shape, dtype: .complex128, components: 2)
    }

    /// A complex array; `dtype` is `.complex128` (exact) or `.complex64` (rounds to Float).
    public init(_ values: [NpyComplex], shape: [Int], dtype: NpyDType = .complex128) throws {
        switch dtype {
        case .complex128:
            try self.init(complexInterleaved: values.flatMap { [$0.re, $0.im] }, shape: shape)
        case .complex64:
            try self.init(
                complexInterleaved: values.flatMap { [Float($0.re), Float($0.im)] }, shape: shape)
        default:
            throw ComputeError.invalidArgument(
                "NpyArray(_: [NpyComplex]) makes complex64 or complex128, not \(dtype.rawValue)")
        }
    }

    private init<T: BitwiseCopyable>(
        unchecked values: [T], shape: [Int], dtype: NpyDType, components: Int = 1
    ) throws {
        let n = try Self.checkedCount(shape, components: components)
        guard n == values.count else {
            let per = components == 2 ? " (interleaved re/im, so twice the element count)" : ""
            throw ComputeError.shapeMismatch(
                "shape \(shape) holds \(n / components) elements but \(values.count) values "
                    + "were given\(per)")
        }
        self.shape = shape
        self.dtype = dtype
        self.data = littleEndianBytes(values, componentSize: dtype.componentSize)
    }

    /// The number of scalars a shape holds, times `components`; checks rank and overflow.
    private static func checkedCount(_ shape: [Int], components: Int) throws -> Int {
        guard (1...3).contains(shape.count) else {
            throw ComputeError.shapeMismatch(
                "shape \(shape) has \(shape.count) dimensions; gpurun writes 1 to 3")
        }
        guard let n = elementCount(shape), !shape.contains(where: { $0 < 0 }) else {
            throw ComputeError.shapeMismatch("shape \(shape) is negative or too large")
        }
        let (total, overflow) = n.multipliedReportingOverflow(by: components)
        guard !overflow else { throw ComputeError.shapeMismatch("shape \(shape) is too large") }
        return total
    }

    // MARK: Typed access

    /// The values of a float32 array.
    public func floats() throws -> [Float] { try stored(Float.self, as: .float32, "floats()", else: "doubles()") }

    /// The values as Double, converted from float32, int32 or int64 (exact unless an int64
    /// exceeds 2^53 in magnitude).
    public func doubles() throws -> [Double] {
        switch dtype {
        case .float64: return decode(Double.self)
        case .float32: return decode(Float.self).map(Double.init)
        case .int32, .int64: return try int64s().map(Double.init)
        case .complex64, .complex128:
            throw wrongType("doubles()", wants: "real", else: "complex()")
        }
    }

    /// The values of a complex64 or complex128 array.
    public func complex() throws -> [NpyComplex] {
        let parts: [Double]
        switch dtype {
        case .complex64: parts = decode(Float.self).map(Double.init)
        case .complex128: parts = decode(Double.self)
        default: throw wrongType("complex()", wants: "complex64 or complex128", else: "doubles()")
        }
        return (0..<parts.count / 2).map { NpyComplex(re: parts[2 * $0], im: parts[2 * $0 + 1]) }
    }

    /// The values of an int32 array.
    public func int32s() throws -> [Int32] {
        try stored(Int32.self, as: .int32, "int32s()", else: "int64s() or doubles()")
    }

    /// The values of an int32 or int64 array.
    public func int64s() throws -> [Int64] {
        switch dtype {
        case .int64: return decode(Int64.self)
        case .int32: return decode(Int32.self).map(Int64.init)
        default: throw wrongType("int64s()", wants: "int32 or int64", else: "doubles() or complex()")
        }
    }

    /// The values of an array stored as `type`, else the error of `accessor` that names `other`.
    private func stored<T: BitwiseCopyable>(_: T.Type, as type: NpyDType, _ accessor: String, else other: String) throws
        -> [T] {
        guard dtype == type else { throw wrongType(accessor, wants: type.rawValue, else: other) }
        return decode(T.self)
    }

    private func wrongType(_ accessor: String, wants: String, else other: String) -> ComputeError {
        .invalidArgument("\(accessor) reads \(wants) arrays, but this array is \(dtype.rawValue); use \(other)")
    }

    /// The payload as scalars of T (complex types as interleaved parts). The payload length
    /// is trusted only as far as whole scalars go.
    private func decode<T: BitwiseCopyable>(_: T.Type) -> [T] {
        let size = MemoryLayout<T>.stride
        var bytes = data
        if !hostIsLittleEndian { swapComponents(&bytes, size: size) }
        let n = bytes.count / size
        return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            bytes.withUnsafeBytes { src in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: src.prefix(n * size)))
            }
            initialized = n
        }
    }
}

/// Reverses the bytes of each `size`-byte component in place.
func swapComponents(_ bytes: inout [UInt8], size: Int) {
    guard size > 1 else { return }
    var i = 0
    while i + size <= bytes.count {
        bytes[i..<i + size].reverse()
        i += size
    }
}

/// The product of a shape, or nil on overflow.
func elementCount(_ shape: [Int]) -> Int? { Checked.product(shape) }

/// The bytes of `values` in little-endian order.
func littleEndianBytes<T: BitwiseCopyable>(_ values: [T], componentSize: Int) -> [UInt8] {
    var bytes = values.withUnsafeBytes { [UInt8]($0) }
    if !hostIsLittleEndian { swapComponents(&bytes, size: componentSize) }
    return bytes
}

/// Reads and writes .npy files.
public enum Npy {
    static let magic: [UInt8] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]  // \x93NUMPY

    /// Reads the file at `url`.
    public static func read(_ url: URL) throws -> NpyArray {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ComputeError.io(path: url.path, reason: "cannot read the file (\(fileErrorReason(error)))")
        }
        return try read(data: data, name: url.path)
    }

    /// Parses a .npy file's contents; `name` appears in errors.
    public static func read(data: Data, name: String) throws -> NpyArray {
        try data.withUnsafeBytes { try parse($0, name: name) }
    }

    /// Parses a .npy file's contents; `name` appears in errors.
    public static func read(bytes: [UInt8], name: String) throws -> NpyArray {
        try bytes.withUnsafeBytes { try parse($0, name: name) }
    }

    private static func parse(_ raw: UnsafeRawBufferPointer, name: String) throws -> NpyArray {
        func fail(_ reason: String) -> ComputeError { .io(path: name, reason: reason) }
        guard raw.count >= 10, raw.prefix(6).elementsEqual(magic) else {
            throw fail("not a .npy file (it does not start with the bytes \\x93NUMPY)")
        }
        let major = raw[6], minor = raw[7]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(raw[8]) | Int(raw[9]) << 8
        case 2, 3:
            guard raw.count >= 12 else { throw fail("the file ends inside the .npy preamble") }
            headerStart = 12
            headerLength = (0..<4).reduce(0) { $0 | Int(raw[8 + $1]) << (8 * $1) }
        default:
            throw fail("unsupported .npy format version \(major).\(minor); gpurun reads 1.0, 2.0 and 3.0")
        }
        let payloadStart = headerStart + headerLength
        guard payloadStart <= raw.count else {
            throw fail("the file ends inside the header (header of \(headerLength) bytes, "
                + "\(raw.count - headerStart) present)")
        }
        let header = try NpyHeader.parse(
            UnsafeRawBufferPointer(rebasing: raw[headerStart..<payloadStart]), path: name)
        let dtype = try NpyDType.parse(descr: header.descr, path: name)
        let shape = header.shape
        guard (1...3).contains(shape.count) else {
            throw fail("the array has \(shape.count) dimensions; gpurun reads 1 to 3 (shape \(tupleText(shape)))")
        }
        // A Fortran-ordered file has the same layout as a C-ordered one when at most one
        // dimension exceeds 1; otherwise the values would come out transposed.
        if header.fortranOrder, shape.filter({ $0 > 1 }).count > 1 {
            throw fail("the array is in Fortran order; save it with np.ascontiguousarray(a)")
        }
        guard let n = elementCount(shape) else { throw fail("shape \(tupleText(shape)) is too large") }
        let (expected, overflow) = n.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow else { throw fail("shape \(tupleText(shape)) is too large") }
        let found = raw.count - payloadStart
        guard found >= expected else {
            throw fail("truncated payload: expected \(expected) bytes of data for shape "
                + "\(tupleText(shape)) of \(dtype.rawValue), found \(found)")
        }
        // Bytes past the payload are ignored, as np.load ignores them.
        let payload = [UInt8](raw[payloadStart..<payloadStart + expected])
        return try NpyArray(shape: shape, dtype: dtype, data: payload)
    }

    /// The file contents for `a`: format 1.0 (2.0 if the header would not fit), the header
    /// padded so the payload starts at a multiple of 64 bytes.
    public static func encode(_ a: NpyArray) -> [UInt8] {
        let dict = NpyHeader(descr: a.dtype.descr, fortranOrder: false, shape: a.shape).text
        var headerBytes = Array(dict.utf8)
        var preamble = 10
        var total = preamble + headerBytes.count + 1  // + the final '\n'
        var padded = (total + 63) / 64 * 64
        if padded - preamble > 0xffff {  // too long for a u16 length: format 2.0
            preamble = 12
            total += 2
            padded = (total + 63) / 64 * 64
        }
        headerBytes += [UInt8](repeating: 0x20, count: padded - total) + [0x0a]
        var out = magic
        out.reserveCapacity(padded + a.data.count)
        if preamble == 10 {
            out += [1, 0, UInt8(headerBytes.count & 0xff), UInt8(headerBytes.count >> 8)]
        } else {
            out += [2, 0] + (0..<4).map { UInt8((headerBytes.count >> (8 * $0)) & 0xff) }
        }
        out += headerBytes
        out += a.data
        return out
    }

    /// Writes `a` to `url` atomically: into a temporary file in the same directory, flushed
    /// to disk, then renamed over the destination.
    public static func write(_ a: NpyArray, to url: URL) throws {
        let path = url.path
        func fail(_ reason: String) -> ComputeError { .io(path: path, reason: reason) }
        guard (1...3).contains(a.shape.count) else {
            throw fail("the array has \(a.shape.count) dimensions; gpurun writes 1 to 3")
        }
        let expected = elementCount(a.shape).map { $0.multipliedReportingOverflow(by: a.dtype.itemSize) }
        guard a.shape.allSatisfy({ $0 >= 0 }), let expected, !expected.overflow,
            expected.partialValue == a.data.count
        else {
            throw fail("the payload has \(a.data.count) bytes, which does not match shape "
                + "\(tupleText(a.shape)) of \(a.dtype.rawValue)")
        }
        let bytes = encode(a)
        let dir = url.deletingLastPathComponent().path
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-" + UUID().uuidString
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o666)
        guard fd >= 0 else { throw fail("cannot create a temporary file in \(dir): \(errnoText())") }
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        if let writeError = writeAll(fd, bytes) {
            close(fd)
            throw fail("cannot write: \(writeError)")
        }
        if fsync(fd) != 0 {
            let e = errnoText()
            close(fd)
            throw fail("cannot flush to disk: \(e)")
        }
        if close(fd) != 0 { throw fail("cannot close the temporary file: \(errnoText())") }
        if rename(tmp, path) != 0 { throw fail("cannot rename the temporary file into place: \(errnoText())") }
        ok = true
    }

}

/// The text of the current `errno`.
private func errnoText() -> String { String(cString: strerror(errno)) }

/// Writes all of `bytes` to `fd`; nil on success, else the reason.
private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> String? {
    bytes.withUnsafeBytes { buf -> String? in
        guard let base = buf.baseAddress else { return nil }
        var offset = 0
        while offset < buf.count {
            let n = write(fd, base + offset, buf.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errnoText()
            }
            offset += n
        }
        return nil
    }
}

/// A shape as Python writes it: `(3,)`, `(2, 3)`, `()`.
package func tupleText(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}
