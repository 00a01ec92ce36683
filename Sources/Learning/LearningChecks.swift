import Compute

/// The learning library's CPU-vs-device checks: loss curves of whole training runs, MoCo's InfoNCE.
public enum LearningChecks {
    public static var all: [ValidationCheck] { TrainingChecks.all + MoCoChecks.all }
}
