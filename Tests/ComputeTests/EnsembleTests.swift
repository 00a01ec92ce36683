import Compute
import Dynamics
import GPURunApp
import InformationBottleneck
import Learning
import OpenCLRuntime
import CBLAS
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif

final class EnsembleTests: XCTestCase {
    let cpu = CPUBackend.shared

    func ks(_ s: EnsembleSpectrum, against law: SpectralLaw? = nil) -> (value: Double, tolerance: Double) {
        let d = SpectrumStatistics.distance(re: s.re, im: s.im, law: law ?? s.law!)
        return (d.value, s.law!.ksTolerance(order: s.order, count: d.count))
    }

    /// Every ensemble at moderate n is within the KS tolerance of its law (see
    /// `SpectralLaw.ksTolerance`: finite-size edge bias + the 1% KS critical value).
    func testSpectraMatchTheory() throws {
        let seed = freshSeed()
        let cases: [(String, EnsembleOptions)] = [
            ("ginibre", .init(n: 200, g: 1.5)), ("complex-ginibre", .init(n: 150, g: 0.7)), ("goe", .init(n: 200)),
            ("wishart", .init(n: 200, gamma: 0.5)), ("wishart", .init(n: 100, gamma: 1)),
            ("wishart", .init(n: 100, gamma: 2.5)), ("elliptic", .init(n: 200, tau: 0.5)),
            ("elliptic", .init(n: 200, g: 2, tau: -0.6)), ("elliptic", .init(n: 120, tau: 1)),
            ("elliptic", .init(n: 120, tau: -1)),
        ]
        for (name, options) in cases {
            let s = try SpectrumRun.run(Ensembles.make(name, options), samples: 4, seed: seed, on: cpu)
            let (d, tol) = ks(s)
            XCTAssertLessThan(d, tol, "\(name) \(options) seed \(seed): KS \(d) against \(s.law!.description)")
        }
    }

    /// Negative controls: the same spectra against a law with a wrong g, γ or τ fail.
    func testWrongParametersFail() throws {
        let seed = freshSeed()
        let controls: [(any MatrixEnsemble, SpectralLaw)] = [
            (Ginibre(n: 200), .circular(radius: 1.2)),
            (Ginibre(n: 150, complex: true), .circular(radius: 0.8)),
            (GOE(n: 200), .semicircle(radius: 2.6, axis: .real)),
            (try Wishart(n: 200, gamma: 0.5), .marchenkoPastur(ratio: 0.8)),
            (try Wishart(n: 100, gamma: 2), .marchenkoPastur(ratio: 1.5)),
            (Elliptic(n: 200, tau: 0.5), .elliptic(tau: 0.25, scale: 1)),
            (Elliptic(n: 200, tau: 0.5), .circular(radius: 1)),
        ]
        for (e, wrong) in controls {
            let s = try SpectrumRun.run(e, samples: 8, seed: seed, on: cpu)
            let (d, tol) = ks(s, against: wrong)
            XCTAssertGreaterThan(d, tol, "\(e.name) against \(wrong.description) should fail (seed \(seed))")
        }
    }

    /// Sample k is the same matrix whatever batch generates it; different samples differ.
    func testGenerationDoesNotDependOnBatching() throws {
        for e in EnsembleChecks.small {
            let whole = try e.generate(samples: 0..<5, seed: 7, on: cpu).values
            let parts = try e.generate(samples: 0..<2, seed: 7, on: cpu).values
                + e.generate(samples: 2..<3, seed: 7, on: cpu).values + e.generate(samples: 3..<5, seed: 7, on: cpu).values
            XCTAssertEqual(whole, parts, e.name)
            let b = try e.generate(samples: 0..<2, seed: 7, on: cpu)
            XCTAssertNotEqual(b.matrix(0), b.matrix(1), e.name)
        }
        // Symmetric ensembles are symmetric; the run result does not depend on the worker count.
        let goe = try GOE(n: 9).generate(samples: 0..<1, seed: 3, on: cpu).values
        for i in 0..<9 { for j in 0..<9 { XCTAssertEqual(goe[i * 9 + j], goe[j * 9 + i]) } }
        let one = try SpectrumRun.run(Ginibre(n: 30), samples: 5, seed: 3, on: cpu, workers: 1)
        let two = try SpectrumRun.run(Ginibre(n: 30), samples: 5, seed: 3, on: cpu, workers: 2)
        XCTAssertEqual(one.re, two.re)
        XCTAssertEqual(one.im, two.im)
    }

    /// CPU and OpenCL generation give the same inputs and spectra (the `validate` checks).
    func testOpenCLMatchesCPU() throws {
        let cl = try openCLBackend()
        let seed = freshSeed()
        for check in EnsembleChecks.all {
            assertAllPass(try check.run(cpu, cl, seed))
        }
    }

    /// The scaling conventions: Ginibre E[J_ij²] = g²/n, elliptic E[J_ij J_ji] = τ g²/n,
    /// complex Ginibre E|J_ij|² = g²/n, GOE off-diagonal variance g²/n, Wishart mean eigenvalue 1.
    func testScalingConventions() throws {
        let n = 60, g = 1.5, tau = 0.4
        func moments(_ e: any MatrixEnsemble) throws -> (sq: Double, cross: Double) {
            let b = try e.generate(samples: 0..<20, seed: 11, on: cpu)
            var sq = 0.0, cross = 0.0, count = 0.0
            let c = e.structure == .complex ? 2 : 1
            for k in 0..<b.count {
                let m = b.matrix(k)
                for i in 0..<n { for j in 0..<n where i != j {
                    for r in 0..<c { sq += m[c * (i * n + j) + r] * m[c * (i * n + j) + r] }
                    cross += m[c * (i * n + j)] * m[c * (j * n + i)]
                    count += 1
                } }
            }
            return (sq / count * Double(n), cross / count * Double(n))
        }
        let gin = try moments(Ginibre(n: n, g: g))
        XCTAssertEqual(gin.sq, g * g, accuracy: 0.05 * g * g)
        XCTAssertEqual(gin.cross, 0, accuracy: 0.05 * g * g)
        XCTAssertEqual(try moments(Ginibre(n: n, g: g, complex: true)).sq, g * g, accuracy: 0.05 * g * g)
        let ell = try moments(Elliptic(n: n, g: g, tau: tau))
        XCTAssertEqual(ell.sq, g * g, accuracy: 0.05 * g * g)
        XCTAssertEqual(ell.cross, tau * g * g, accuracy: 0.05 * g * g)
        XCTAssertEqual(try moments(GOE(n: n, g: g)).sq, g * g, accuracy: 0.05 * g * g)
        let w = try SpectrumRun.run(Wishart(n: 100, gamma: 0.5), samples: 4, seed: 1, on: cpu)
        XCTAssertEqual(w.re.reduce(0, +) / Double(w.re.count), 1, accuracy: 0.02)
    }

    func testLawsAreProperDistributions() {
        for gamma in [0.3, 1, 2.5] {
            let law = SpectralLaw.marchenkoPastur(ratio: gamma)
            XCTAssertEqual(law.cdf(law.support.upperBound), 1, accuracy: 1e-12, "γ \(gamma)")
            XCTAssertEqual(law.cdfBefore(0), 0)
            XCTAssertEqual(law.cdf(0), max(0, 1 - 1 / gamma), accuracy: 1e-12)
            // The mean of MP is 1: ∫ (1 − F) over [0, b].
            let b = law.support.upperBound, steps = 20_000
            let mean = (0..<steps).reduce(0.0) { $0 + (1 - law.cdf((Double($1) + 0.5) * b / Double(steps))) } * b / Double(steps)
            XCTAssertEqual(mean, 1, accuracy: 1e-3, "γ \(gamma)")
            // The CDF is the integral of the density.
            let x = law.support.lowerBound + 0.4 * (b - law.support.lowerBound)
            let h = 1e-5
            XCTAssertEqual((law.cdf(x + h) - law.cdf(x - h)) / (2 * h), law.density(x), accuracy: 1e-5)
        }
        let sc = SpectralLaw.semicircle(radius: 2, axis: .real)
        XCTAssertEqual(sc.cdf(0), 0.5, accuracy: 1e-15)
        XCTAssertEqual(sc.cdf(2), 1)
        XCTAssertEqual(sc.cdf(-3), 0)
        XCTAssertEqual(SpectralLaw.circular(radius: 2).cdf(1), 0.25)
        XCTAssertEqual(SpectralLaw.elliptic(tau: 0.5, scale: 1).statistic(re: 1.5, im: 0), 1, accuracy: 1e-15)
        XCTAssertEqual(SpectralLaw.circular(radius: 1).finiteSizeBias(order: 200), 1 / (2 * Double.pi * 200).squareRoot(),
                       accuracy: 1e-12)
        // KS handles atoms and ties: half the values at the atom, half spread uniformly.
        let sample = [0, 0, 0, 0, 0.125, 0.375, 0.625, 0.875]
        let d = SpectrumStatistics.ks(sample, cdf: { $0 < 0 ? 0 : 0.5 + 0.5 * min(1, $0) },
                                      cdfBefore: { $0 <= 0 ? 0 : 0.5 + 0.5 * min(1, $0) })
        XCTAssertEqual(d, 0.0625, accuracy: 1e-15)
    }

    /// `--matrix`: our eigenvalues equal LAPACK called directly, for general, symmetric and complex matrices.
    func testMatrixSpectrumMatchesLAPACK() throws {
        let dir = try temporaryDirectory(self)
        let n = 37
        let a: [Double] = PhiloxFill.normal(count: n * n, seed: 5, stream: 1)
        var sym = a
        for i in 0..<n { for j in 0..<n { sym[i * n + j] = a[i * n + j] + a[j * n + i] } }
        for (name, m) in [("general", a), ("symmetric", sym)] {
            let url = dir.appendingPathComponent("\(name).npy")
            try Npy.write(NpyArray(m, shape: [n, n]), to: url)
            let s = try MatrixSpectrum.compute(file: url)
            XCTAssertEqual(s.structure.rawValue, name)
            var copy = m, wr = [Double](repeating: 0, count: n), wi = wr
            let info = LAPACKE_dgeev(Int32(LAPACK_ROW_MAJOR), Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "N")), Int32(n),
                                     &copy, Int32(n), &wr, &wi, nil, 1, nil, 1)
            XCTAssertEqual(info, 0)
            XCTAssertLessThan(SpectrumStatistics.matchError(refRe: wr, refIm: wi, gotRe: s.re, gotIm: s.im), 1e-12, name)
            let mod = zip(s.re, s.im).map { ($0 * $0 + $1 * $1).squareRoot() }
            XCTAssertEqual(mod, mod.sorted(by: >), "sorted by decreasing modulus")
        }
        // Complex: interleaved pairs through LAPACKE_zgeev directly.
        let z: [Double] = PhiloxFill.normal(count: 2 * n * n, seed: 6, stream: 1)
        let url = dir.appendingPathComponent("complex.npy")
        try Npy.write(NpyArray(complexInterleaved: z, shape: [n, n]), to: url)
        let s = try MatrixSpectrum.compute(file: url)
        var copy = z, w = [Double](repeating: 0, count: 2 * n)
        let info = copy.withUnsafeMutableBufferPointer { pa in
            w.withUnsafeMutableBufferPointer { pw in
                LAPACKE_zgeev(Int32(LAPACK_ROW_MAJOR), Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "N")), Int32(n),
                              OpaquePointer(pa.baseAddress), Int32(n), OpaquePointer(pw.baseAddress), nil, 1, nil, 1)
            }
        }
        XCTAssertEqual(info, 0)
        XCTAssertEqual(s.structure, .complex)
        XCTAssertLessThan(SpectrumStatistics.matchError(refRe: (0..<n).map { w[2 * $0] }, refIm: (0..<n).map { w[2 * $0 + 1] },
                                                        gotRe: s.re, gotIm: s.im), 1e-12)
        // A known answer: a rotation by 90° scaled by 2 has eigenvalues ±2i, +2i first.
        let rot = dir.appendingPathComponent("rot.npy")
        try Npy.write(NpyArray([0.0, -2, 2, 0], shape: [2, 2]), to: rot)
        let r = try MatrixSpectrum.compute(file: rot)
        XCTAssertEqual(r.re[0], 0, accuracy: 1e-15)
        XCTAssertEqual(r.im[0], 2, accuracy: 1e-14)
        XCTAssertEqual(r.im[1], -2, accuracy: 1e-14)
    }

    func testBadInputIsRefusedBeforeWork() throws {
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(message { try Ensembles.make("ginibre", .init(n: 0)) }.contains("the matrix size n must be at least 1 (got 0)"))
        XCTAssertTrue(message { try Ensembles.make("wishart", .init(n: 10, gamma: 0)) }.contains("the aspect ratio γ must be a positive number (got 0"))
        XCTAssertTrue(message { try Ensembles.make("wishart", .init(n: 10, gamma: .nan)) }.contains("aspect ratio γ"))
        XCTAssertTrue(message { try Ensembles.make("elliptic", .init(n: 10, tau: 1.2)) }.contains("the correlation τ must lie in [-1, 1] (got 1.2)"))
        XCTAssertTrue(message { try Ensembles.make("goe", .init(n: 10, gamma: 2)) }.contains("does not apply"))
        XCTAssertTrue(message { try Ensembles.make("ginibre", .init(n: 10, g: -1)) }.contains("the gain g must be a positive number (got -1"))
        XCTAssertTrue(message { try Ensembles.make("cue", .init(n: 10)) }.contains("unknown ensemble 'cue'; known: ginibre"))
        XCTAssertTrue(message { try Ensembles.make("lstm-jacobian", .init(n: 10, jacobian: .init(matrix: .flow))) }
            .contains("the lstm is a map"))
        XCTAssertTrue(message { try Ensembles.make("rate-jacobian", .init(n: 10, jacobian: .init(matrix: .map))) }
            .contains("the map Jacobian is for the GRU and LSTM; the rate network is a flow"))
        XCTAssertTrue(message { try Ensembles.make("rate-jacobian", .init(n: 10, jacobian: .init(transient: -1))) }
            .contains("the transient steps must be ≥ 0 (got -1)"))
        XCTAssertTrue(message { try Ensembles.make("goe", .init(n: 10, jacobian: .init())) }
            .contains("apply to the *-jacobian ensembles"))
        XCTAssertTrue(message { try SpectrumRun.run(GOE(n: 4), samples: 0, seed: 0, on: self.cpu) }.contains("the number of samples must be at least 1 (got 0)"))

        let dir = try temporaryDirectory(self)
        let missing = dir.appendingPathComponent("nope.npy")
        XCTAssertTrue(message { try MatrixSpectrum.compute(file: missing) }.contains("no such file"))
        let rect = dir.appendingPathComponent("rect.npy")
        try Npy.write(NpyArray([Double](repeating: 1, count: 6), shape: [2, 3]), to: rect)
        XCTAssertTrue(message { try MatrixSpectrum.compute(file: rect) }.contains("square 2-D matrix"))
        let nan = dir.appendingPathComponent("nan.npy")
        try Npy.write(NpyArray([1, 2, .nan, 4.0], shape: [2, 2]), to: nan)
        XCTAssertTrue(message { try MatrixSpectrum.compute(file: nan) }.contains("entry (1, 0) is nan"))
        let junk = dir.appendingPathComponent("junk.npy")
        try Data("hello".utf8).write(to: junk)
        XCTAssertTrue(message { try MatrixSpectrum.compute(file: junk) }.contains("not a .npy file"))
        XCTAssertTrue(message { try LAPACK.eigenvalues(general: [1, 2, 3], n: 2) }.contains("do not fill"))
    }

    /// The report: histogram or 2-D density adds up, files are readable, the SVG is well-formed.
    func testReportAndFiles() throws {
        let dir = try temporaryDirectory(self)
        for e in [Ginibre(n: 40) as any MatrixEnsemble, try Wishart(n: 40, gamma: 2)] {
            let s = try SpectrumRun.run(e, samples: 3, seed: 2, on: cpu)
            let r = SpectrumReport(s, n: 40)
            if let h = r.histogram {
                XCTAssertEqual(h.counts.reduce(0, +) + h.outside + (h.atZero ?? 0), 3 * e.order)
                XCTAssertEqual(h.atZero, 3 * (e.order - 40), "γ = 2: half the eigenvalues are zero")
            } else {
                let d = try XCTUnwrap(r.density2d)
                XCTAssertEqual(d.counts.joined().reduce(0, +) + d.outside, 3 * e.order)
            }
            let npy = dir.appendingPathComponent("\(e.name).npy"), svg = dir.appendingPathComponent("\(e.name).svg")
            try SpectrumFiles.writeEigenvalues(re: s.re, im: s.im, shape: [3, e.order], real: e.structure == .symmetric, to: npy)
            let back = try Npy.read(npy)
            XCTAssertEqual(back.shape, [3, e.order])
            XCTAssertEqual(back.dtype, e.structure == .symmetric ? .float64 : .complex128)
            try SpectrumFiles.plot(s, report: r).write(to: svg)
            try assertWellFormedSVG(svg)
        }
    }

    /// The bench: ours alone, a missing script, and numpy when this machine has it.
    func testEnsembleBench() throws {
        let alone = try EnsembleBench.run(n: 20, samples: 3, on: cpu, numpyScript: nil)
        XCTAssertGreaterThan(alone.seconds, 0)
        XCTAssertNil(alone.ratio)
        let missing = try EnsembleBench.run(n: 20, samples: 1, on: cpu, numpyScript: "/nonexistent/eigvals.py")
        XCTAssertTrue(missing.numpySkipped?.contains("not there") ?? false, "\(String(describing: missing.numpySkipped))")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("bench/eigvals_numpy.py").path
        let r = try EnsembleBench.run(n: 20, samples: 2, on: cpu, numpyScript: script, numpyThreads: 1)
        if let np = r.numpy {
            XCTAssertEqual(np.n, 20)
            XCTAssertEqual(np.threads, "1")
            XCTAssertNotNil(r.ratio)
        } else {
            print("numpy did not run: \(r.numpySkipped ?? "")")
        }
    }

    func testSVGPlotHandlesEdgeCases() throws {
        var p = SVGPlot(title: "a <title> & more", x: .init(label: "x"), y: .init(label: "y", scale: .log))
        p.line([0, 1, 2, 3], [1, 0, .nan, 1e3], name: "gappy")
        p.scatter([1, 2], [10, -1], name: "points")
        p.bars(edges: [0, 1, 2], heights: [5, 50], name: "bars")
        p.line([1, 1], [1e300, 1e-300])
        let url = try temporaryDirectory(self).appendingPathComponent("p.svg")
        try p.write(to: url)
        try assertWellFormedSVG(url)
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.contains("a &lt;title&gt; &amp; more"))
        var empty = SVGPlot(title: "empty", x: .init(label: "x"), y: .init(label: "y"))
        empty.equalAspect = true
        XCTAssertTrue(empty.render().hasPrefix("<svg"))
        XCTAssertEqual(PlotScale(axis: .init(label: "", scale: .log, range: 1e-2...1e2), values: [], pixels: 100).ticks(),
                       [1e-2, 1e-1, 1, 10, 100])
    }

    /// The automatic legend goes to the corner its box covers least, and a long title shrinks to fit.
    func testLegendAvoidsTheDataAndLongTitlesFit() throws {
        func legendOrigin(_ p: SVGPlot) -> (x: Double, y: Double) {
            let svg = p.render()
            let box = svg.components(separatedBy: "<g><rect x=\"")[1]
            let x = Double(box.prefix { $0 != "\"" })!
            let y = Double(box.components(separatedBy: "y=\"")[1].prefix { $0 != "\"" })!
            return (x, y)
        }
        let xs = (0...40).map { Double($0) / 40 }
        var rising = SVGPlot(title: "rising", x: .init(label: "x"), y: .init(label: "y"))
        rising.line(xs, xs.map { $0 * $0 * $0 }, name: "a cubic that fills the top-right corner")
        let r = legendOrigin(rising)
        XCTAssertLessThan(r.x, rising.width / 2, "the legend of a rising curve goes left")
        XCTAssertLessThan(r.y, rising.height / 2, "top-left is empty above a convex rise")
        var falling = SVGPlot(title: "falling", x: .init(label: "x"), y: .init(label: "y"))
        falling.line(xs, xs.map { 1 - $0 * $0 * $0 }, name: "a falling curve")
        falling.scatter([0.8, 0.85, 0.9, 0.95, 1], [1, 1, 1, 1, 1], name: "points in the top-right corner")
        let f = legendOrigin(falling)
        XCTAssertLessThan(f.x, falling.width / 2)
        XCTAssertGreaterThan(f.y, falling.height / 2, "bottom-left is empty below a concave fall")
        var histogram = SVGPlot(title: "bars", x: .init(label: "x"), y: .init(label: "y"))
        histogram.bars(edges: (0...6).map(Double.init), heights: [4, 5, 6, 6, 5, 4], name: "bars fill the bottom")
        histogram.line([0, 6], [9, 9], name: "a line along the top")
        XCTAssertGreaterThan(legendOrigin(histogram).y, 0, "legend drawn")
        XCTAssertLessThan(legendOrigin(histogram).y, histogram.height / 2, "bars count as drawn: the legend avoids them")
        var fixed = falling
        fixed.legendCorner = .topRight
        XCTAssertGreaterThan(legendOrigin(fixed).x, falling.width / 2, "a corner asked for is kept")

        let long = SVGPlot(title: String(repeating: "a long title ", count: 8), x: .init(label: "x"), y: .init(label: "y"))
        let titleTag = long.render().components(separatedBy: "\" font-weight=\"bold\"")[0]
        let size = Double(titleTag.components(separatedBy: "font-size=\"").last!)!
        XCTAssertLessThan(0.6 * size * Double(long.title.count), long.width, "the title fits the width")
        XCTAssertTrue(SVGPlot(title: "short", x: .init(label: "x"), y: .init(label: "y")).render().contains("font-size=\"16\" font-weight"))
    }
}

/// Parses the file as XML and checks it is an <svg> document.
func assertWellFormedSVG(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws {
    let data = try Data(contentsOf: url)
    let parser = XMLParser(data: data)
    XCTAssertTrue(parser.parse(), "\(url.lastPathComponent): \(String(describing: parser.parserError))", file: file, line: line)
    XCTAssertTrue(String(decoding: data.prefix(4), as: UTF8.self) == "<svg", file: file, line: line)
}
