import Compute

/// The learning library's CPU-vs-device checks: loss curves of whole training runs.
public enum LearningChecks {
    public static var all: [ValidationCheck] { TrainingChecks.all }
}
