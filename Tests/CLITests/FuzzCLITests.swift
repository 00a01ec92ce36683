import Foundation
import XCTest

/// Hostile and careless input for every subcommand (issue 23, point 9): each generated case
/// changes one option of a small valid command into a bad value — sizes at 0, negative, past
/// Int.max, or whose products overflow; reals at NaN, ±infinity, 1e±400; malformed and hostile
/// .npy, JSON and CSV files; outputs where no folder or file can be. Every case must end with a
/// non-zero exit status and one "Error: ..." line on stderr: never a signal, a trap, a hang or
/// exit 0; and a refused run writes nothing to its output path. The table of cases and
/// outcomes goes to the test log. Cases are drawn with the test seed (GPURUN_TEST_SEED).
final class FuzzCLITests: XCTestCase {
    static let cases = 320
    static let timeout = 20.0

    func testHostileInputsAreRefusedCleanly() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["GPURUN_TEST_SEED"] ?? "") ?? 20261202
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-fuzz-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try FuzzFiles(dir)
        var all = FuzzCatalog.cases(files)
        var rng = SplitMix64(seed)
        all.shuffle(using: &rng)
        let chosen = Array(all.prefix(Self.cases))
        XCTAssertGreaterThanOrEqual(chosen.count, 300, "the catalogue has only \(all.count) cases")

        let start = Date()
        // Two cases at a time (the suite's machine has two cores); rows keep the draw's order.
        let results = Results(count: chosen.count)
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for i in stride(from: worker, to: chosen.count, by: 2) {
                let c = chosen[i]
                let out = c.output.map { dir.appendingPathComponent("out-\(i)").appendingPathComponent($0) }
                let args = c.args.map { $0 == FuzzCatalog.outputPlaceholder ? out!.path : $0 }
                let r: GPURunProcess.Result
                do { r = try GPURunProcess.run(args, cwd: dir, timeout: Self.timeout) } catch {
                    results.set(i, row: "FAIL  \(c.name)", failure: "\(c.name): could not start gpurun (\(error))")
                    continue
                }
                var verdict = Self.verdict(r)
                if verdict == nil, let out, FileManager.default.fileExists(atPath: out.path) {
                    verdict = "a refused run wrote its output \(out.lastPathComponent)"
                }
                let firstError = r.stderr.split(separator: "\n").first { $0.hasPrefix("Error: ") }.map(String.init) ?? ""
                let exit = r.timedOut ? "hang" : r.signalled ? "signal \(r.status)" : String(r.status)
                results.set(i, row: "\(verdict == nil ? "ok  " : "FAIL")  exit \(exit)  \(c.name)  \(String(firstError.prefix(110)))",
                            failure: verdict.map { "\(c.name): \($0)\n    gpurun \(args.joined(separator: " "))\n    \(r.stderr.prefix(400))" })
            }
        }
        let rows = results.rows, failures = results.failures
        let seconds = Date().timeIntervalSince(start)
        print("fuzz: \(chosen.count) of \(all.count) cases (seed \(seed)), \(failures.count) failed, \(String(format: "%.0f", seconds)) s")
        print(rows.joined(separator: "\n"))
        XCTAssertTrue(failures.isEmpty, "\(failures.count) hostile inputs were not refused cleanly:\n" + failures.joined(separator: "\n"))
    }

    /// nil when the run was refused cleanly, else what went wrong.
    static func verdict(_ r: GPURunProcess.Result) -> String? {
        if r.timedOut { return "no answer within \(Int(timeout)) s (a hang, or unbounded work)" }
        if r.signalled { return "killed by signal \(r.status)" }
        if r.status == 0 { return "exit 0: the bad input was accepted" }
        for marker in ["Fatal error", "Backtracing", "Swift runtime failure", "NSCocoaErrorDomain", "Program crashed"]
        where r.stderr.contains(marker) { return "stderr holds \"\(marker)\"" }
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("Error: ") }
        if errors.count != 1 { return "\(errors.count) \"Error: \" lines on stderr, expected one" }
        return nil
    }
}

/// The rows and failures of the cases, filled from two threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var _rows: [String], _failures: [String?]
    init(count: Int) { (_rows, _failures) = (Array(repeating: "", count: count), Array(repeating: nil, count: count)) }
    func set(_ i: Int, row: String, failure: String?) { lock.lock(); _rows[i] = row; _failures[i] = failure; lock.unlock() }
    var rows: [String] { lock.lock(); defer { lock.unlock() }; return _rows }
    var failures: [String] { lock.lock(); defer { lock.unlock() }; return _failures.compactMap { $0 } }
}

/// A case: a name for the table, the arguments, and (when it writes one) the name of its
/// output inside a fresh folder, which must not appear.
struct FuzzCase {
    var name: String
    var args: [String]
    var output: String?
}

/// Every case of every subcommand: a small valid base command with one option replaced.
enum FuzzCatalog {
    static let outputPlaceholder = "@OUTPUT@"

    /// Values that no option of a kind accepts.
    static let positiveInts = ["0", "-1", "-7", "1.5", "x", "99999999999999999999", "nan"]
    static let nonNegativeInts = ["-1", "-3", "2.5", "y", "99999999999999999999"]
    /// Sizes that set memory: besides the above, ones no machine holds.
    static let memorySizes = positiveInts + ["9223372036854775807", "4611686018427387904", "3037000500"]
    static let positiveReals = ["0", "-1", "-1e-300", "nan", "inf", "-inf", "1e400", "x"]
    static let finiteReals = ["nan", "inf", "-inf", "1e400", "-1e400", "NaN", "x"]
    static let fractions = ["0", "1", "-0.5", "1.5", "nan", "inf"]
    /// Gains and budgets, for which 0 is a valid value.
    static let nonNegativeReals = ["-1", "-1e-300", "nan", "inf", "-inf", "1e400", "x"]

    static func cases(_ f: FuzzFiles) -> [FuzzCase] {
        var out: [FuzzCase] = []
        func vary(_ command: [String], _ base: [String: String], _ option: String, _ values: [String],
                  flags: [String] = [], output: String? = nil) {
            for v in values {
                var opts = base
                opts[option] = v
                var args = command
                for k in opts.keys.sorted() { args += ["--" + k, opts[k]!] }
                args += flags
                let shown = v.hasPrefix("/tmp/") ? "…/" + v.split(separator: "/").suffix(2).joined(separator: "/")
                    : v.count > 40 ? "…" + String(v.suffix(40)) : v
                out.append(FuzzCase(name: "\(command.joined(separator: " ")) --\(option) \(shown)",
                                    args: args, output: output))
            }
        }
        let npyInputs = f.badNpy.map(\.path) + [f.missing.path, f.folder.path]
        let badOutputs = [f.plainFile.path, f.underFile.path, "/dev/null/x"]

        // step and lyapunov share the model options.
        let rate = ["model": "rate", "n": "8", "steps": "3"]
        for cmd in [["step"], ["lyapunov"]] {
            let base = cmd == ["step"] ? rate : rate.merging(["transient": "2", "k": "2"]) { $1 }
            vary(cmd, base, "n", memorySizes)
            // `step --steps 0` is valid (it records the initial state alone); lyapunov needs a step.
            vary(cmd, base, "steps", cmd == ["step"] ? nonNegativeInts : positiveInts)
            vary(cmd, base, "batch", memorySizes)
            vary(cmd, base, "g", nonNegativeReals)
            vary(cmd, base, "dt", positiveReals)
            vary(cmd, base, "seed", ["-1", "x", "1.5", "99999999999999999999"])
            vary(cmd, base.merging(["model": "gated"]) { $1 }, "alpha-z", finiteReals)
            vary(cmd, base.merging(["model": "gated"]) { $1 }, "beta-r", finiteReals)
            vary(cmd, base.merging(["model": "gru"]) { $1 }, "bias-z", finiteReals)
            vary(cmd, base.merging(["model": "lstm"]) { $1 }, "bias-f", finiteReals)
            vary(cmd, base, "model", ["", "rnn", "RATE2"])
            vary(cmd, base, "dtype", ["f16", "float", ""])
            vary(cmd, base, "integrator", ["rk5", ""])
            vary(cmd, base, "device", ["cuda:0", "opencl:99", "gpu", "opencl:-1", ""])
            vary(cmd, base, "x0", npyInputs + [f.wrongLength.path])
            vary(cmd, base, "weights", npyInputs + [f.wrongLength.path, f.notSquare.path])
            vary(cmd, base, "output", badOutputs)
        }
        vary(["step"], rate, "every", positiveInts)
        let lyap = rate.merging(["transient": "2", "k": "2"]) { $1 }
        vary(["lyapunov"], lyap, "k", positiveInts + ["9"])
        vary(["lyapunov"], lyap, "reorth", positiveInts)
        vary(["lyapunov"], lyap, "transient", nonNegativeInts)
        vary(["lyapunov"], lyap, "q-transient", nonNegativeInts)
        vary(["lyapunov"], lyap, "covariant", memorySizes)
        vary(["lyapunov"], lyap, "qr", ["qr", "lu", ""])
        vary(["lyapunov"], lyap, "checkpoint-every", positiveReals)
        vary(["lyapunov"], lyap, "checkpoint", [f.folder.path, "/dev/null/x.ckpt", f.underFile.path])
        vary(["lyapunov"], lyap.merging(["checkpoint": f.missing.path]) { $1 }, "steps", ["3"], flags: ["--resume"])
        vary(["lyapunov"], lyap.merging(["checkpoint": f.plainFile.path]) { $1 }, "steps", ["3"], flags: ["--resume"])
        vary(["lyapunov"], lyap, "n", ["3037000500"], output: nil)

        let spectrum = ["ensemble": "ginibre", "n": "8", "samples": "2"]
        vary(["spectrum"], spectrum, "n", memorySizes)
        vary(["spectrum"], spectrum, "samples", memorySizes)
        vary(["spectrum"], spectrum, "g", positiveReals)
        vary(["spectrum"], spectrum, "ensemble", ["", "gue2", "wishart:"])
        vary(["spectrum"], ["samples": "1"], "matrix", npyInputs + [f.notSquare.path, f.nanMatrix.path])
        vary(["spectrum"], spectrum, "output", badOutputs)

        let ridge = ["n": "20", "gamma": "0.5", "samples": "2"]
        vary(["ridge"], ridge, "n", memorySizes)
        vary(["ridge"], ridge, "samples", memorySizes)
        vary(["ridge"], ridge, "gamma", ["0", "-1", "nan", "inf", "1e400", "1:0:1", "x", "0.5,nan"])
        vary(["ridge"], ridge, "sigma2", ["-1", "nan", "inf", "x"])
        vary(["ridge"], ridge, "lambda", ["-1", "nan", "inf", "x"])
        vary(["ridge"], ridge, "output", badOutputs)

        let theory = ["model": "rate", "g": "2"]
        vary(["theory"], theory, "g", positiveReals + ["1e100", "1e300"])
        vary(["theory"], theory, "dt", positiveReals)
        // the δ = 1 map's mean field past double precision, and gated DMFT tables past the quadrature
        vary(["theory"], theory.merging(["dt": "1"]) { $1 }, "g", ["1e151", "1e300", "inf"])
        vary(["theory"], theory.merging(["model": "gated", "alpha-z": "0", "beta-r": "-50", "g": "50"]) { $1 }, "alpha-r", ["50"])
        vary(["theory"], theory.merging(["model": "gated"]) { $1 }, "n", memorySizes + ["2000000"])
        vary(["theory"], theory.merging(["model": "gated", "n": "20"]) { $1 }, "dt", ["1e-300", "1e-9"])
        vary(["theory"], theory, "model", ["gru", "lstm", "linear", ""])
        vary(["theory"], theory.merging(["model": "gated"]) { $1 }, "g-range",
             ["1,2", "1,2,0", "1,2,1e300", "0,1,2", "-1,2,3", "1,nan,2", "a,b,c"], flags: ["--phase-diagram"])
        vary(["theory"], theory.merging(["model": "gated", "g-range": "1,2,2", "y-range": "0,1,2"]) { $1 }, "out",
             badOutputs, flags: ["--phase-diagram"])

        vary(["ib", "discrete"], ["clusters": "3"], "joint", npyInputs + [f.nanMatrix.path, f.negativeJoint.path])
        let ib = ["joint": f.joint.path, "clusters": "3"]
        vary(["ib", "discrete"], ib, "clusters", positiveInts + ["3000000", "9223372036854775807"])
        vary(["ib", "discrete"], ib, "betas", ["0", "-1", "nan", "inf", "1,,2", "x"])
        vary(["ib", "discrete"], ib, "tolerance", positiveReals)
        vary(["ib", "discrete"], ib, "max-iterations", positiveInts)
        vary(["ib", "discrete"], ib, "output", badOutputs)
        vary(["ib", "gaussian"], [:], "cov-x", npyInputs + [f.notSquare.path])

        // Training data, models, options (refused before any training).
        let train = ["data": "npy:\(f.trainData.path)", "epochs": "1", "batch": "8"]
        for cmd in [["train"], ["lottery"]] {
            let base = cmd == ["train"] ? train : train.merging(["rounds": "1"]) { $1 }
            vary(cmd, base, "epochs", positiveInts)
            vary(cmd, base, "batch", memorySizes)
            vary(cmd, base, "lr", positiveReals)
            vary(cmd, base, "data", ["npy:\(f.missing.path)", "npy:\(f.badLabels.path)", "npy:\(f.nanData.path)",
                                     "csv:\(f.badCSV.path)", "csv:\(f.missing.path)", "mnist", "fashion-mnist:\(f.folder.path)"])
            vary(cmd, base, "model", ["vgg", f.badModel.path, #"{"layers": [{"type": "warp"}]}"#, #"{"layers": [{"type": "linear", "out": -3}]}"#, "{"])
            vary(cmd, base, "train-limit", positiveInts)
            vary(cmd, base, "output", badOutputs)
        }
        let lottery = train.merging(["rounds": "2"]) { $1 }
        vary(["lottery"], lottery, "prune-fraction", fractions)
        vary(["lottery"], lottery, "rounds", positiveInts)
        vary(["lottery"], lottery, "rewind-iteration", ["-1", "1000000", "x"])
        let dib = ["data": "npy:\(f.trainData.path)", "epochs": "1", "batch": "4", "encoder": "8", "measure-epochs": "1"]
        vary(["dib"], dib, "beta", ["-1", "nan", "inf", "1e400", "x", "", "0,,1"])
        vary(["dib"], dib, "heads", memorySizes)
        vary(["dib"], dib, "labelings-size", ["1", "0", "-2", "x"] + memorySizes.suffix(3))
        vary(["dib"], dib, "encoder", ["0", "-1", "8,x", "", "9223372036854775807", "4611686018427387904"])
        vary(["dib"], dib, "head", ["mlp:0", "mlp:-1", "conv", "mlp:9223372036854775807", ""])
        vary(["dib"], dib, "epochs", positiveInts)
        vary(["dib"], dib, "batch", memorySizes)
        vary(["dib"], dib, "lr", positiveReals)
        vary(["dib"], dib, "seed", ["-1", "x", "1.5", "1,,2"])
        vary(["dib"], dib, "measure-heads", positiveInts)
        vary(["dib"], dib, "output", badOutputs)
        vary(["train"], train, "masks", [f.missing.path, f.plainFile.path])
        vary(["train"], train, "resume", [f.missing.path, f.folder.path, f.plainFile.path])
        // Self-supervised training: every bad value refused before the first step (docs/ssl.md).
        let ssl = ["data": "npy:\(f.images.path)", "model": "mlp", "epochs": "1", "batch": "4", "queue": "8", "device": "cpu"]
        vary(["ssl"], ssl, "queue", memorySizes)
        vary(["ssl"], ssl, "batch", memorySizes)
        vary(["ssl"], ssl, "epochs", positiveInts)
        vary(["ssl"], ssl, "temperature", positiveReals)
        vary(["ssl"], ssl, "momentum", ["1", "-0.5", "1.5", "nan", "inf", "x"])
        vary(["ssl"], ssl, "background", ["bg-rm:2", "bg-random:-0.1", "bg-swaps:nan", "bg-blur:0.5", "bg-rm", ""])
        vary(["ssl"], ssl, "backgrounds", ["cluttered:2", "cluttered:nan", "clutter", ""])
        vary(["ssl"], ssl, "negatives", ["band:95:95", "band:96:95", "band:-1:5", "band:5:101", "band:nan:5", "band:0:1e400",
                                         "band:1:2:3", "band:", "hard", ""])
        vary(["ssl"], ssl, "projection-dim", memorySizes)
        vary(["ssl"], ssl, "neighbours", positiveInts)
        vary(["ssl"], ssl, "lr", positiveReals)
        vary(["ssl"], ssl, "data", ["npy:\(f.trainData.path)", "npy:\(f.missing.path)", "npy:\(f.nanData.path)", "mnist"])
        vary(["ssl"], ssl, "model", ["vgg", f.badModel.path, #"{"layers": [{"type": "flatten"}]}"#, "{"])
        vary(["ssl"], ssl, "output", badOutputs)
        vary(["ssl"], ssl, "resume", [f.missing.path, f.folder.path, f.plainFile.path])

        // A refused run writes nothing: a fresh output path beside a bad value.
        let fresh: [([String], [String: String], String, String)] = [
            (["step"], rate, "n", "-5"), (["step"], rate, "g", "nan"), (["lyapunov"], lyap, "k", "0"),
            (["lyapunov"], lyap, "n", "9223372036854775807"), (["spectrum"], spectrum, "samples", "0"),
            (["ridge"], ridge, "gamma", "-1"), (["ib", "discrete"], ib, "clusters", "1"),
            (["train"], train, "lr", "-1"), (["lottery"], lottery, "prune-fraction", "1.5"), (["ssl"], ssl, "queue", "13"),
            (["theory"], theory.merging(["model": "gated", "phase-diagram": "", "y-range": "0,1,2"]) { $1 }, "g-range", "1,2,0"),
        ]
        for (cmd, base, option, value) in fresh {
            let key = cmd == ["theory"] ? "out" : "output"
            var opts = base.merging([option: value, key: outputPlaceholder]) { $1 }
            let flag = opts.removeValue(forKey: "phase-diagram") != nil
            var args = cmd
            for k in opts.keys.sorted() { args += ["--" + k, opts[k]!] }
            if flag { args.append("--phase-diagram") }
            out.append(FuzzCase(name: "\(cmd.joined(separator: " ")) --\(option) \(value) --\(key) (fresh)", args: args, output: "out"))
        }

        // Sweeps, validate, tune, bench.
        for bad in f.badSweeps { out.append(FuzzCase(name: "sweep plan \(bad.lastPathComponent)", args: ["sweep", "plan", bad.path])) }
        for bad in f.badSweeps { out.append(FuzzCase(name: "sweep run \(bad.lastPathComponent)", args: ["sweep", "run", bad.path, "--out", outputPlaceholder], output: "sweep")) }
        out.append(FuzzCase(name: "sweep merge (not a sweep folder)", args: ["sweep", "merge", f.folder.path]))
        out.append(FuzzCase(name: "sweep merge (a file)", args: ["sweep", "merge", f.plainFile.path]))
        vary(["sweep", "run", f.goodSweep.path], [:], "out", badOutputs)
        vary(["sweep", "run", f.goodSweep.path, "--out", f.folder.appendingPathComponent("s").path], [:], "shard", ["2/2", "-1/2", "1/0", "a/b", "1"])
        vary(["validate"], [:], "only", ["no-such-op", "gemm.own.x"])
        vary(["validate"], [:], "seed", ["-1", "x", "99999999999999999999"])
        vary(["validate"], [:], "device", ["cuda", "opencl:99", "gpu"])
        vary(["tune", "gemm"], [:], "budget", nonNegativeReals)
        vary(["bench", "matmul"], [:], "sizes", ["0", "-1", "x", "1,,2", "9223372036854775807"])
        vary(["bench", "rnn"], ["batches": "1", "engines": "cpu"], "sizes", ["0", "-4", "9223372036854775807"])
        vary(["bench", "conv"], ["engines": "cpu"], "layers", ["x:1,2,3", "t:2,3,8,8,4,3,1,1,1,1,9", "t:0,3,8,8,4,3,1,1,1,1"])
        vary(["bench", "conv"], ["engines": "cpu"], "min-seconds", positiveReals)
        vary(["bench", "lyapunov"], ["engines": "cpu"], "sizes", ["0", "-1", "9223372036854775807"])
        return out
    }
}

/// The files of the cases, in one temporary folder.
struct FuzzFiles {
    let missing, folder, plainFile, underFile: URL
    let badNpy: [URL]
    let wrongLength, notSquare, nanMatrix, joint, negativeJoint: URL
    let trainData, badLabels, nanData, badCSV, badModel: URL
    /// 16 images [1, 4, 4] (12 train, 4 test) for `ssl`.
    let images: URL
    let badSweeps: [URL]
    let goodSweep: URL

    init(_ dir: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        func file(_ name: String, _ data: Data) throws -> URL {
            let u = dir.appendingPathComponent(name)
            try data.write(to: u)
            return u
        }
        missing = dir.appendingPathComponent("missing.npy")
        folder = dir.appendingPathComponent("a-folder")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        plainFile = try file("plain.txt", Data("not a folder\n".utf8))
        underFile = plainFile.appendingPathComponent("inside")
        badNpy = [
            try file("empty.npy", Data()),
            try file("magic.npy", Data("PK\u{3}\u{4} this is a zip".utf8)),
            try file("truncated.npy", FuzzNpy.header(descr: "<f8", shape: [1000]) + Data(count: 8)),
            try file("hugeshape.npy", FuzzNpy.header(descr: "<f8", shape: [99_999_999_999, 99_999_999_999])),
            try file("overflow.npy", FuzzNpy.header(descr: "<f8", shape: [Int.max, 2]) + Data(count: 16)),
            try file("dtype.npy", FuzzNpy.header(descr: "|S8", shape: [2]) + Data(count: 16)),
            try file("header.npy", Data([0x93] + Array("NUMPY".utf8) + [1, 0, 0xFF, 0xFF]) + Data(count: 10)),
            try file("fortran.npy", FuzzNpy.header(descr: "<f8", shape: [2, 2], fortran: true) + FuzzNpy.doubles([1, 2, 3, 4])),
            try file("rank4.npy", FuzzNpy.header(descr: "<f8", shape: [1, 1, 1, 2]) + FuzzNpy.doubles([1, 2])),
        ]
        wrongLength = try file("length3.npy", FuzzNpy.array([1, 2, 3], shape: [3]))
        notSquare = try file("rect.npy", FuzzNpy.array([1, 2, 3, 4, 5, 6], shape: [2, 3]))
        nanMatrix = try file("nan.npy", FuzzNpy.array([1, .nan, 0.5, 1], shape: [2, 2]))
        joint = try file("joint.npy", FuzzNpy.array([0.2, 0.1, 0.05, 0.15, 0.3, 0.2], shape: [3, 2]))
        negativeJoint = try file("negjoint.npy", FuzzNpy.array([0.6, -0.1, 0.3, 0.2], shape: [2, 2]))
        // 16 images of 1×4×4 with labels 0..3; the bad sets change one thing each.
        func dataset(_ name: String, labels: [Double], values: Double? = nil) throws -> URL {
            let d = dir.appendingPathComponent(name)
            try fm.createDirectory(at: d, withIntermediateDirectories: true)
            let x = (0..<(16 * 16)).map { values ?? Double($0 % 7) / 7 }
            try FuzzNpy.array(x, shape: [16, 16]).write(to: d.appendingPathComponent("X.npy"))
            try FuzzNpy.array(labels, shape: [16]).write(to: d.appendingPathComponent("y.npy"))
            return d
        }
        trainData = try dataset("train", labels: (0..<16).map { Double($0 % 4) })
        images = dir.appendingPathComponent("images")
        try fm.createDirectory(at: images, withIntermediateDirectories: true)
        try FuzzNpy.array((0..<256).map { Double($0 % 7) / 7 }, shape: [16, 4, 4]).write(to: images.appendingPathComponent("X.npy"))
        try FuzzNpy.array((0..<16).map { Double($0 % 4) }, shape: [16]).write(to: images.appendingPathComponent("y.npy"))
        badLabels = try dataset("labels", labels: (0..<16).map { $0 == 5 ? 1_000_000 : Double($0 % 4) })
        nanData = try dataset("nandata", labels: (0..<16).map { Double($0 % 4) }, values: .nan)
        badCSV = try file("digits.csv", Data("label,p0,p1\n1,0.5,abc\n2,,3\n".utf8))
        badModel = try file("model.json", Data(#"{"layers": [{"type": "conv", "out": 4, "kernel": 99}]}"#.utf8))
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        badSweeps = [
            try file("sweep-empty.json", Data()),
            try file("sweep-null.json", Data("null".utf8)),
            try file("sweep-deep.json", Data(deep.utf8)),
            try file("sweep-seed.json", Data(#"{"command": "ridge", "seed": 1.5}"#.utf8)),
            try file("sweep-command.json", Data(#"{"command": "rm -rf /"}"#.utf8)),
            try file("sweep-huge.json", Data(#"{"command": "ridge", "seeds": 9223372036854775807}"#.utf8)),
            try file("sweep-grid.json", Data(#"{"command": "ridge", "grid": {"n": "1,2"}}"#.utf8)),
            try file("sweep-binary.json", Data([0xFF, 0xFE, 0x00, 0x7B])),
            missing,
        ]
        goodSweep = try file("sweep.json", Data(#"{"command": "ridge", "options": {"n": 10, "gamma": 0.5, "samples": 1}}"#.utf8))
    }
}

/// Minimal .npy writing for the cases (format 1.0), including headers no valid file has.
enum FuzzNpy {
    static func header(descr: String, shape: [Int], fortran: Bool = false) -> Data {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var text = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': (\(dims)), }"
        while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
        text += "\n"
        let n = UInt16(text.utf8.count)
        return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(text.utf8))
    }

    static func doubles(_ v: [Double]) -> Data {
        var d = Data()
        for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
        return d
    }

    static func array(_ v: [Double], shape: [Int]) -> Data { header(descr: "<f8", shape: shape) + doubles(v) }
}

/// A small seeded generator for the draw of cases.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
