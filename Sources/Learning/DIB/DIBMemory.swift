import Compute
import OpenCLRuntime

extension DIBConfig {
    /// Trained numbers of the network for samples of `inputSize` values and `classes` classes:
    /// encoder, classifier and the K nuisance heads (weights and biases); nil past Int.max.
    public func parameterCount(inputSize: Int, classes: Int) -> Int? {
        func linear(_ i: Int, _ o: Int) -> Int? { Checked.sum([i, 1]).flatMap { Checked.product([$0, o]) } }
        func head(_ d: Int, _ out: Int) -> Int? {
            switch self.head {
            case .linear: return linear(d, out)
            case .mlp(let h): return Checked.sum([linear(d, h) ?? .max, linear(h, out) ?? .max])
            }
        }
        var terms: [Int] = []
        var width = inputSize
        for w in encoderWidths {
            terms.append(linear(width, w) ?? .max)
            width = w
        }
        terms.append(head(width, classes) ?? .max)
        terms.append(Checked.product([heads, head(width, labelingSize) ?? .max]) ?? .max)
        return Checked.sum(terms)
    }

    /// Refuses a network whose parameters (value, gradient, Adam's two buffers and two work
    /// tensors each, in the run's type) cannot fit in the machine's memory, before any is built.
    public func checkMemory(inputSize: Int, classes: Int) throws {
        let bytes = parameterCount(inputSize: inputSize, classes: classes).flatMap { Checked.product([$0, 6, dtype.byteSize]) } ?? .max
        try Checked.hostMemory(bytes, for: "the DIB network (encoder \(encoderWidths), \(heads) heads of \(head.name))")
    }
}
