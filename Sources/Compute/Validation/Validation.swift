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

/// Runs checks. Each library exposes its own (`Validation.coreChecks` here, `DynamicsChecks`,
/// `InformationBottleneckChecks`, `LearningChecks`); the tool runs them all.
public enum Validation {
    /// Which shapes the checks use: `.full` (the default) or `.small`, a few tiny shapes per
    /// check for slow devices such as the Oclgrind simulator (scripts/oclgrind-check.sh).
    public enum ShapeSet: String, Sendable, CaseIterable {
        case full
        case small
    }

    /// The shape set of the checks now running (`run(..., shapes:)` sets it).
    @TaskLocal public static var shapeSet: ShapeSet = .full

    /// A check's shape list: `full`, or `small` while `shapeSet` is `.small`. Every check takes
    /// its shapes through this, so `--shapes small` reaches all of them.
    public static func shapes<S>(_ full: [S], small: [S]) -> [S] { shapeSet == .small ? small : full }

    /// A size: `full`, or `small` while `shapeSet` is `.small`.
    public static func size(_ full: Int, small: Int) -> Int { shapeSet == .small ? small : full }

    /// The core op families: random numbers, elementwise, primitives, GEMM, convolution and pooling.
    public static var coreChecks: [ValidationCheck] {
        RandomChecks.all + ElementwiseChecks.all + PrimitiveChecks.all + GemmChecks.all + ConvChecks.all
    }

    /// BatchNorm statistics and gradients, softmax cross-entropy, the ReLU mask.
    public static var normalizationChecks: [ValidationCheck] { NormalizationChecks.all }

    /// Runs `checks` (or those whose op contains `filter`); check i draws its inputs from
    /// seed + i·φ (φ the golden-ratio constant), so a line is reproduced by its seed. A check that
    /// throws is reported as a failing line with infinite error, never as a crash.
    public static func run(_ checks: [ValidationCheck], device: any Backend, seed: UInt64, filter: String? = nil,
                           shapes: ShapeSet, progress: (String) -> Void = { _ in }) -> [ValidationResult] {
        $shapeSet.withValue(shapes) { run(checks, device: device, seed: seed, filter: filter, progress: progress) }
    }

    /// `run` with the shape set in effect (`shapeSet`, `.full` unless a caller set it).
    public static func run(_ checks: [ValidationCheck], device: any Backend, seed: UInt64, filter: String? = nil,
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
