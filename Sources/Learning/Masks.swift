import Compute
import Foundation

/// Pruning masks (docs/training.md N12): a parameter with a mask m (1 kept, 0 pruned) has its
/// value set to m ⊙ w when the mask is set and after every update, and its gradient to m ⊙ ∇
/// before the update, so the forward pass sees m ⊙ w and pruned weights stay exactly 0 under
/// any optimiser (momentum, Adam's moments and weight decay included).
extension Parameter {
    /// Sets (or with nil, removes) the mask; `values` must hold one 0 or 1 per element.
    public func setMask(_ values: [T]?) throws {
        guard let values else { mask = nil; return }
        guard values.count == value.count else {
            throw ComputeError.shapeMismatch("the mask of \(name) has \(values.count) values, the parameter \(value.shape) has \(value.count)")
        }
        guard values.allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw ComputeError.invalidArgument("the mask of \(name) must hold only 0 and 1")
        }
        let m = try mask ?? value.backend.zeros(value.shape, as: T.self)
        try value.backend.write(values, into: m)
        mask = m
        try applyMask(to: value)
        for b in state.values { try applyMask(to: b) }
    }

    /// t ← m ⊙ t (nothing without a mask).
    func applyMask(to t: Tensor<T>) throws {
        if let mask { try value.backend.binary(.mul, t, mask, into: t) }
    }

    /// The mask's values (all ones when unmasked).
    public func maskValues() throws -> [T] {
        try mask?.toArray() ?? [T](repeating: 1, count: value.count)
    }

    /// Weights kept.
    public func keptCount() throws -> Int {
        guard let mask else { return value.count }
        return Int(try value.backend.sum(mask).rounded())
    }
}

extension Optimizer {
    /// One update that keeps the masks (N12): ∇ ← m ⊙ ∇, the optimiser's update, w ← m ⊙ w,
    /// on the trainable parameters.
    public func maskedStep<T: Scalar>(_ params: [Parameter<T>], rate: Double) throws {
        for p in params where p.trainable { try p.applyMask(to: p.grad) }
        try step(params, rate: rate)
        for p in params where p.trainable { try p.applyMask(to: p.value) }
    }
}

/// Masks as files: mask-NAME.npy per parameter, float 0/1, in the parameter's shape (a 4-D
/// convolution weight [O, C, k, k] as [O, C·k·k], since .npy files here hold 1 to 3 dimensions).
public enum MaskFiles {
    public static func fileShape(_ shape: [Int]) -> [Int] {
        shape.count <= 3 ? shape : [shape[0], shape.dropFirst().reduce(1, *)]
    }

    public static func url(_ dir: URL, _ name: String) -> URL { dir.appendingPathComponent("mask-\(name).npy") }

    public static func write<T>(_ params: [Parameter<T>], to dir: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try params.map { p in
            let u = url(dir, p.name)
            try Npy.write(NpyArray(p.maskValues().map(\.double), shape: fileShape(p.value.shape)), to: u)
            return u.path
        }
    }

    /// Reads mask-NAME.npy for each of `params` that has one in `dir`; every file must match its
    /// parameter's shape and hold only 0 and 1, checked before any mask is set. Returns the
    /// masked parameters' names. A mask file that names no parameter is an error too.
    @discardableResult
    public static func read<T>(_ dir: URL, into params: [Parameter<T>]) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw ComputeError.io(path: dir.path, reason: "is not a folder of mask-NAME.npy files")
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        guard files.contains(where: { $0.hasPrefix("mask-") && $0.hasSuffix(".npy") }) else {
            throw ComputeError.io(path: dir.path, reason: "holds no mask-NAME.npy file")
        }
        let names = Set(params.map(\.name))
        for f in files where f.hasPrefix("mask-") && f.hasSuffix(".npy") {
            let n = String(f.dropFirst(5).dropLast(4))
            guard names.contains(n) else { throw ComputeError.io(path: dir.appendingPathComponent(f).path, reason: "no parameter is named \(n)") }
        }
        var loaded: [(Parameter<T>, [T])] = []
        for p in params where FileManager.default.fileExists(atPath: url(dir, p.name).path) {
            let a = try Npy.read(url(dir, p.name))
            let want = fileShape(p.value.shape)
            guard a.shape == want else {
                throw ComputeError.io(path: url(dir, p.name).path, reason: "a mask of shape \(a.shape) for \(p.name), which needs \(want)")
            }
            let v = try a.doubles()
            guard v.allSatisfy({ $0 == 0 || $0 == 1 }) else {
                throw ComputeError.io(path: url(dir, p.name).path, reason: "a mask must hold only 0 and 1")
            }
            loaded.append((p, v.map { T($0) }))
        }
        for (p, v) in loaded { try p.setMask(v) }
        return loaded.map(\.0.name)
    }
}
