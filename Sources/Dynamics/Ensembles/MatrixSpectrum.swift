import Compute
import Foundation

/// The spectrum of one matrix from a .npy file (`gpurun spectrum --matrix`).
public struct MatrixSpectrum: Sendable {
    public var path: String
    public var n: Int
    /// symmetric (an exactly symmetric real matrix: dsyevd), general (dgeev) or complex (zgeev).
    public var structure: MatrixStructure
    /// Sorted by decreasing modulus, then decreasing real part, then decreasing imaginary part.
    public var re: [Double]
    public var im: [Double]

    /// Reads a square 2-D .npy matrix (float32/64, int32/64, complex64/128) and computes its
    /// eigenvalues with LAPACK, on all BLAS threads. A missing or malformed file, a non-square
    /// or non-2-D array, or a non-finite entry is an error before any work.
    public static func compute(file url: URL) throws -> MatrixSpectrum {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ComputeError.io(path: path, reason: "no such file")
        }
        let a = try Npy.read(url)
        guard a.shape.count == 2, a.shape[0] == a.shape[1] else {
            throw ComputeError.io(path: path, reason: "the array has shape \(tupleText(a.shape)); "
                + "spectrum needs a square 2-D matrix")
        }
        let n = a.shape[0]
        let complex = a.dtype == .complex64 || a.dtype == .complex128
        let values: [Double]
        if complex {
            values = try a.complex().flatMap { [$0.re, $0.im] }
        } else {
            values = try a.doubles()
        }
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            let k = complex ? i / 2 : i
            throw ComputeError.io(path: path, reason: "entry (\(k / max(n, 1)), \(k % max(n, 1))) is \(values[i]); "
                + "the matrix must be finite")
        }
        let structure: MatrixStructure = complex ? .complex : (isSymmetric(values, n: n) ? .symmetric : .general)
        let (re, im) = try SpectrumRun.eigenvalues(values, n: n, structure: structure, sorted: true)
        return MatrixSpectrum(path: path, n: n, structure: structure, re: re, im: im)
    }

    static func isSymmetric(_ a: [Double], n: Int) -> Bool {
        for i in 0..<n {
            for j in 0..<i where a[i * n + j] != a[j * n + i] { return false }
        }
        return true
    }
}
