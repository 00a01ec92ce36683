import GPURunApp

/// The `--profile` table of `gpurun step` and `gpurun lyapunov`: one row per phase.
enum ProfileTable {
    static func print(_ phases: [PhaseProfile.Phase]) {
        Output.table(["phase", "calls", "launches", "launches/call", "seconds", "GFLOP/s"], phases.map { f in
            [f.name, String(f.calls), String(f.launches), String(format: "%.2f", f.launchesPerCall),
             String(format: "%.4f", f.seconds), f.flops > 0 ? String(format: "%.3g", f.gflopsPerSecond) : "-"]
        })
    }
}
