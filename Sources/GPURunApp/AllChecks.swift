import Compute
import Dynamics
import InformationBottleneck
import Learning

/// Every library's checks, in the order that fixes each check's seed (`Validation.run`).
public enum AllChecks {
    public static var all: [ValidationCheck] {
        Validation.coreChecks + DynamicsChecks.all + InformationBottleneckChecks.all + Validation.normalizationChecks
            + LearningChecks.all
    }

    /// `shapes: .small` runs every check on its few tiny shapes (`Validation.shapes`).
    public static func run(device: any Backend, seed: UInt64, filter: String? = nil,
                           shapes: Validation.ShapeSet = .full,
                           progress: (String) -> Void = { _ in }) -> [ValidationResult] {
        Validation.run(all, device: device, seed: seed, filter: filter, shapes: shapes, progress: progress)
    }
}
