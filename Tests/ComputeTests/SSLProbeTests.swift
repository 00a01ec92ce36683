import Compute
import Learning
import Foundation
import XCTest

/// The probes of docs/ssl.md S10, S11 on features whose answers are known.
final class SSLProbeTests: XCTestCase {
    func testKNNVotesBySimilarity() throws {
        let be = CPUBackend()
        // Training features: three of class 0 near (1, 0), two of class 1 near (0, 1).
        let train: [Double] = [1, 0.1, 1, -0.1, 1, 0, 0.1, 1, -0.1, 1]
        let labels: [Int32] = [0, 0, 0, 1, 1]
        let test: [Double] = [1, 0.05, 0.05, 1, 1, 1.2]
        // k = 1: the nearest decides; (1, 1.2) is nearest to (0.1, 1).
        XCTAssertEqual(try SSLProbes.knn(Double.self, train: train, trainLabels: labels, test: test, testLabels: [0, 1, 1],
                                         width: 2, classes: 2, k: 1, on: be), 1)
        // k = 5: all vote; class 0 has three votes of larger total similarity for (1, 1.2).
        XCTAssertEqual(try SSLProbes.knn(Double.self, train: train, trainLabels: labels, test: test, testLabels: [0, 1, 0],
                                         width: 2, classes: 2, k: 5, on: be), 1)
        XCTAssertEqual(try SSLProbes.knn(Double.self, train: train, trainLabels: labels, test: test, testLabels: [1, 0, 1],
                                         width: 2, classes: 2, k: 5, on: be), 0)
    }

    func testLinearProbeSeparatesSeparableFeaturesAndNotNoise() throws {
        let seed = freshSeed()
        let be = CPUBackend()
        let (n, f, k) = (400, 6, 3)
        let noise: [Double] = PhiloxFill.normal(count: 2 * n * f, seed: seed, stream: 1)
        let labels = (0..<n).map { Int32($0 % k) }
        func features(_ offset: Int, signal: Double) -> [Double] {
            (0..<(n * f)).map { i in noise[offset + i] * 0.3 + (i % f == Int(labels[i / f]) ? signal : 0) }
        }
        let acc = try SSLProbes.linearProbe(Double.self, train: features(0, signal: 3), trainLabels: labels,
                                            test: features(n * f, signal: 3), testLabels: labels, width: f, classes: k, seed: seed,
                                            on: be)
        XCTAssertGreaterThan(acc, 0.99)
        let chance = try SSLProbes.linearProbe(Double.self, train: features(0, signal: 0), trainLabels: labels,
                                               test: features(n * f, signal: 0), testLabels: labels, width: f, classes: k,
                                               seed: seed, on: be)
        XCTAssertLessThan(chance, 0.5)
    }

    func testRunResultReportsProbesAndBands() throws {
        let seed = freshSeed()
        let data = try MoCoTrainerTests.images(count: 64, seed: seed)
        let t = try MoCoTrainer<Float>(config: MoCoTrainerTests.config(seed: seed, negatives: .band(lo: 50, hi: 100)), data: data,
                                       backend: CPUBackend())
        try t.run()
        let r = try t.result(seconds: 1, images: 128, checkpoints: [])
        // The bars are linearly separable from pixels, and the features keep that at any weights.
        XCTAssertGreaterThan(r.initialLinearProbeAccuracy, 0.5)
        XCTAssertGreaterThan(r.linearProbeAccuracy, 0.5)
        XCTAssertGreaterThan(r.knnAccuracy, 0.25)
        XCTAssertEqual(r.bandStatistics["band"]?.negativesSeen, t.iteration * 8 * 8)
        XCTAssertEqual(r.bandStatistics["queue"]?.negativesSeen, t.iteration * 8 * 16)
        XCTAssertGreaterThan(r.bandStatistics["band"]!.meanSimilarity, r.bandStatistics["queue"]!.meanSimilarity)
        XCTAssertEqual(r.imagesPerSecond, 128)
    }
}
