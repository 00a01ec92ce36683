import Compute
import Foundation

/// Where each random quantity of an experiment comes from: Philox streams of the run's seed.
/// Fixed here, so one seed draws the same experiment on every backend and batch size.
public enum PhiloxStreams {
    /// Weight matrix `matrix` (0, 1, 2… in the model's documented order) of network `network`.
    public static func weights(network: Int, matrix: Int = 0) -> UInt32 { UInt32(network * 16 + matrix) }
    /// Initial state of trajectory `member`.
    public static func initialState(_ member: Int) -> UInt32 { 0x0010_0000 + UInt32(member) }
    /// Initial tangent block of trajectory `member`.
    public static func tangent(_ member: Int) -> UInt32 { 0x0020_0000 + UInt32(member) }
    /// Fresh matrices drawn during a run (products of random matrices).
    public static func perStep(_ member: Int) -> UInt32 { 0x0030_0000 + UInt32(member) }
    /// The backward pass's initial triangle of member `member` (covariant vectors, docs/lyapunov.md L16).
    public static func covariant(_ member: Int) -> UInt32 { 0x0060_0000 + UInt32(member) }
    /// Seeds of the networks of a Jacobian ensemble (block k: sample k).
    public static let ensembleMember: UInt32 = 0x0040_0000
}

/// Random and loaded weight matrices for the models.
public enum ModelWeights {
    /// An n×n Gaussian matrix with entries N(0, gain²/n) from (seed, stream); the diagonal is
    /// zeroed when asked (docs/models.md M0: the default for the rate network).
    public static func gaussian<T: Scalar>(n: Int, rows: Int? = nil, gain: Double, seed: UInt64, stream: UInt32,
                                           zeroDiagonal: Bool = false) -> [T] {
        let r = rows ?? n
        let z: [Double] = PhiloxFill.normal(count: r * n, seed: seed, stream: stream)
        let s = gain / Double(n).squareRoot()
        var out = z.map { T($0 * s) }
        if zeroDiagonal { for i in 0..<min(r, n) { out[i * n + i] = 0 } }
        return out
    }

    /// Reads a matrix file and checks its shape and values: `expected` is the shape it must
    /// have (nil entries are free). Errors name the file and the expected shape.
    public static func load<T: Scalar>(_ url: URL, expected: [Int?]) throws -> (values: [T], shape: [Int]) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ComputeError.io(path: url.path, reason: "no such file (expected a .npy array of shape \(describe(expected)))")
        }
        let a = try Npy.read(url)
        guard a.shape.count == expected.count,
              zip(a.shape, expected).allSatisfy({ $1 == nil || $0 == $1 }) else {
            throw ComputeError.io(path: url.path, reason: "has shape \(a.shape), expected \(describe(expected))")
        }
        let d = try a.doubles()
        if let bad = d.firstIndex(where: { !$0.isFinite }) {
            throw ComputeError.io(path: url.path, reason: "element \(bad) is \(d[bad]); weights must be finite")
        }
        return (d.map { T($0) }, a.shape)
    }

    /// A square matrix from a file or from `name` in a directory.
    public static func loadSquare<T: Scalar>(_ path: String, name: String, n: Int? = nil) throws -> (values: [T], n: Int) {
        let url = resolve(path, name)
        let a = try Npy.read(url)
        guard a.shape.count == 2, a.shape[0] == a.shape[1] else {
            throw ComputeError.io(path: url.path, reason: "has shape \(a.shape), expected a square matrix [N, N]")
        }
        let loaded: (values: [T], shape: [Int]) = try load(url, expected: [n ?? a.shape[0], n ?? a.shape[0]])
        return (loaded.values, loaded.shape[0])
    }

    /// `path` itself when it is a file, else `path/name`.
    public static func resolve(_ path: String, _ name: String) -> URL {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            return URL(fileURLWithPath: path).appendingPathComponent(name)
        }
        return URL(fileURLWithPath: path)
    }

    static func describe(_ shape: [Int?]) -> String {
        "[" + shape.map { $0.map(String.init) ?? "any" }.joined(separator: ", ") + "]"
    }
}
