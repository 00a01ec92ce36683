import Compute

extension CPUBackend: DiscreteIBOps {
    public func discreteIBIterate<T: Scalar>(_ problem: DiscreteIBProblem, betas: [Double], initial: [T], clusters k: Int,
                                             maxIterations: Int, tolerance: Double) throws -> DiscreteIBSweep.Result<T> {
        try DiscreteIBSweep.cpuIterate(problem, betas: betas, initial: initial, clusters: k, maxIterations: maxIterations,
                                       tolerance: tolerance)
    }
}
