import Compute

extension ModelSpec {
    /// The Lyapunov spectrum of this network by the QR method (docs/lyapunov.md), run to the
    /// end in precision T on `backend`. The library's one-call form of `LyapunovRun` (use that
    /// class for checkpoints, progress and stopping); `result.attachTheory(for: spec)` adds the
    /// mean-field prediction where one exists.
    public func lyapunovSpectrum<T: Scalar>(_ config: LyapunovConfig, on backend: any Backend,
                                            as _: T.Type = Double.self) throws -> LyapunovResult {
        try config.validate(stateSize: stateSize)
        try checkMemory(on: backend, elementSize: MemoryLayout<T>.stride,
                        workingBytes: config.workingBytes(stateSize: stateSize, elementSize: MemoryLayout<T>.stride))
        return try Self.runToEnd(try make(on: backend, as: T.self), config, identity)
    }

    private static func runToEnd<M: RecurrentModel>(_ model: M, _ config: LyapunovConfig,
                                                    _ identity: [String: String]) throws -> LyapunovResult {
        // Nothing asks it to stop, so a run that returns has finished.
        guard case .finished(let result) = try LyapunovRun(model: model, config: config, identity: identity).run() else {
            throw ComputeError.invalidArgument("the Lyapunov run stopped before its last step")
        }
        return result
    }
}
