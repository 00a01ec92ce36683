import Compute
/// Validation of the random-matrix code on a device against the CPU engine: generated
/// matrices agree (and do not depend on the batching), eigenvalues of device-generated matrices
/// agree, device spectra are within the KS tolerance of their law, and ridge draws agree.
package enum EnsembleChecks {
    package static var all: [ValidationCheck] { [generation, jacobianGeneration, eigenvalues, theory, ridgeDraws] }

    /// Every available ensemble at a small odd order (odd n·n exercises the Philox padding).
    package static var small: [any MatrixEnsemble] {
        let list: [(any MatrixEnsemble)?] = [Ginibre(n: 9, g: 1.3), Ginibre(n: 9, complex: true), GOE(n: 9),
                                             Elliptic(n: 9, tau: 0.4), try? Wishart(n: 9, gamma: 1.5)]
        return list.compactMap { $0 }
    }

    static let generation = ValidationCheck(op: "ensemble.generate") { cpu, dev, seed in
        if !dev.supportsFP64 { return [] }
        return try small.flatMap { e -> [ValidationResult] in
            let a = try e.generate(samples: 1..<4, seed: seed, on: cpu).values
            let b = try e.generate(samples: 1..<4, seed: seed, on: dev).values
            // The same samples generated in two batches on the device.
            let split = try e.generate(samples: 1..<2, seed: seed, on: dev).values
                + e.generate(samples: 2..<4, seed: seed, on: dev).values
            let shape = [3, e.order, e.order]
            return [
                .compare(op: "ensemble.generate.\(e.name)", shape: shape, ref: a, got: b, tolerance: 1e-12, seed: seed),
                ValidationResult(op: "ensemble.batching.\(e.name)", shape: shape.map(String.init).joined(separator: "x"),
                                 dtype: "f64", maxRelError: split == b ? 0 : .infinity, tolerance: 0, seed: seed),
            ]
        }
    }

    /// The Jacobian ensembles at an odd N, at the fixed point and after a short transient (long
    /// chaotic transients amplify rounding, so CPU and device states part ways).
    static let jacobianGeneration = ValidationCheck(op: "ensemble.jacobian") { cpu, dev, seed in
        if !dev.supportsFP64 { return [] }
        var out: [ValidationResult] = []
        for kind in [ModelSpec.Kind.rate, .gated, .gru, .lstm] {
            for at in JacobianEnsembleOptions.Place.allCases {
                let o = JacobianEnsembleOptions(at: at, transient: at == .trajectory ? 7 : nil)
                let e = try JacobianEnsemble(kind: kind, n: 9, g: 2.5, options: o)
                let a = try e.generate(samples: 1..<4, seed: seed, on: cpu).values
                let b = try e.generate(samples: 1..<4, seed: seed, on: dev).values
                let split = try e.generate(samples: 1..<2, seed: seed, on: dev).values
                    + e.generate(samples: 2..<4, seed: seed, on: dev).values
                let shape = [3, e.order, e.order]
                out.append(.compare(op: "ensemble.generate.\(e.name).\(at.rawValue)", shape: shape, ref: a, got: b,
                                    tolerance: 1e-10, seed: seed))
                out.append(ValidationResult(op: "ensemble.batching.\(e.name).\(at.rawValue)",
                                            shape: shape.map(String.init).joined(separator: "x"), dtype: "f64",
                                            maxRelError: split == b ? 0 : .infinity, tolerance: 0, seed: seed))
            }
        }
        return out
    }

    static let eigenvalues = ValidationCheck(op: "ensemble.eigenvalues") { cpu, dev, seed in
        if !dev.supportsFP64 { return [] }
        let cases: [any MatrixEnsemble] = [Ginibre(n: 40), Ginibre(n: 40, complex: true), GOE(n: 40)]
        return try cases.map { e in
            let a = try SpectrumRun.run(e, samples: 2, seed: seed, on: cpu)
            let b = try SpectrumRun.run(e, samples: 2, seed: seed, on: dev)
            let err = SpectrumStatistics.matchError(refRe: a.re, refIm: a.im, gotRe: b.re, gotIm: b.im)
            return ValidationResult(op: "ensemble.eigenvalues.\(e.name)", shape: "2x40x40", dtype: "f64",
                                    maxRelError: err, tolerance: 1e-8, seed: seed)
        }
    }

    /// Spectra of device-generated matrices against their laws (KS within `ksTolerance`).
    static let theory = ValidationCheck(op: "spectrum.theory") { _, dev, seed in
        if !dev.supportsFP64 { return [] }
        let cases: [any MatrixEnsemble] = [Ginibre(n: 100), Elliptic(n: 100, tau: 0.5), GOE(n: 100),
                                           try Wishart(n: 100, gamma: 0.5)]
        return try cases.map { e in
            let s = try SpectrumRun.run(e, samples: 4, seed: seed, on: dev)
            guard let law = s.law else { throw ComputeError.invalidArgument("\(e.name) has no law") }
            let d = SpectrumStatistics.distance(re: s.re, im: s.im, law: law)
            return ValidationResult(op: "spectrum.ks.\(e.name)", shape: "4x\(e.order)x\(e.order)", dtype: "f64",
                                    maxRelError: d.value, tolerance: law.ksTolerance(order: e.order, count: d.count),
                                    seed: seed)
        }
    }

    static let ridgeDraws = ValidationCheck(op: "ridge.generate") { cpu, dev, seed in
        if !dev.supportsFP64 { return [] }
        let a = try RidgeDraws(cpu, seed: seed, n: 7, p: 11, samples: 2..<5)
        let b = try RidgeDraws(dev, seed: seed, n: 7, p: 11, samples: 2..<5)
        return [.compare(op: "ridge.generate", shape: [3, 7 * 11 + 11 + 7], ref: a.x + a.direction + a.noise,
                         got: b.x + b.direction + b.noise, tolerance: 1e-12, seed: seed)]
    }
}
