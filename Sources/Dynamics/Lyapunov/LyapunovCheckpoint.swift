import OpenCLRuntime
import OpenCLRuntime
import Compute
import Foundation

/// The complete state of a Lyapunov run between two steps (docs/lyapunov.md L9), so `--resume` continues exactly
/// where it stopped (bit for bit on the CPU backend).
///
/// File: "GPRNCKP1", u64 header length, JSON header, then the state and Q values as raw
/// little-endian float64, and an FNV-1a checksum of everything before it. Written atomically.
struct LyapunovCheckpoint: Codable {
    /// Model, parameters, config and dtype: a checkpoint resumes only the run that wrote it.
    var identity: [String: String]
    var phase: Int
    var t: Int
    var sums: [[Double]]
    var convergenceTimes: [Double]
    var convergence: [[Double]]
    var elapsedSeconds: Double
    var stateCount: Int
    var qCount: Int
    var members: Int
    /// Values of each member's state-covariance record (StateCovariance.values), stored after
    /// the Q blocks; absent in checkpoints of runs without one.
    var covarianceCounts: [Int]?
    /// `--block-steps` (docs/lyapunov.md L13): the closed blocks and the open one; absent without.
    var blocks: [[[Double]]]?
    var openBlock: [[Double]]?

    static let magic = Array("GPRNCKP1".utf8)

    func write(to url: URL, states: [Double], qs: [[Double]], covariances: [[Double]] = []) throws {
        var out = Self.magic
        let header = try JSONEncoder().encode(self)
        append(&out, UInt64(header.count))
        out += header
        for v in states { append(&out, v.bitPattern) }
        for q in qs { for v in q { append(&out, v.bitPattern) } }
        for c in covariances { for v in c { append(&out, v.bitPattern) } }
        append(&out, ProgramCache.fnv1a64(out, basis: 0xcbf2_9ce4_8422_2325))
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try Data(out).write(to: tmp)
            guard rename(tmp.path, url.path) == 0 else { throw ComputeError.io(path: url.path, reason: "cannot rename checkpoint into place") }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }

    static func read(_ url: URL) throws
        -> (LyapunovCheckpoint, states: [Double], qs: [[Double]], covariances: [[Double]])
    {
        func bad(_ why: String) -> ComputeError { .io(path: url.path, reason: "not a usable checkpoint: \(why)") }
        guard let data = try? Data(contentsOf: url) else { throw ComputeError.io(path: url.path, reason: "cannot read the checkpoint") }
        let bytes = [UInt8](data)
        guard bytes.count >= 24, Array(bytes[0..<8]) == magic else { throw bad("wrong magic") }
        let body = Array(bytes[0..<(bytes.count - 8)])
        guard ProgramCache.fnv1a64(body, basis: 0xcbf2_9ce4_8422_2325) == load(bytes, bytes.count - 8) else {
            throw bad("checksum mismatch (truncated or damaged)")
        }
        let hlen = Int(load(bytes, 8))
        guard 16 + hlen <= body.count else { throw bad("header length") }
        let header = try JSONDecoder().decode(LyapunovCheckpoint.self, from: Data(bytes[16..<(16 + hlen)]))
        let doubles = (body.count - 16 - hlen) / 8
        let covCounts = header.covarianceCounts ?? []
        guard doubles == header.stateCount + header.members * header.qCount + covCounts.reduce(0, +) else {
            throw bad("payload size")
        }
        var values = [Double](repeating: 0, count: doubles)
        for i in 0..<doubles { values[i] = Double(bitPattern: load(bytes, 16 + hlen + 8 * i)) }
        let states = Array(values[0..<header.stateCount])
        let qs = (0..<header.members).map { m in
            Array(values[(header.stateCount + m * header.qCount)..<(header.stateCount + (m + 1) * header.qCount)])
        }
        var at = header.stateCount + header.members * header.qCount
        let covariances = covCounts.map { c in
            defer { at += c }
            return Array(values[at..<(at + c)])
        }
        return (header, states, qs, covariances)
    }

    private func append(_ out: inout [UInt8], _ v: UInt64) {
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    private static func load(_ b: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
    }
}
