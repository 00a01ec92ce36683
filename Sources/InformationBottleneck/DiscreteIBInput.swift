import Compute
import Foundation

/// A discrete joint distribution p(x, y) for the IB, checked: finite, non-negative, summing
/// to 1 (within 1e-6; then renormalised exactly). Rows and columns of zero probability are
/// dropped (they cannot affect the IB) and counted.
public struct DiscreteIBProblem: Sendable {
    /// p(x) over the kept rows.
    public let px: [Double]
    /// p(y) over the kept columns.
    public let py: [Double]
    /// p(y|x), nx×ny row-major.
    public let pyGivenX: [Double]
    /// The joint over kept rows and columns, nx×ny.
    public let joint: [Double]
    public let droppedRows: Int
    public let droppedCols: Int

    public var nx: Int { px.count }
    public var ny: Int { py.count }

    public init(joint values: [Double], rows: Int, cols: Int) throws {
        guard rows > 0, cols > 0, values.count == rows * cols else {
            throw ComputeError.shapeMismatch("the joint p(x,y) must be a non-empty 2-D table, got \(values.count) values for \(rows)×\(cols)")
        }
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw ComputeError.invalidArgument("the joint p(x,y) has a non-finite entry \(values[i]) at (\(i / cols), \(i % cols))")
        }
        if let i = values.firstIndex(where: { $0 < 0 }) {
            throw ComputeError.invalidArgument("the joint p(x,y) has a negative entry \(values[i]) at (\(i / cols), \(i % cols)); probabilities must be ≥ 0")
        }
        let total = values.reduce(0, +)
        guard abs(total - 1) <= 1e-6 else {
            throw ComputeError.invalidArgument(
                "the joint p(x,y) sums to \(total), not 1 (tolerance 1e-6); normalise the table first")
        }
        let rowSums = (0..<rows).map { i in (0..<cols).reduce(0) { $0 + values[i * cols + $1] } }
        let colSums = (0..<cols).map { j in (0..<rows).reduce(0) { $0 + values[$1 * cols + j] } }
        let keptRows = (0..<rows).filter { rowSums[$0] > 0 }, keptCols = (0..<cols).filter { colSums[$0] > 0 }
        guard keptRows.count >= 2, keptCols.count >= 2 else {
            throw ComputeError.invalidArgument(
                "the joint p(x,y) needs at least 2 values of x and 2 of y with positive probability (has \(keptRows.count) and \(keptCols.count))")
        }
        var j = [Double]()
        for i in keptRows { for c in keptCols { j.append(values[i * cols + c] / total) } }
        let ny = keptCols.count
        let px = (0..<keptRows.count).map { i in (0..<ny).reduce(0) { $0 + j[i * ny + $1] } }
        joint = j
        self.px = px
        py = (0..<ny).map { c in (0..<keptRows.count).reduce(0) { $0 + j[$1 * ny + c] } }
        pyGivenX = j.indices.map { j[$0] / px[$0 / ny] }
        droppedRows = rows - keptRows.count
        droppedCols = cols - keptCols.count
    }

    /// Reads a 2-D .npy table.
    public static func load(_ url: URL) throws -> DiscreteIBProblem {
        let a = try Npy.read(url)
        guard a.shape.count == 2 else {
            throw ComputeError.shapeMismatch("\(url.path): the joint p(x,y) must be a 2-D array, got shape \(a.shape)")
        }
        do {
            return try DiscreteIBProblem(joint: a.doubles(), rows: a.shape[0], cols: a.shape[1])
        } catch let e as ComputeError {
            throw ComputeError.invalidArgument("\(url.path): \(e)")
        }
    }

    /// A binary symmetric channel with crossover ε and input distribution (1 − a, a).
    public static func binarySymmetricChannel(crossover e: Double, inputOne a: Double = 0.5) throws -> DiscreteIBProblem {
        try DiscreteIBProblem(joint: [(1 - a) * (1 - e), (1 - a) * e, a * e, a * (1 - e)], rows: 2, cols: 2)
    }

    /// I(T;X) and I(T;Y) in nats for an encoder p(t|x) (nx×k row-major).
    public func informations(encoder q: [Double], clusters k: Int) -> (iTX: Double, iTY: Double) {
        var pt = [Double](repeating: 0, count: k)
        for x in 0..<nx { for t in 0..<k { pt[t] += px[x] * q[x * k + t] } }
        var ix = 0.0
        for x in 0..<nx { for t in 0..<k where q[x * k + t] > 0 && pt[t] > 0 {
            ix += px[x] * q[x * k + t] * log(q[x * k + t] / pt[t])
        } }
        var iy = 0.0
        for t in 0..<k where pt[t] > 0 {
            for y in 0..<ny {
                var pty = 0.0
                for x in 0..<nx { pty += q[x * k + t] * joint[x * ny + y] }
                if pty > 0 { iy += pty * log(pty / (pt[t] * py[y])) }
            }
        }
        return (max(ix, 0), max(iy, 0))
    }

    /// I(X;Y) in nats: the ceiling of I(T;Y).
    public var mutualInformation: Double {
        var s = 0.0
        for x in 0..<nx { for y in 0..<ny where joint[x * ny + y] > 0 {
            s += joint[x * ny + y] * log(joint[x * ny + y] / (px[x] * py[y]))
        } }
        return s
    }
}
