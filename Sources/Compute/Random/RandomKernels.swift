import OpenCLRuntime
import COpenCL

/// Launchers for kernels/random.cl: Philox fills keyed on (seed, stream), starting at `offset`
/// blocks into the stream. Elements per block: raw 4, uniform f32 4, the rest 2.
package enum RandomKernels {
    package enum Fill: String, Sendable {
        case raw = "philox_raw"
        case uniformF32 = "philox_uniform_f32"
        case normalF32 = "philox_normal_f32"
        case uniformF64 = "philox_uniform_f64"
        case normalF64 = "philox_normal_f64"

        package var elementsPerBlock: Int {
            switch self {
            case .raw, .uniformF32: 4
            case .normalF32, .uniformF64, .normalF64: 2
            }
        }
        package var needsFP64: Bool { self == .uniformF64 || self == .normalF64 }
    }

    package static func fill(_ kind: Fill, out: cl_mem?, count: Int, seed: UInt64, stream: UInt32,
                            offset: UInt64) -> KernelInvocation {
        let blocks = (count + kind.elementsPerBlock - 1) / kind.elementsPerBlock
        return KernelInvocation(
            file: "random.cl", name: kind.rawValue,
            args: [.buffer(out), .uint64(UInt64(count)), .uint64(seed), .uint32(stream), .uint64(offset)],
            global: [roundUp(max(blocks, 1), 64)], local: [64], needsFP64: kind.needsFP64)
    }
}
