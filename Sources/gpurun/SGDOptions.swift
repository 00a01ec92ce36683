import ArgumentParser
import Compute
import Learning

/// The optimiser's options (docs/training.md N6), as `train` takes them; unset ones keep their
/// defaults, so a resumed run can tell which were given.
struct SGDOptions: ParsableArguments {
    @Option(help: "Learning rate (default 0.02).") var lr: Double?
    @Option(help: "SGD momentum (default 0.9).") var momentum: Double?
    @Option(name: .customLong("weight-decay"), help: "L2 weight decay (default 0).") var weightDecay: Double?
    @Option(help: "Learning-rate schedule: constant (the default), cosine or step:EVERY:GAMMA (epochs).", transform: LRSchedule.parse)
    var schedule: LRSchedule?

    /// The flags given, for refusing them where the checkpoint's configuration rules.
    var given: [(String, Bool)] {
        [("--lr", lr != nil), ("--momentum", momentum != nil), ("--weight-decay", weightDecay != nil),
         ("--schedule", schedule != nil)]
    }

    var sgd: SGD {
        SGD(lr: lr ?? 0.02, momentum: momentum ?? 0.9, weightDecay: weightDecay ?? 0, schedule: schedule ?? .constant)
    }
}
