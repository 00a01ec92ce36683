import Compute

extension CPUBackend: DiscreteIBOps {
    // Specialised: called through the protocol from other modules, the generic body would run
    // every arithmetic op through Scalar's witness table.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func discreteIBIterate<T: Scalar>(_ problem: DiscreteIBProblem, betas: [Double], initial: [T], clusters k: Int,
                                             maxIterations: Int, tolerance: Double) throws -> DiscreteIBSweep.Result<T> {
        try DiscreteIBSweep.cpuIterate(problem, betas: betas, initial: initial, clusters: k, maxIterations: maxIterations,
                                       tolerance: tolerance)
    }
}
