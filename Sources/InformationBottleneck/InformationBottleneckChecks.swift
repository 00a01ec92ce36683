import Compute

/// The information-bottleneck library's CPU-vs-device checks: the batched discrete-IB sweep.
public enum InformationBottleneckChecks {
    public static var all: [ValidationCheck] { IBChecks.all }
}
