import Compute
import GPURunApp
import Learning
import OpenCLRuntime
import Foundation
import XCTest

/// (docs/dib.md D9) A DIB sweep interrupted inside its second run resumes to the numbers of the
/// uninterrupted sweep, on the CPU engine and on OpenCL; damaged or foreign checkpoints are refused.
final class DIBCheckpointTests: XCTestCase {
    struct Interrupted: Error {}

    /// A small .npy data set (X [n, 6, 6], y in 0..<3) under a fresh temporary folder.
    func dataFolder(seed: UInt64) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpurun-dibckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let n = 48
        let y = (0..<n).map { Int64($0 % 3) }
        let noise: [Double] = PhiloxFill.normal(count: n * 36, seed: seed, stream: 0)
        let x = noise.enumerated().map { i, v in v + Double(y[i / 36]) * (i % 36 < 18 ? 1.0 : -1.0) }
        try Npy.write(NpyArray(x, shape: [n, 6, 6]), to: dir.appendingPathComponent("X.npy"))
        try Npy.write(NpyArray(y, shape: [n]), to: dir.appendingPathComponent("y.npy"))
        return dir
    }

    func settings(_ data: URL, output: URL, seed: UInt64, dtype: DType) -> DIBJob.Settings {
        let base = DIBConfig(encoderWidths: [12, 8], head: .mlp(hidden: 5), heads: 2, labelingSize: 3, beta: 0, epochs: 3,
                             batch: 8, learningRate: 5e-3, seed: seed, dtype: dtype,
                             measure: DecodableInformationSettings(heads: 2, epochs: 4, batch: 16))
        return DIBJob.Settings(data: "npy:\(data.path)", trainLimit: 36, testLimit: nil, base: base, betas: [0, 1.5],
                               seeds: [seed], output: output)
    }

    /// Everything of a run but its seconds.
    func assertSameRuns(_ a: [DIBRunResult], _ b: [DIBRunResult], _ what: String) {
        XCTAssertEqual(a.count, b.count, what)
        for (x, y) in zip(a, b) {
            XCTAssertEqual([x.beta, x.trainAccuracy, x.testAccuracy, x.finalClassifierLoss, x.finalNuisanceLoss,
                            x.decodableInformation.bits],
                           [y.beta, y.trainAccuracy, y.testAccuracy, y.finalClassifierLoss, y.finalNuisanceLoss,
                            y.decodableInformation.bits], "\(what), β = \(x.beta)")
            XCTAssertEqual(x.iterations, y.iterations, what)
        }
    }

    func check(on backend: any Backend, dtype: DType) throws {
        let seed = freshSeed("DIBCheckpointTests.\(backend.label).\(dtype)")
        let data = try dataFolder(seed: seed)
        let whole = try DIBJob.run(settings(data, output: data.appendingPathComponent("whole"), seed: seed, dtype: dtype),
                                   on: backend)
        let out = data.appendingPathComponent("cut")
        // Interrupted after the second epoch of the second run (β = 1.5), its checkpoint written.
        XCTAssertThrowsError(try DIBJob.run(settings(data, output: out, seed: seed, dtype: dtype), on: backend) { e in
            if case .epoch(_, let beta, let epoch, _, _) = e, beta == 1.5, epoch == 2 { throw Interrupted() }
        }) { XCTAssertTrue($0 is Interrupted, "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("results.json").path))
        var resumedAt: (Int, Int)?
        let resumed = try DIBJob.run(DIBJob.savedSettings(in: out), resume: true, on: backend) { e in
            if case .resumed(let runs, let epochs) = e { resumedAt = (runs, epochs) }
        }
        XCTAssertEqual(resumedAt?.0, 1)
        XCTAssertEqual(resumedAt?.1, 2)
        assertSameRuns(whole.runs, resumed.runs, "\(backend.label) \(dtype)")
        XCTAssertEqual(try Npy.read(out.appendingPathComponent("curves.npy")).doubles(),
                       try Npy.read(data.appendingPathComponent("whole/curves.npy")).doubles())
        XCTAssertEqual(whole.correlation, resumed.correlation)

        guard dtype == .f64 else { return }
        // The run state of another β, and a damaged parameter file, are refused.
        let run = out.appendingPathComponent("checkpoint/run")
        let config = settings(data, output: out, seed: seed, dtype: .f64).base.with(beta: 1.5)
        let trainer = try DIBTrainer<Double>(config: config, data: TrainJob.loadData("npy:\(data.path)"), backend: CPUBackend.shared)
        XCTAssertNoThrow(try DIBCheckpoint.restore(trainer, from: run))
        XCTAssertEqual(trainer.epochsDone, 3)
        let other = try DIBTrainer<Double>(config: config.with(beta: 0), data: trainer.data, backend: CPUBackend.shared)
        XCTAssertThrowsError(try DIBCheckpoint.restore(other, from: run)) {
            XCTAssertTrue("\($0)".contains("another DIB configuration"), "\($0)")
        }
        let p = run.appendingPathComponent("param0.npy")
        var bytes = try Data(contentsOf: p)
        bytes[bytes.count - 1] ^= 0x40
        try bytes.write(to: p)
        XCTAssertThrowsError(try DIBCheckpoint.restore(trainer, from: run)) { XCTAssertTrue("\($0)".contains("differs"), "\($0)") }
    }

    func testResumedSweepRepeatsTheWholeSweepOnCPU() throws {
        try check(on: CPUBackend.shared, dtype: .f64)
    }

    func testResumedSweepRepeatsTheWholeSweepOnOpenCL() throws {
        try check(on: try openCLBackend(), dtype: .f32)
    }
}

extension DIBConfig {
    func with(beta: Double) -> DIBConfig { var c = self; c.beta = beta; return c }
}
