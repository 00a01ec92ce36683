import Compute
import Foundation

/// Checkpoints of a run (docs/lyapunov.md L9): the states, every member's tangent block, the
/// sums, the covariance records and the block log; a checkpoint resumes only the run (model,
/// parameters, config, dtype, device) that wrote it, and never one holding non-finite numbers.
extension LyapunovRun {
    func save(_ url: URL, elapsed: Double) throws {
        try phase("transfers") { try write(url, elapsed: elapsed) }
    }

    func write(_ url: URL, elapsed: Double) throws {
        let covs = try covariances?.map(\.values) ?? deviceCovariance?.records() ?? []
        let kept = covariances != nil || deviceCovariance != nil
        let cp = LyapunovCheckpoint(identity: identity, phase: phase, t: t, sums: sums,
                                    convergenceTimes: convergenceTimes, convergence: convergence,
                                    elapsedSeconds: elapsed, stateCount: states.count,
                                    qCount: model.stateSize * config.k, members: config.batch,
                                    covarianceCounts: kept ? covs.map(\.count) : nil,
                                    blocks: blockLog?.blocks, openBlock: blockLog?.open)
        let all = try q.toArray().map(\.double), size = model.stateSize * config.k
        try cp.write(to: url, states: try states.toArray().map(\.double),
                     qs: (0..<config.batch).map { Array(all[($0 * size)..<(($0 + 1) * size)]) }, covariances: covs)
    }

    /// Continues from a checkpoint written by a run with the same model, parameters and config.
    public func resume(from url: URL) throws {
        let (cp, st, saved, covs) = try LyapunovCheckpoint.read(url)
        var savedIdentity = cp.identity
        // Checkpoints of older versions name the QR methods host and cholesky, and no device.
        savedIdentity["config"] = savedIdentity["config"].map(TangentQR.Method.renamingOldNames)
        if savedIdentity["device"] == nil { savedIdentity["device"] = identity["device"] }
        if savedIdentity != identity {
            let keys = Set(savedIdentity.keys).union(identity.keys).sorted().filter { savedIdentity[$0] != identity[$0] }
            let diffs = keys.map { "\($0): checkpoint \(savedIdentity[$0] ?? "-"), now \(identity[$0] ?? "-")" }
            throw ComputeError.invalidArgument(
                "\(url.path) was written by a run with other parameters; refusing to resume.\n  " + diffs.joined(separator: "\n  "))
        }
        guard st.count == states.count, saved.count == config.batch, saved.allSatisfy({ $0.count == model.stateSize * config.k }),
              cp.covarianceCounts == nil || covs.count == (covariances?.count ?? (deviceCovariance == nil ? 0 : config.batch)) else {
            throw ComputeError.io(path: url.path, reason: "checkpoint sizes do not match this run")
        }
        let numbers: [(String, [Double])] = [("state", st), ("tangent block", saved.flatMap { $0 }),
                                             ("ln R_ii sums", cp.sums.flatMap { $0 }), ("covariance", covs.flatMap { $0 }),
                                             ("block log", (cp.blocks ?? []).flatMap { $0.flatMap { $0 } } + (cp.openBlock ?? []).flatMap { $0 })]
        if let bad = numbers.first(where: { $0.1.contains { !$0.isFinite } }) {
            throw ComputeError.io(path: url.path, reason: "the checkpoint's \(bad.0) holds non-finite numbers; refusing to resume")
        }
        if let log = blockLog {
            guard let blocks = cp.blocks, let open = cp.openBlock else {
                throw ComputeError.io(path: url.path, reason: "the checkpoint has no block log for --block-steps")
            }
            try log.restore(blocks: blocks, open: open)
        }
        if cp.covarianceCounts == nil {
            // Written without covariances (an older gpurun, or too large): no participation ratio
            // once accumulation had begun.
            if cp.phase == 2 && cp.t > 0 { (covariances, deviceCovariance) = (nil, nil) }
        } else if let d = deviceCovariance {
            try d.restore(covs)
        } else {
            for (c, v) in zip(covariances ?? [], covs) { try c.restore(v) }
        }
        try model.backend.write(st.map { M.T($0) }, into: states)
        try model.backend.write(saved.joined().map { M.T($0) }, into: q)
        phase = cp.phase
        t = cp.t
        sums = cp.sums
        convergenceTimes = cp.convergenceTimes
        convergence = cp.convergence
        elapsedBefore = cp.elapsedSeconds
    }
}
