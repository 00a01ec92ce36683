import ArgumentParser
import Compute
import Learning

/// The optimiser's options (docs/training.md N5, N9, N10), as `train` and `lottery` take
/// them; unset ones keep their defaults, so a resumed run can tell which were given.
struct OptimizerOptions: ParsableArguments {
    enum Name: String, ExpressibleByArgument, CaseIterable { case sgd, adam, adamw }

    @Option(help: "sgd (the default), adam or adamw.") var optimizer: Name?
    @Option(help: "Learning rate (default 0.02 for SGD, 0.001 for Adam and AdamW).") var lr: Double?
    @Option(help: "SGD momentum (default 0.9).") var momentum: Double?
    @Flag(help: "SGD with Nesterov momentum.") var nesterov = false
    @Option(help: "Adam's β1 (default 0.9).") var beta1: Double?
    @Option(help: "Adam's β2 (default 0.999).") var beta2: Double?
    @Option(name: .customLong("weight-decay"), help: "Weight decay: L2 in the gradient for SGD and Adam, decoupled for AdamW (default 0; 0.01 for AdamW).")
    var weightDecay: Double?
    @Option(help: "Learning-rate schedule: constant (the default), cosine or step:EVERY:GAMMA (epochs).", transform: LRSchedule.parse)
    var schedule: LRSchedule?
    @Option(help: "Iterations of linear learning-rate warm-up (default 0).") var warmup: Int?

    /// The flags given, for refusing them where the checkpoint's configuration rules.
    var given: [(String, Bool)] {
        [("--optimizer", optimizer != nil), ("--lr", lr != nil), ("--momentum", momentum != nil), ("--nesterov", nesterov),
         ("--beta1", beta1 != nil), ("--beta2", beta2 != nil), ("--weight-decay", weightDecay != nil),
         ("--schedule", schedule != nil), ("--warmup", warmup != nil)]
    }

    func spec() throws -> OptimizerSpec {
        let name = optimizer ?? .sgd
        let sched = schedule ?? .constant, w = warmup ?? 0
        if name == .sgd {
            if beta1 != nil || beta2 != nil { throw ValidationError("--beta1 and --beta2 are Adam's; the optimizer is sgd") }
            return .sgd(SGD(lr: lr ?? 0.02, momentum: momentum ?? 0.9, weightDecay: weightDecay ?? 0, nesterov: nesterov,
                            schedule: sched, warmup: w))
        }
        if momentum != nil || nesterov { throw ValidationError("--momentum and --nesterov are SGD's; the optimizer is \(name.rawValue)") }
        return .adam(Adam(lr: lr ?? 0.001, beta1: beta1 ?? 0.9, beta2: beta2 ?? 0.999,
                          weightDecay: weightDecay ?? (name == .adamw ? 0.01 : 0), decoupled: name == .adamw,
                          schedule: sched, warmup: w))
    }
}
