import Compute
import OpenCLRuntime
import Foundation

/// The QR (Benettin) method of docs/lyapunov.md (L1, L2) on any RecurrentModel and backend: evolve the state
/// through a transient; start Q (orthonormal, from Philox); each step Q ← M Q (a Jacobian
/// product, never M itself); every `reorth` steps Q, R = qr(Q) with R_ii > 0 and, after a
/// second transient for Q, accumulate ln R_ii. B trajectories (or networks) advance together.
public final class LyapunovRun<M: RecurrentModel> {
    public struct Progress: Sendable {
        public var phase: String
        public var step: Int
        public var total: Int
        public var lambda1: Double?
        public var elapsed: Double
    }

    /// How often to save, and where; the run also saves when `shouldStop` turns true.
    public struct Checkpointing: Sendable {
        public var url: URL
        public var intervalSeconds: Double
        public init(url: URL, intervalSeconds: Double = 5) {
            self.url = url
            self.intervalSeconds = intervalSeconds
        }
    }

    public enum Outcome {
        case finished(LyapunovResult)
        /// Stopped on request after saving a checkpoint at this step.
        case stopped(step: Int)
    }

    let model: M
    let config: LyapunovConfig
    let identity: [String: String]
    let states: Tensor<M.T>
    /// Every member's tangent block: [B, stateSize, k], member b's at b·stateSize·k (L11).
    var q: Tensor<M.T>
    var image: Tensor<M.T>
    // 0: state transient, 1: Q transient, 2: accumulation.
    package var phase = 0
    package var t = 0
    var sums: [[Double]]
    var convergenceTimes: [Double] = []
    var convergence: [[Double]] = []
    var elapsedBefore = 0.0
    let qrMethod: TangentQR.Method
    let cholesky: CholeskyQR2<M.T>
    /// Each member's state covariance over the accumulation phase (participation ratio); nil
    /// when B covariance matrices of stateSize² would exceed `maxCovarianceValues`.
    var covariances: [StateCovariance]?
    /// The same covariances accumulated on the device (L8a): OpenCL devices, float64, one-segment
    /// states; `covariances` is then nil and the states stay on the device.
    var deviceCovariance: DeviceStateCovariance<M.T>?
    /// Where the covariances are kept: "device", "host", or nil (too large, or dropped on resume).
    package var covarianceLocation: String? { deviceCovariance != nil ? "device" : covariances != nil ? "host" : nil }
    /// 2²⁶ float64 values: 512 MiB of covariance sums at most.
    public static var maxCovarianceValues: Int { 1 << 26 }
    /// `--profile` (docs/lyapunov.md L12): set before `run` to measure each phase; nil: none.
    public var profile: PhaseProfile?
    private var warmedUp: Set<String> = []
    /// `--block-steps` (L13); nil without.
    package let blockLog: BlockLog?
    /// The last step (of `phase`) at which the state was seen finite (L14).
    var finiteAt = 0
    /// `--covariant F` (L15–L18): the steps of the window after accumulation; nil without.
    package let covariantSteps: Int?
    /// The R factors of that window, from its start (phase 3).
    var covariantWindow: CovariantWindow?
    /// The covariant vectors at the end of accumulation, once a run with `covariantSteps` finished.
    public private(set) var covariant: CovariantVectors?

    /// `initialStates`: [segments, B, N] values, or nil for N(0, 1) from Philox
    /// (seed, PhiloxStreams.initialState(b)). `identity` describes the model's parameters; a
    /// checkpoint resumes only a run with the same identity (and device). `blockSteps`: per-block
    /// logs of docs/lyapunov.md L13. `covariantSteps`: covariant vectors from a window of that
    /// many steps after accumulation (L15–L18).
    public init(model: M, config: LyapunovConfig, identity: [String: String], initialStates: [M.T]? = nil,
                blockSteps: Int? = nil, covariantSteps: Int? = nil) throws {
        try config.validate(stateSize: model.stateSize)
        if let m = blockSteps { try BlockLog.validate(m, config: config) }
        if let f = covariantSteps {
            guard f > 0 else { throw ComputeError.invalidArgument("lyapunov: the covariant window must be at least 1 step, got \(f)") }
            try Checked.hostMemory(CovariantWindow.bytes(members: config.batch, stateSize: model.stateSize, k: config.k,
                                                         steps: f, reorth: config.reorth),
                                   for: "the covariant window (\(f) steps of \(config.batch) × \(config.k)² R factors)")
        }
        self.covariantSteps = covariantSteps
        if model.networks > 1 && model.networks != config.batch {
            throw ComputeError.invalidArgument("lyapunov: \(model.networks) networks need a batch of \(model.networks), got \(config.batch)")
        }
        let be = model.backend
        let bytes = config.workingBytes(stateSize: model.stateSize, elementSize: MemoryLayout<M.T>.stride)
        if case .opencl(let cl) = be.kind { try cl.checkFits(totalBytes: bytes) }
        self.model = model
        self.config = config
        qrMethod = (config.qr ?? .auto).resolved(for: be)
        cholesky = CholeskyQR2(backend: be)
        var id = identity
        id["config"] = String(describing: config)
        id["dtype"] = M.T.dtype.rawValue
        id["model"] = model.name
        id["device"] = be.label
        if let m = blockSteps { id["blockSteps"] = String(m) }
        if let f = covariantSteps { id["covariantSteps"] = String(f) }
        self.identity = id
        blockLog = blockSteps.map { BlockLog(blockSteps: $0, members: config.batch, k: config.k) }
        let b = config.batch, s = model.stateSize
        if let x0 = initialStates {
            guard x0.count == b * s else {
                throw ComputeError.shapeMismatch("lyapunov: the initial state has \(x0.count) numbers, expected \(b) × \(s)")
            }
            states = try be.tensor(x0, shape: [model.segments, b, model.units])
        } else {
            states = try JacobianCheck.randomStates(model, batch: b, seed: config.seed)
        }
        let z: [Double] = (0..<b).flatMap { m in
            PhiloxFill.normal(count: s * config.k, seed: config.seed, stream: PhiloxStreams.tangent(m)) as [Double]
        }
        q = try be.tensor(z.map { M.T($0) }, shape: [b, s, config.k])
        image = try be.zeros([b, s, config.k], as: M.T.self)
        sums = Array(repeating: Array(repeating: 0, count: config.k), count: b)
        if b * s * s <= Self.maxCovarianceValues {
            if Self.keepsCovarianceOnDevice(model, members: b, bytes: bytes) {
                deviceCovariance = try DeviceStateCovariance(backend: be, members: b, size: s)
            } else {
                covariances = (0..<b).map { _ in StateCovariance(size: s) }
            }
        }
        _ = try TangentQR.hostQR(members: q)
    }

    /// Runs `body` as phase `name` of the profile (its first call as "warm-up"), or just runs it.
    func phase<R>(_ name: String, flops: Double = 0, _ body: () throws -> R) throws -> R {
        guard let p = profile else { return try body() }
        return try p.measure(warmedUp.insert(name).inserted ? "warm-up" : name, flops: flops, body)
    }

    /// Whether the covariances go on the device (L8a): an OpenCL backend, float64, one segment,
    /// and room for them beside the run's working set.
    static func keepsCovarianceOnDevice(_ model: M, members b: Int, bytes: Int) -> Bool {
        guard case .opencl(let cl) = model.backend.kind, M.T.dtype == .f64, model.segments == 1 else { return false }
        let need = Checked.sum([bytes, DeviceStateCovariance<M.T>.bytes(members: b, size: model.stateSize)]) ?? .max
        return need <= cl.info.globalMemory / 2
    }

    /// Adds every member's current state to its covariance (segment-major [segments, B, N] →
    /// the member's [segments·N]); returns the states read, nil without host covariances (on the
    /// device, L8a, nothing is read).
    func recordStates() throws -> [M.T]? {
        if let d = deviceCovariance {
            try phase("covariance") { try d.add(states) }
            return nil
        }
        guard let covs = covariances else { return nil }
        let all = try phase("transfers") { try states.toArray() }
        let (b, n, segs) = (config.batch, model.units, model.segments)
        var x = [Double](repeating: 0, count: segs * n)
        for m in 0..<b {
            for s in 0..<segs { for i in 0..<n { x[s * n + i] = all[(s * b + m) * n + i].double } }
            covs[m].add(x)
        }
        return all
    }

    /// Every member's block at once; ln R_ii per member.
    func orthonormalize() throws -> [[Double]] {
        qrMethod == .cholesky2 ? try cholesky.orthonormalize(members: q) : try TangentQR.hostQR(members: q)
    }

    /// Runs to the end, or until `shouldStop` (checked between steps) asks it to stop.
    public func run(checkpointing: Checkpointing? = nil, shouldStop: () -> Bool = { false },
                    progress: (Progress) -> Void = { _ in }) throws -> Outcome {
        let start = Timing.now()
        var lastSave = start, lastReport = start - 10
        let lengths = [config.transient, config.qTransient, config.steps, covariantSteps ?? 0]
        let names = ["state transient", "Q transient", "accumulating", "covariant window"]
        let thin = max(1, (config.steps / config.reorth) / max(config.maxConvergencePoints, 1))
        let (b, s, k) = (config.batch, model.stateSize, config.k)
        let flops = (step: model.stepGemmFlops(batch: b), tangent: model.tangentGemmFlops(batch: b, k: k),
                     qr: LyapunovProfile.qrFlops(qrMethod, members: b, s: s, k: k))
        var lastQR = 0
        while phase < 4 {
            if t >= lengths[phase] {
                phase += 1
                (t, finiteAt, lastQR) = (0, 0, 0)
                // Where the window starts, a checkpoint holds Q at the end of accumulation (L18).
                if phase == 3 && lengths[3] > 0, let c = checkpointing {
                    try save(c.url, elapsed: elapsedBefore + Timing.now() - start)
                    lastSave = Timing.now()
                }
                continue
            }
            if phase == 3 && covariantWindow == nil {
                covariantWindow = CovariantWindow(basis: try q.toArray().map(\.double), members: b, stateSize: s, k: k)
            }
            if shouldStop() {
                // Inside the covariant window the checkpoint saved at its start stands (the R factors are not saved).
                if phase < 3, let c = checkpointing { try save(c.url, elapsed: elapsedBefore + Timing.now() - start) }
                return .stopped(step: phase < 3 ? t : 0)
            }
            if phase > 0 {
                try phase("tangent", flops: flops.tangent) { try model.jacobianTimes(states, q, into: image) }
                swap(&q, &image)
            }
            try phase("step", flops: flops.step) { try model.step(states) }
            t += 1
            if phase == 2, let x = try recordStates() { try checkState(x, names[phase]) }
            if phase > 0 && (t % config.reorth == 0 || t == lengths[phase]) {
                if finiteAt != t { try checkState(nil, names[phase]) }
                let before = phase == 3 ? try q.toArray().map(\.double) : nil
                let logs = try qr(names[phase], flops: flops.qr)
                if let before {
                    covariantWindow?.add(before: before, after: try q.toArray().map(\.double), steps: t - lastQR)
                    lastQR = t
                }
                if phase == 2 {
                    for m in 0..<config.batch { for i in 0..<config.k { sums[m][i] += logs[m][i] } }
                    blockLog?.add(logs, at: t)
                    if ((t + config.reorth - 1) / config.reorth) % thin == 0 || t == config.steps {
                        convergenceTimes.append(Double(t) * model.timeStep)
                        convergence.append(estimates().mean)
                    }
                }
            }
            let now = Timing.now()
            // Every step where the check costs no synchronisation (the CPU engine), else at the
            // QRs, progress lines and phase ends (L14).
            if (model.backend.isCPU || now - lastReport >= 1 || t == lengths[phase]) && finiteAt != t {
                try checkState(nil, names[phase])
            }
            if now - lastReport >= 1 {
                lastReport = now
                progress(Progress(phase: names[phase], step: t, total: lengths[phase],
                                  lambda1: phase == 2 ? convergence.last?.first : nil, elapsed: elapsedBefore + now - start))
            }
            if let c = checkpointing, phase < 3, now - lastSave >= c.intervalSeconds {
                try save(c.url, elapsed: elapsedBefore + now - start)
                lastSave = now
            }
        }
        covariant = try covariantWindow.map { try $0.backward(seed: config.seed, timeStep: model.timeStep) }
        let (mean, se) = estimates()
        let summary = LyapunovResult.summarise(mean)
        let hostCovariances = try covariances ?? deviceCovariance?.hostCovariances()
        let ratios = hostCovariances?.compactMap { $0.participationRatio() } ?? []
        let pr = ratios.count == config.batch ? SpectrumMetrics.meanAndStandardError(ratios.map { [$0] }) : nil
        return .finished(LyapunovResult(
            model: model.name, n: model.units, stateSize: model.stateSize, device: model.backend.label,
            dtype: M.T.dtype.rawValue, exponents: mean, standardErrors: se, members: perMember(),
            sum: summary.sum, kaplanYorkeDimension: summary.ky, entropyRate: summary.h,
            timeUnit: model.timeStep == 1 ? "per step" : "per unit time", steps: config.steps, config: config,
            parameters: identity, convergenceTimes: convergenceTimes, convergence: convergence,
            elapsedSeconds: elapsedBefore + Timing.now() - start,
            participationRatio: pr?.mean.first, participationRatioStandardError: pr?.stderr.first,
            profile: profile.map(LyapunovProfile.init),
            blockStatistics: blockLog.flatMap { BlockStatistics(blocks: $0.blocks, blockSteps: $0.blockSteps,
                                                                timeStep: model.timeStep, sums: sums) },
            covariant: covariant?.summary))
    }

    /// Exponents of each member so far (per unit time), sorted descending.
    func perMember() -> [[Double]] {
        let time = Double(phase == 2 ? t : config.steps) * model.timeStep
        return sums.map { s in s.map { $0 / max(time, .leastNonzeroMagnitude) }.sorted(by: >) }
    }

    func estimates() -> (mean: [Double], stderr: [Double]) { SpectrumMetrics.meanAndStandardError(perMember()) }
}
