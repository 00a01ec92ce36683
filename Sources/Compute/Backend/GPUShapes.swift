import COpenCL
import OpenCLRuntime

/// Work-group shapes of the GPU kernels, from the problem and the device's limit `wg` (a power
/// of two from `CLContext.workGroupSize`).
package enum GPUShapes {
    /// The smallest power of two ≥ n (1 for n ≤ 1).
    package static func pow2(atLeast n: Int) -> Int {
        var l = 1
        while l < n { l *= 2 }
        return l
    }

    /// A 1-D group for a reduction over `length` elements: no wider than the data.
    package static func reduction(length: Int, wg: Int) -> Int { min(wg, pow2(atLeast: length)) }

    /// A TX × TY group for column sums of a [rows, columns] matrix: TX ≤ 16 consecutive columns,
    /// TY a power of two along the rows, TX·TY ≤ wg.
    package static func columns(rows: Int, columns: Int, wg: Int) -> (tx: Int, ty: Int) {
        let tx = min(16, wg, pow2(atLeast: columns))
        return (tx, max(1, min(wg / tx, pow2(atLeast: rows))))
    }

    /// A 2-D group over a width × height plane: up to `lx` (32) along the width, `ly` (8) along
    /// the height, no more than the plane needs nor than `wg` in all.
    package static func plane(width: Int, height: Int, wg: Int, lx: Int = 32, ly: Int = 8) -> [Int] {
        let x = min(lx, wg, pow2(atLeast: width))
        return [x, max(1, min(wg / x, ly, pow2(atLeast: height))), 1]
    }

    /// Bytes of one ACC: double where the device has fp64, else the dtype's.
    static func accBytes(_ dtype: DType, _ fp64: Bool) -> Int { fp64 ? 8 : dtype.byteSize }
}
