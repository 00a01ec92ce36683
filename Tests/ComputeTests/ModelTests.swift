import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
/// Tests of the gated RNN, GRU and LSTM of docs/models.md (M7–M21) and of model loading: every Jacobian
/// against central finite differences (check 5), CPU against OpenCL (check 6), the gated RNN's
/// zero-fixed-point spectrum and critical gain (§3), the GRU's constant-gate conjugacy to the
/// rate network (§4), PyTorch GRUCell/LSTMCell fixtures (scripts/make_rnn_fixtures.py), and
/// the loaders' refusals.
import CBLAS
import Foundation
import XCTest


final class ModelTests: XCTestCase {
    let cpu = CPUBackend.shared
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/rnn")

    /// FD error of a model's Jacobian at member `member` of 3 random states.
    func fdError<M: RecurrentModel>(_ m: M, seed: UInt64, member: Int, scale: Double = 1) throws -> Double {
        let x = try JacobianCheck.randomStates(m, batch: 3, seed: seed, scale: scale)
        return try JacobianCheck.finiteDifferenceError(m, states: x, member: member)
    }

    func testGatedJacobianAgainstFiniteDifferences() throws {
        let seed = freshSeed()
        let settings = [
            GatedRNNOptions(),
            GatedRNNOptions(gH: 3, alphaZ: 10, betaZ: 1, alphaR: 2, betaR: -1, tauZ: 2, tauR: 0.5, dt: 0.3),
            GatedRNNOptions(gH: 4, alphaZ: 25, betaZ: -2, alphaR: 0.5, betaR: 2, dt: 1, zeroDiagonal: false),
        ]
        for (i, o) in settings.enumerated() {
            for (networks, member) in [(1, 0), (1, 2), (3, 1), (3, 2)] {
                let m = try GatedRNN<Double>(backend: cpu, units: 11, options: o, seed: seed, networks: networks)
                let err = try fdError(m, seed: seed, member: member)
                XCTAssertLessThan(err, 1e-6, "setting \(i), networks \(networks), member \(member), seed \(seed)")
            }
        }
    }

    func testGRUJacobianAgainstFiniteDifferences() throws {
        let seed = freshSeed()
        for (networks, member) in [(1, 0), (1, 2), (3, 2)] {
            let m = try GRU<Double>(backend: cpu, units: 13, g: 2, bZ: 0.5, bR: -0.5, seed: seed, networks: networks)
            XCTAssertLessThan(try fdError(m, seed: seed, member: member), 1e-6, "networks \(networks), seed \(seed)")
            // every bias nonzero (b_hn enters inside r ⊙ ·), input weights present but x = 0
            let p = ModelChecks.torchLike(Double.self, gates: 3, networks: networks, seed: seed)
            let t = try GRU<Double>(backend: cpu, units: ModelChecks.units, inputSize: ModelChecks.inputSize,
                                    networks: networks, weightHH: p.whh, weightIH: p.wih, biasIH: p.bih, biasHH: p.bhh)
            XCTAssertLessThan(try fdError(t, seed: seed, member: member, scale: 2), 1e-6, "biased, seed \(seed)")
        }
    }

    func testLSTMJacobianAgainstFiniteDifferences() throws {
        let seed = freshSeed()
        for (networks, member) in [(1, 0), (1, 2), (3, 2)] {
            let m = try LSTM<Double>(backend: cpu, units: 13, g: 2, bF: 1, seed: seed, networks: networks)
            XCTAssertLessThan(try fdError(m, seed: seed, member: member), 1e-6, "networks \(networks), seed \(seed)")
            let p = ModelChecks.torchLike(Double.self, gates: 4, networks: networks, seed: seed)
            let t = try LSTM<Double>(backend: cpu, units: ModelChecks.units, inputSize: ModelChecks.inputSize,
                                     networks: networks, weightHH: p.whh, weightIH: p.wih, biasIH: p.bih, biasHH: p.bhh)
            XCTAssertLessThan(try fdError(t, seed: seed, member: member, scale: 2), 1e-6, "biased, seed \(seed)")
        }
    }

    /// A batch of 3 networks steps as 3 single-network models with the same weights do.
    func testBatchedNetworksEqualSingleModels() throws {
        let seed = freshSeed()
        let n = 9, nn = 81
        let o = GatedRNNOptions(alphaZ: 2, betaR: 0.5, tauZ: 1.5)
        let gated = try GatedRNN<Double>(backend: cpu, units: n, options: o, seed: seed, networks: 3)
        let gw = try gated.weights.toArray()
        try assertBatchEqualsSingles(gated, seed: seed) { b in
            let block = { (m: Int) in Array(gw[((3 * b + m) * nn)..<((3 * b + m + 1) * nn)]) }
            return try GatedRNN<Double>(backend: self.cpu, jh: block(0), jz: block(1), jr: block(2), units: n, options: o)
        }
        let gru = try GRU<Double>(backend: cpu, units: n, g: 1.5, bZ: 0.3, bR: 0.2, seed: seed, networks: 3)
        let (gh, gb) = (try gru.weightHH.toArray(), try gru.biasHH.toArray())
        try assertBatchEqualsSingles(gru, seed: seed) { b in
            try GRU<Double>(backend: self.cpu, units: n, weightHH: Array(gh[(b * 3 * nn)..<((b + 1) * 3 * nn)]),
                            biasHH: Array(gb[(b * 3 * n)..<((b + 1) * 3 * n)]))
        }
        let lstm = try LSTM<Double>(backend: cpu, units: n, g: 1.5, bF: 0.5, seed: seed, networks: 3)
        let (lh, lb) = (try lstm.weightHH.toArray(), try lstm.biasHH.toArray())
        try assertBatchEqualsSingles(lstm, seed: seed) { b in
            try LSTM<Double>(backend: self.cpu, units: n, weightHH: Array(lh[(b * 4 * nn)..<((b + 1) * 4 * nn)]),
                             biasHH: Array(lb[(b * 4 * n)..<((b + 1) * 4 * n)]))
        }
    }

    func assertBatchEqualsSingles<M: RecurrentModel>(_ m: M, seed: UInt64, single: (Int) throws -> M) throws
        where M.T == Double
    {
        let x = try JacobianCheck.randomStates(m, batch: 3, seed: seed)
        let before = try x.toArray()
        let jac = try (0..<3).map { try m.jacobian(x, member: $0).toArray() }
        try m.step(x)
        let after = try x.toArray()
        let (n, s) = (m.units, m.segments)
        func pick(_ v: [Double], _ b: Int) -> [Double] {
            var out: [Double] = []
            for seg in 0..<s {
                let start = (3 * seg + b) * n
                out += v[start..<(start + n)]
            }
            return out
        }
        for b in 0..<3 {
            let one = try single(b)
            let xb = try cpu.tensor(pick(before, b), shape: [s, 1, n])
            XCTAssertLessThan(Compare.maxRelativeError(try one.jacobian(xb).toArray(), jac[b], floor: 1), 1e-14, "\(m.name) \(b)")
            try one.step(xb)
            XCTAssertLessThan(Compare.maxRelativeError(try xb.toArray(), pick(after, b), floor: 1), 1e-14, "\(m.name) \(b)")
        }
    }

    func testCPUAgainstOpenCL() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        for check in ModelChecks.all { assertAllPass(try check.run(cpu, cl, seed)) }
    }

    // MARK: gated RNN theory

    static func eigenvalues(_ a: [Double], n: Int) -> (re: [Double], im: [Double]) {
        var copy = a, re = [Double](repeating: 0, count: n), im = re
        let info = LAPACKE_dgeev(Int32(LAPACK_ROW_MAJOR), Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "N")), Int32(n),
                                 &copy, Int32(n), &re, &im, nil, 1, nil, 1)
        XCTAssertEqual(info, 0)
        return (re, im)
    }

    /// Largest distance from a predicted eigenvalue to its nearest unused computed one.
    static func matchDistance(_ want: (re: [Double], im: [Double]), _ got: (re: [Double], im: [Double])) -> Double {
        var used = [Bool](repeating: false, count: got.re.count), worst = 0.0
        for i in want.re.indices {
            let d = got.re.indices.map { used[$0] ? .infinity : hypot(got.re[$0] - want.re[i], got.im[$0] - want.im[i]) }
            guard let j = d.indices.min(by: { d[$0] < d[$1] }), d[j].isFinite else { return .infinity }
            used[j] = true
            worst = max(worst, d[j])
        }
        return worst
    }

    /// A = (M − I)/δ at h = z = r = 0 and μ = eig(J^h/g_h) of the same network.
    func zeroStateSpectra(_ m: GatedRNN<Double>) throws -> (a: (re: [Double], im: [Double]), mu: (re: [Double], im: [Double])) {
        let (n, s) = (m.units, m.stateSize)
        var a = try m.jacobian(m.zeroStates(batch: 1)).toArray()
        for i in 0..<s { a[i * s + i] -= 1 }
        a = a.map { $0 / m.options.dt }
        let jh = try m.weights.toArray()[0..<(n * n)].map { $0 / m.options.gH }
        return (Self.eigenvalues(a, n: s), Self.eigenvalues(jh, n: n))
    }

    func testGatedZeroFixedPointSpectrum() throws {
        let seed = freshSeed()
        for o in [GatedRNNOptions(gH: 2.5, alphaZ: 3, betaZ: 0.7, alphaR: 2, betaR: -0.4, tauZ: 2, tauR: 0.5, dt: 0.5),
                  GatedRNNOptions(gH: 1.2, betaZ: -1, betaR: 1.5, tauZ: 0.3, tauR: 3, dt: 1)] {
            let m = try GatedRNN<Double>(backend: cpu, units: 24, options: o, seed: seed)
            let (a, mu) = try zeroStateSpectra(m)
            let want = m.zeroFixedPointEigenvalues(muRe: mu.re, muIm: mu.im)
            XCTAssertEqual(want.re.count, 72)
            XCTAssertLessThan(Self.matchDistance(want, a), 1e-8, "seed \(seed)")
        }
    }

    func testGatedCriticalGain() throws {
        let seed = freshSeed()
        let betaR = 0.7
        let gc = GatedRNNOptions.criticalGain(betaR: betaR)
        XCTAssertEqual(gc, 1 + exp(betaR), accuracy: 1e-15)
        XCTAssertEqual(gc * GatedRNNOptions(betaR: betaR).sigmaR0, 1, accuracy: 1e-15)
        // μ = 1 (the edge of the circular law) is marginal exactly at g_h = g_c
        let edge = GatedRNNOptions(gH: gc, betaZ: 0.3, betaR: betaR).zeroFixedPointEigenvalues(muRe: [1], muIm: [0])
        XCTAssertEqual(edge.re[0], 0, accuracy: 1e-15)
        // N = 200: the zero state is stable below g_c and unstable above (spectral edge of J^h/g_h ≈ 1)
        for (factor, stable) in [(0.8, true), (1.25, false)] {
            let o = GatedRNNOptions(gH: factor * gc, alphaZ: 2, betaZ: 0.3, betaR: betaR, dt: 0.5)
            let (a, _) = try zeroStateSpectra(try GatedRNN<Double>(backend: cpu, units: 200, options: o, seed: seed))
            XCTAssertEqual(a.re.max()! < 0, stable, "g_h = \(factor) g_c, max Re λ = \(a.re.max()!), seed \(seed)")
        }
    }

    // MARK: GRU with constant gates

    /// With W_hz = W_hr = 0 the gates are constants ζ = σ(b_z), ρ = σ(b_r) and the GRU map is
    /// F(h) = ζ h + (1 − ζ) tanh(ρ W_hn h). With L = ρ W_hn, x = L h obeys
    /// x' = L F(h) = (1 − δ) x + δ J tanh(x) with δ = 1 − ζ and J = L = ρ W_hn: the rate
    /// network's Euler map (gain g·ρ). So L·F_gru(h) = F_rate(L h) and, for the Jacobians,
    /// L·M_gru(h) = M_rate(L h)·L: the maps are conjugate through L and share their exponents.
    func testGRUConstantGatesIsConjugateToRateNetwork() throws {
        let seed = freshSeed()
        let (n, bZ, bR) = (30, 0.4, -0.6)
        let random = try GRU<Double>(backend: cpu, units: n, g: 1.5, bZ: bZ, bR: bR, seed: seed)
        var w = try random.weightHH.toArray()
        for i in 0..<(2 * n * n) { w[i] = 0 }  // W_hr, W_hz
        let gru = try GRU<Double>(backend: cpu, units: n, weightHH: w, biasHH: try random.biasHH.toArray())
        let (zeta, rho) = (1 / (1 + exp(-bZ)), 1 / (1 + exp(-bR)))
        let l = w[(2 * n * n)...].map { rho * $0 }
        let rate = try RateNetwork<Double>(backend: cpu, couplings: l, units: n, dt: 1 - zeta)
        let lt = try cpu.tensor(l, shape: [n, n])
        let h = try JacobianCheck.randomStates(gru, batch: 3, seed: seed, scale: 2)
        let x = try cpu.matmul(h.reshaped([3, n]), lt, transB: true)  // rows L h_b
        let mRate = try rate.jacobian(x.reshaped([1, 3, n]), member: 1)
        let mGru = try gru.jacobian(h, member: 1)
        try gru.step(h)
        try rate.step(x.reshaped([1, 3, n]))
        let lh = try cpu.matmul(h.reshaped([3, n]), lt, transB: true)
        XCTAssertLessThan(Compare.maxRelativeError(try x.toArray(), try lh.toArray(), floor: 1), 1e-13, "seed \(seed)")
        let left = try cpu.matmul(lt, mGru), right = try cpu.matmul(mRate, lt)
        XCTAssertLessThan(Compare.maxRelativeError(try right.toArray(), try left.toArray(), floor: 1), 1e-13, "seed \(seed)")
    }

    // MARK: PyTorch fixtures

    func npy(_ dir: String, _ name: String) throws -> [Double] {
        try Npy.read(Self.fixtures.appendingPathComponent(dir).appendingPathComponent(name + ".npy")).doubles()
    }

    /// Three input-driven steps of a loaded model against torch's; `segments` names the fixture
    /// files of each state segment.
    func assertMatchesTorch<M: InputDrivenModel>(_ m: M, _ dir: String, segments: [String], tolerance: Double) throws {
        let (b, n) = (2, 6)
        XCTAssertEqual(m.units, n)
        XCTAssertEqual(m.inputSize, 4)
        let x = try npy(dir, "x")
        let want = try segments.map { try npy(dir, $0) }
        let s = try cpu.tensor(try segments.flatMap { try npy(dir, $0 + "0") }.map { M.T($0) }, shape: [segments.count, b, n])
        for t in 0..<3 {
            try m.step(s, input: cpu.tensor(x[(t * b * 4)..<((t + 1) * b * 4)].map { M.T($0) }, shape: [b, 4]))
            let expected = want.flatMap { $0[(t * b * n)..<((t + 1) * b * n)] }
            let err = Compare.maxRelativeError(expected, try s.toArray().map(\.double), floor: 1)
            XCTAssertLessThan(err, tolerance, "\(dir) \(M.T.dtype) step \(t + 1)")
        }
    }

    func testGRUMatchesTorch() throws {
        let path = Self.fixtures.appendingPathComponent("gru").path
        try assertMatchesTorch(try GRU<Double>.load(backend: cpu, path: path), "gru", segments: ["h"], tolerance: 1e-12)
        try assertMatchesTorch(try GRU<Float>.load(backend: cpu, path: path), "gru", segments: ["h"], tolerance: 1e-5)
    }

    func testLSTMMatchesTorch() throws {
        let path = Self.fixtures.appendingPathComponent("lstm").path
        try assertMatchesTorch(try LSTM<Double>.load(backend: cpu, path: path), "lstm", segments: ["h", "c"], tolerance: 1e-12)
        try assertMatchesTorch(try LSTM<Float>.load(backend: cpu, path: path), "lstm", segments: ["h", "c"], tolerance: 1e-5)
    }

    // MARK: loading

    func assertThrows(_ message: String, _ body: () throws -> Void, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { e in
            XCTAssertTrue("\(e)".contains(message), "\"\(e)\" does not contain \"\(message)\"", line: line)
        }
    }

    func write(_ dir: URL, _ name: String, _ shape: [Int], _ value: (Int) -> Float = { Float($0 % 7) * 0.1 }) throws {
        let count = shape.reduce(1, *)
        try Npy.write(NpyArray((0..<count).map(value), shape: shape), to: dir.appendingPathComponent(name))
    }

    func testTorchLoadingErrors() throws {
        let dir = try temporaryDirectory(self)
        let p = dir.path
        assertThrows("not a directory") { _ = try GRU<Double>.load(backend: cpu, path: p + "/nothing") }
        assertThrows("weight_hh_l0.npy: no such file (expected a .npy array of shape [3N, N])") {
            _ = try GRU<Double>.load(backend: cpu, path: p)
        }
        try write(dir, "weight_hh_l0.npy", [12, 5])
        assertThrows("weight_hh_l0.npy: has shape [12, 5], expected [12, 4]") { _ = try GRU<Double>.load(backend: cpu, path: p) }
        try write(dir, "weight_hh_l0.npy", [12, 4])
        assertThrows("weight_hh_l0.npy: has shape [12, 4], expected [12, 3]") { _ = try LSTM<Double>.load(backend: cpu, path: p) }
        let gru = try GRU<Double>.load(backend: cpu, path: p)  // biases and input weights optional
        XCTAssertEqual([gru.units, gru.inputSize], [4, 0])
        XCTAssertEqual(try gru.biasIH.toArray(), [Double](repeating: 0, count: 12))
        try write(dir, "weight_ih_l0.npy", [12, 3])
        try write(dir, "bias_hh_l0.npy", [12])
        XCTAssertEqual(try GRU<Double>.load(backend: cpu, path: p).inputSize, 3)
        try write(dir, "bias_ih_l0.npy", [11])
        assertThrows("bias_ih_l0.npy: has shape [11], expected [12]") { _ = try GRU<Double>.load(backend: cpu, path: p) }
        try write(dir, "bias_ih_l0.npy", [12])
        try write(dir, "weight_ih_l0.npy", [11, 3])
        assertThrows("weight_ih_l0.npy: has shape [11, 3], expected [12, any]") { _ = try GRU<Double>.load(backend: cpu, path: p) }
        try write(dir, "weight_ih_l0.npy", [12, 3])
        try write(dir, "weight_hh_l0.npy", [12, 4]) { $0 == 5 ? .nan : 0.5 }
        assertThrows("weight_hh_l0.npy: element 5 is nan") { _ = try GRU<Double>.load(backend: cpu, path: p) }
    }

    func testMatrixLoadingErrors() throws {
        let dir = try temporaryDirectory(self)
        let p = dir.path
        assertThrows("J.npy: no such file (expected a .npy array of shape [N, N])") {
            _ = try RateNetwork<Double>.load(backend: cpu, path: p, dt: 0.1)
        }
        try write(dir, "J.npy", [5, 5])
        XCTAssertEqual(try RateNetwork<Double>.load(backend: cpu, path: p, dt: 0.1).units, 5)
        try write(dir, "plain.npy", [4, 4])
        XCTAssertEqual(try RateNetwork<Double>.load(backend: cpu, path: p + "/plain.npy", dt: 1).units, 4)
        XCTAssertEqual(try LinearMap<Double>.load(backend: cpu, path: p + "/plain.npy").units, 4)
        try write(dir, "W.npy", [3, 4])
        assertThrows("W.npy: has shape [3, 4], expected a square matrix [N, N]") { _ = try LinearMap<Double>.load(backend: cpu, path: p) }
        try write(dir, "W.npy", [3, 3]) { $0 == 4 ? .infinity : 1 }
        assertThrows("W.npy: element 4 is inf") { _ = try LinearMap<Double>.load(backend: cpu, path: p) }

        assertThrows("not a directory") { _ = try GatedRNN<Double>.load(backend: cpu, path: p + "/J.npy") }
        try write(dir, "Jh.npy", [5, 5])
        try write(dir, "Jz.npy", [4, 4])
        assertThrows("Jz.npy: has shape [4, 4], expected [5, 5]") { _ = try GatedRNN<Double>.load(backend: cpu, path: p) }
        try write(dir, "Jz.npy", [5, 5])
        assertThrows("Jr.npy: no such file (expected a .npy array of shape [5, 5])") {
            _ = try GatedRNN<Double>.load(backend: cpu, path: p)
        }
        try write(dir, "Jr.npy", [5, 5]) { Float($0) }
        let g = try GatedRNN<Double>.load(backend: cpu, path: p, options: GatedRNNOptions(dt: 0.2))
        XCTAssertEqual(g.units, 5)
        XCTAssertEqual(Array(try g.weights.toArray()[50..<75]), (0..<25).map(Double.init), "J^r is matrix 2")
    }
}
