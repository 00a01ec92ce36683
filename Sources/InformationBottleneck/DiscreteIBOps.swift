import Compute

/// The discrete-IB iteration as an op family: `DiscreteIBSweep.iterate` dispatches to it, the
/// CPU engine implements it by `DiscreteIBSweep.cpuIterate` (CPUBackend+DiscreteIB.swift) and the
/// OpenCL engine by one launch of kernels/ib.cl (OpenCLBackend+DiscreteIB.swift); the validate
/// check "ib.sweep" (IBChecks.swift) holds the two to each other.
public protocol DiscreteIBOps: Backend {
    /// Every β of the batch from its own initial encoder ([B][nx][k]); the arguments are checked
    /// by the caller.
    func discreteIBIterate<T: Scalar>(_ problem: DiscreteIBProblem, betas: [Double], initial: [T], clusters k: Int,
                                      maxIterations: Int, tolerance: Double) throws -> DiscreteIBSweep.Result<T>
}
