import Compute

/// The dynamics library's CPU-vs-device checks: every model's step and Jacobian, the Lyapunov
/// loop, the ensembles' generation.
public enum DynamicsChecks {
    public static var all: [ValidationCheck] { ModelChecks.all + LyapunovChecks.all + EnsembleChecks.all }
}
