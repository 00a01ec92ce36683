import Compute
import Foundation

/// Loading the models of docs/models.md from .npy files. Every refusal names the file and the shape
/// it must have ("…/weight_hh_l0.npy: has shape [12, 5], expected [12, 4]"); missing required
/// files and non-finite values are refused the same way (ModelWeights.load).
///
/// - Rate network (§1): J.npy in a directory, or a plain file path; [N, N].
/// - Linear map (§2): W.npy in a directory, or a plain file path; [N, N].
/// - Gated RNN (§3): Jh.npy, Jz.npy, Jr.npy in a directory; each [N, N].
/// - GRU (§4) and LSTM (§5): a directory of PyTorch state_dict tensors (layer 0 of torch.nn.GRU
///   / LSTM, or a GRUCell / LSTMCell saved under the same names): weight_hh_l0.npy [G·N, N]
///   (required), weight_ih_l0.npy [G·N, inputSize] (optional: input size 0), bias_ih_l0.npy and
///   bias_hh_l0.npy [G·N] (optional: zeros); G = 3 for the GRU, 4 for the LSTM.
enum ModelFiles {
    /// The file `name` in directory `dir`; refuses a path that is not a directory.
    static func inDirectory(_ dir: String, _ name: String, model: String, needs: String) throws -> URL {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw ComputeError.io(path: dir, reason: "not a directory (a \(model) is loaded from a directory holding \(needs))")
        }
        return URL(fileURLWithPath: dir).appendingPathComponent(name)
    }

    static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    static func missing(_ url: URL, expected: String) -> ComputeError {
        .io(path: url.path, reason: "no such file (expected a .npy array of shape \(expected))")
    }

    /// A square matrix `name` (in `path` when it is a directory, else `path` itself), of order
    /// `n` when given.
    static func square<T: Scalar>(_ path: String, _ name: String, n: Int? = nil) throws -> (values: [T], n: Int) {
        let url = ModelWeights.resolve(path, name)
        guard exists(url) else { throw missing(url, expected: n.map { "[\($0), \($0)]" } ?? "[N, N]") }
        return try ModelWeights.loadSquare(url.path, name: name, n: n)
    }

    /// PyTorch RNN parameters of one layer with `gates` gate blocks.
    static func torch<T: Scalar>(_ dir: String, gates: Int, model: String) throws
        -> (n: Int, inputSize: Int, whh: [T], wih: [T], bih: [T]?, bhh: [T]?)
    {
        let needs = "PyTorch's weight_hh_l0.npy and optionally weight_ih_l0.npy, bias_ih_l0.npy, bias_hh_l0.npy"
        let file = { (name: String) in try inDirectory(dir, name, model: model, needs: needs) }
        let hh = try file("weight_hh_l0.npy")
        guard exists(hh) else { throw missing(hh, expected: "[\(gates)N, N]") }
        // N from the rows when they are a multiple of the gate count, else from the columns,
        // so the error names the shape the file should have had.
        let shape = try Npy.read(hh).shape
        guard shape.count == 2 else {
            throw ComputeError.io(path: hh.path, reason: "has shape \(shape), expected [\(gates)N, N]")
        }
        let n = shape[0] > 0 && shape[0] % gates == 0 ? shape[0] / gates : shape[1]
        guard n > 0 else { throw ComputeError.io(path: hh.path, reason: "has shape \(shape), expected [\(gates)N, N] with N > 0") }
        let whh: (values: [T], shape: [Int]) = try ModelWeights.load(hh, expected: [gates * n, n])
        var wih: [T] = [], inputSize = 0
        let ih = try file("weight_ih_l0.npy")
        if exists(ih) {
            let w: (values: [T], shape: [Int]) = try ModelWeights.load(ih, expected: [gates * n, nil])
            (wih, inputSize) = (w.values, w.shape[1])
        }
        var biases: [[T]?] = []
        for name in ["bias_ih_l0.npy", "bias_hh_l0.npy"] {
            let url = try file(name)
            biases.append(exists(url) ? (try ModelWeights.load(url, expected: [gates * n]) as ([T], [Int])).0 : nil)
        }
        return (n, inputSize, whh.values, wih, biases[0], biases[1])
    }
}

extension RateNetwork {
    /// J from J.npy in the directory `path`, or from the file `path`; Euler step `dt`.
    public static func load(backend: any Backend, path: String, dt: Double) throws -> RateNetwork<T> {
        let j: (values: [T], n: Int) = try ModelFiles.square(path, "J.npy")
        return try RateNetwork(backend: backend, couplings: j.values, units: j.n, dt: dt)
    }
}

extension LinearMap {
    /// W from W.npy in the directory `path`, or from the file `path`.
    public static func load(backend: any Backend, path: String) throws -> LinearMap<T> {
        let w: (values: [T], n: Int) = try ModelFiles.square(path, "W.npy")
        return try LinearMap(backend: backend, matrix: w.values, units: w.n)
    }
}

extension GatedRNN {
    /// J^h, J^z, J^r from Jh.npy, Jz.npy, Jr.npy in the directory `path` (used as they are:
    /// `options.gH` only normalises μ in the zero-fixed-point formula).
    public static func load(backend: any Backend, path: String, options: GatedRNNOptions = GatedRNNOptions()) throws
        -> GatedRNN<T>
    {
        let needs = "Jh.npy, Jz.npy and Jr.npy"
        let jh: (values: [T], n: Int) = try ModelFiles.square(
            ModelFiles.inDirectory(path, "Jh.npy", model: "gated RNN", needs: needs).path, "Jh.npy")
        let jz: (values: [T], n: Int) = try ModelFiles.square(
            ModelFiles.inDirectory(path, "Jz.npy", model: "gated RNN", needs: needs).path, "Jz.npy", n: jh.n)
        let jr: (values: [T], n: Int) = try ModelFiles.square(
            ModelFiles.inDirectory(path, "Jr.npy", model: "gated RNN", needs: needs).path, "Jr.npy", n: jh.n)
        return try GatedRNN(backend: backend, jh: jh.values, jz: jz.values, jr: jr.values, units: jh.n, options: options)
    }
}

extension GRU {
    /// A GRU from a directory of PyTorch state_dict .npy files (see ModelFiles).
    public static func load(backend: any Backend, path: String) throws -> GRU<T> {
        let p: (n: Int, inputSize: Int, whh: [T], wih: [T], bih: [T]?, bhh: [T]?) = try ModelFiles.torch(path, gates: 3, model: "GRU")
        return try GRU(backend: backend, units: p.n, inputSize: p.inputSize, weightHH: p.whh, weightIH: p.wih,
                       biasIH: p.bih, biasHH: p.bhh)
    }
}

extension LSTM {
    /// An LSTM from a directory of PyTorch state_dict .npy files (see ModelFiles).
    public static func load(backend: any Backend, path: String) throws -> LSTM<T> {
        let p: (n: Int, inputSize: Int, whh: [T], wih: [T], bih: [T]?, bhh: [T]?) = try ModelFiles.torch(path, gates: 4, model: "LSTM")
        return try LSTM(backend: backend, units: p.n, inputSize: p.inputSize, weightHH: p.whh, weightIH: p.wih,
                        biasIH: p.bih, biasHH: p.bhh)
    }
}
