import CBLAS
import Foundation

/// Dense eigenvalue, singular-value and solve routines from LAPACKE, on host arrays.
///
/// Matrices are row-major, as everywhere in gpurun. The eigenvalue and singular-value routines
/// hand the row-major buffer to LAPACK as a column-major one, i.e. they work on the transpose,
/// which has the same eigenvalues and singular values: no transposing copy is made. Every
/// routine works on its own copy of the input and refuses non-finite entries with a
/// `ComputeError` before calling LAPACK, and first lets `BLASSetup` pick OpenBLAS's kernels
/// (runs on an OpenCL device may never create the CPU backend, which otherwise does it).
public enum LAPACK {
    static let col = Int32(LAPACK_COL_MAJOR)
    static let row = Int32(LAPACK_ROW_MAJOR)
    static func ch(_ c: Unicode.Scalar) -> Int8 { Int8(UInt8(ascii: c)) }

    /// Eigenvalues of a general real n×n matrix (LAPACKE_dgeev, no eigenvectors), in LAPACK's
    /// order: complex pairs adjacent, positive imaginary part first.
    public static func eigenvalues(general a: [Double], n: Int) throws -> (re: [Double], im: [Double]) {
        BLASSetup.configure()
        try checkSquare(a.count, n: n, "eigenvalues")
        try checkFinite(a, "eigenvalues")
        var work = a
        var re = [Double](repeating: 0, count: n), im = [Double](repeating: 0, count: n)
        if n == 0 { return (re, im) }
        let info = LAPACKE_dgeev(col, ch("N"), ch("N"), Int32(n), &work, Int32(n), &re, &im, nil, 1, nil, 1)
        try check(info, "dgeev", n)
        return (re, im)
    }

    /// Eigenvalues of a general complex n×n matrix given as interleaved (re, im) pairs
    /// (LAPACKE_zgeev, no eigenvectors).
    public static func eigenvalues(complexInterleaved a: [Double], n: Int) throws -> (re: [Double], im: [Double]) {
        BLASSetup.configure()
        try checkSquare(a.count, n: n, "eigenvalues", complex: true)
        try checkFinite(a, "eigenvalues")
        var work = a
        var w = [Double](repeating: 0, count: 2 * n)
        if n == 0 { return ([], []) }
        // The transpose (not the conjugate transpose) has the same eigenvalues.
        let info = work.withUnsafeMutableBufferPointer { pa in
            w.withUnsafeMutableBufferPointer { pw in
                LAPACKE_zgeev(col, ch("N"), ch("N"), Int32(n), OpaquePointer(pa.baseAddress), Int32(n),
                              OpaquePointer(pw.baseAddress), nil, 1, nil, 1)
            }
        }
        try check(info, "zgeev", n)
        return ((0..<n).map { w[2 * $0] }, (0..<n).map { w[2 * $0 + 1] })
    }

    /// Eigenvalues of a real symmetric n×n matrix, ascending (LAPACKE_dsyevd on one triangle;
    /// the other is not read).
    public static func eigenvalues(symmetric a: [Double], n: Int) throws -> [Double] {
        BLASSetup.configure()
        try checkSquare(a.count, n: n, "symmetric eigenvalues")
        try checkFinite(a, "symmetric eigenvalues")
        var work = a
        var w = [Double](repeating: 0, count: n)
        if n == 0 { return w }
        let info = LAPACKE_dsyevd(col, ch("N"), ch("U"), Int32(n), &work, Int32(n), &w)
        try check(info, "dsyevd", n)
        return w
    }

    /// Singular values of a real rows×cols matrix, descending (LAPACKE_dgesdd, no vectors).
    public static func singularValues(_ a: [Double], rows: Int, cols: Int) throws -> [Double] {
        BLASSetup.configure()
        guard rows >= 0, cols >= 0, a.count == rows * cols else {
            throw ComputeError.shapeMismatch("singular values: \(a.count) values do not fill a \(rows)×\(cols) matrix")
        }
        try checkFinite(a, "singular values")
        var work = a
        var s = [Double](repeating: 0, count: min(rows, cols))
        if s.isEmpty { return s }
        // Column-major cols×rows is the transpose of the row-major rows×cols input.
        let info = LAPACKE_dgesdd(col, ch("N"), Int32(cols), Int32(rows), &work, Int32(cols), &s, nil, 1, nil, 1)
        try check(info, "dgesdd", min(rows, cols))
        return s
    }

    /// Solves A x = b for a symmetric positive-definite n×n matrix A (LAPACKE_dposv, Cholesky).
    public static func solvePositiveDefinite(_ a: [Double], n: Int, b: [Double]) throws -> [Double] {
        BLASSetup.configure()
        try checkSquare(a.count, n: n, "Cholesky solve")
        guard b.count == n else {
            throw ComputeError.shapeMismatch("Cholesky solve: right-hand side has \(b.count) values, not \(n)")
        }
        try checkFinite(a + b, "Cholesky solve")
        var work = a, x = b
        if n == 0 { return x }
        let info = LAPACKE_dposv(row, ch("U"), Int32(n), 1, &work, Int32(n), &x, 1)
        if info > 0 {
            throw ComputeError.invalidArgument(
                "Cholesky solve: the \(n)×\(n) matrix is not positive definite (leading minor \(info) is not positive)")
        }
        try check(info, "dposv", n)
        return x
    }

    /// The minimum-norm least-squares solution of A x ≈ b for a rows×cols matrix A
    /// (LAPACKE_dgelsd, SVD-based; singular values below 1e-12 · the largest count as zero).
    public static func leastSquaresMinNorm(_ a: [Double], rows: Int, cols: Int, b: [Double]) throws -> [Double] {
        BLASSetup.configure()
        guard rows >= 0, cols >= 0, a.count == rows * cols, b.count == rows else {
            throw ComputeError.shapeMismatch(
                "least squares: need a \(rows)×\(cols) matrix and \(rows) right-hand values, got \(a.count) and \(b.count)")
        }
        try checkFinite(a + b, "least squares")
        if rows == 0 || cols == 0 { return [Double](repeating: 0, count: cols) }
        var work = a
        var x = b + [Double](repeating: 0, count: max(0, cols - rows))
        var s = [Double](repeating: 0, count: min(rows, cols))
        var rank: Int32 = 0
        let info = LAPACKE_dgelsd(row, Int32(rows), Int32(cols), 1, &work, Int32(cols), &x, 1, &s, 1e-12, &rank)
        try check(info, "dgelsd", min(rows, cols))
        return Array(x.prefix(cols))
    }

    // MARK: threads

    /// Runs `body` with OpenBLAS limited to `threads` threads, then restores the previous count.
    /// Callers that run LAPACK on several threads of their own use 1, so the cores are not
    /// oversubscribed. The setting is process-wide.
    public static func withBLASThreads<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        BLASSetup.configure()
        let before = openblas_get_num_threads()
        openblas_set_num_threads(Int32(max(1, threads)))
        defer { openblas_set_num_threads(before) }
        return try body()
    }

    /// Applies `body` to every index in 0..<count on `workers` threads (index i goes to worker
    /// i mod workers), with OpenBLAS on one thread each when more than one worker runs. The first
    /// error thrown is rethrown after every worker has stopped.
    public static func parallelFor(_ count: Int, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                                   _ body: @Sendable (Int) throws -> Void) throws {
        BLASSetup.configure()
        let w = max(1, min(workers, count))
        if count == 0 { return }
        if w == 1 {
            for i in 0..<count { try body(i) }
            return
        }
        let failure = FirstError()
        withBLASThreads(1) {
            DispatchQueue.concurrentPerform(iterations: w) { worker in
                var i = worker
                while i < count, !failure.isSet {
                    do { try body(i) } catch { failure.set(error) }
                    i += w
                }
            }
        }
        if let error = failure.error { throw error }
    }

    // MARK: checks

    /// `count` values must be an n×n matrix (2 values per entry when complex).
    static func checkSquare(_ count: Int, n: Int, _ what: String, complex: Bool = false) throws {
        guard n >= 0, count == n * n * (complex ? 2 : 1) else {
            throw ComputeError.shapeMismatch(
                "\(what): \(count) values do not fill a \(n)×\(n) \(complex ? "complex " : "")matrix")
        }
    }

    static func checkFinite(_ a: [Double], _ what: String) throws {
        if let i = a.firstIndex(where: { !$0.isFinite }) {
            throw ComputeError.invalidArgument("\(what): the matrix has a non-finite entry (\(a[i]) at flat index \(i))")
        }
    }

    static func check(_ info: Int32, _ routine: String, _ n: Int) throws {
        if info < 0 {
            throw ComputeError.invalidArgument("LAPACK \(routine): argument \(-info) is invalid (n = \(n))")
        }
        if info > 0 {
            throw ComputeError.invalidArgument(
                "LAPACK \(routine) did not converge for a matrix of order \(n) (info \(info))")
        }
    }
}

/// The first error of several threads.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?

    var isSet: Bool { lock.withLock { stored != nil } }
    var error: (any Error)? { lock.withLock { stored } }

    func set(_ e: any Error) {
        lock.withLock { if stored == nil { stored = e } }
    }
}
