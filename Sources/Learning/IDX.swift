import Compute
import CZlib
import Foundation

/// The IDX format of MNIST and Fashion-MNIST (unsigned bytes only): magic 0x0000 08 D, then D
/// big-endian UInt32 dimensions, then the bytes, row-major. Files may be gzip-compressed
/// (read through zlib, which passes plain files through unchanged).
public enum IDX {
    public struct Array: Sendable {
        public var shape: [Int]
        public var bytes: [UInt8]
    }

    /// Reads and decodes one IDX file; a missing, unreadable or malformed file throws a
    /// `ComputeError.io` that names it.
    public static func read(_ path: String) throws -> Array {
        try decode(gunzip(path), name: path)
    }

    public static func decode(_ data: [UInt8], name: String) throws -> Array {
        guard data.count >= 4, data[0] == 0, data[1] == 0 else {
            throw ComputeError.io(path: name, reason: "not an IDX file (bad magic number)")
        }
        guard data[2] == 0x08 else {
            throw ComputeError.io(path: name, reason: String(format: "IDX element type 0x%02x is not unsigned bytes", data[2]))
        }
        let rank = Int(data[3])
        guard rank >= 1, data.count >= 4 + 4 * rank else {
            throw ComputeError.io(path: name, reason: "truncated IDX header (\(rank) dimensions)")
        }
        var shape: [Int] = []
        for d in 0..<rank {
            let o = 4 + 4 * d
            shape.append(data[o..<(o + 4)].reduce(0) { $0 << 8 | Int($1) })
        }
        let count = shape.reduce(1, *)
        let start = 4 + 4 * rank
        guard data.count - start == count else {
            throw ComputeError.io(path: name, reason: "IDX shape \(shape) needs \(count) bytes, the file has \(data.count - start)")
        }
        return Array(shape: shape, bytes: [UInt8](data[start...]))
    }

    /// The decompressed contents of a gzip (or plain) file.
    public static func gunzip(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ComputeError.io(path: path, reason: "no such file")
        }
        guard let f = gzopen(path, "rb") else { throw ComputeError.io(path: path, reason: "cannot open") }
        defer { gzclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(f, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                var code: Int32 = 0
                let msg = gzerror(f, &code).map { String(cString: $0) } ?? "read error"
                throw ComputeError.io(path: path, reason: "corrupt gzip data: \(msg)")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        // A truncated stream ends early without an error from gzread on some zlib versions.
        var code: Int32 = 0
        if let msg = gzerror(f, &code), code != Z_OK && code != Z_STREAM_END {
            throw ComputeError.io(path: path, reason: "corrupt gzip data: \(String(cString: msg))")
        }
        return out
    }
}
