/// A family of CPU-vs-device checks for one op, run on fresh random inputs.
public struct ValidationCheck: Sendable {
    public var op: String
    /// Runs the op on the CPU backend and on `device` from the same Philox seed.
    public var run: @Sendable (_ cpu: CPUBackend, _ device: any Backend, _ seed: UInt64) throws -> [ValidationResult]

    public init(op: String, run: @escaping @Sendable (CPUBackend, any Backend, UInt64) throws -> [ValidationResult]) {
        self.op = op
        self.run = run
    }
}

/// Every registered check. Each op's file adds its checks here.
public enum Validation {
    public static var checks: [ValidationCheck] {
        RandomChecks.all + ElementwiseChecks.all + PrimitiveChecks.all + GemmChecks.all + ConvChecks.all + ModelChecks.all + LyapunovChecks.all
            + EnsembleChecks.all + IBChecks.all + TrainingChecks.all
    }

    /// Runs every check (or those whose op contains `filter`). A check that throws is reported
    /// as a failing line with infinite error, never as a crash.
    public static func run(device: any Backend, seed: UInt64, filter: String? = nil,
                           progress: (String) -> Void = { _ in }) -> [ValidationResult] {
        var out: [ValidationResult] = []
        for (i, check) in checks.enumerated() where filter.map({ check.op.contains($0) }) ?? true {
            progress(check.op)
            let s = seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15
            do {
                out += try check.run(CPUBackend.shared, device, s)
            } catch {
                out.append(ValidationResult(op: "\(check.op): \(error)", shape: "-", dtype: "-",
                                            maxRelError: .infinity, tolerance: 0, seed: s))
            }
        }
        return out
    }
}
