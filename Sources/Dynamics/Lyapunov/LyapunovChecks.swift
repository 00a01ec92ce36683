import Compute
/// Validation: the same spectrum (model, seed, transients) on the CPU and on the device.
enum LyapunovChecks {
    static var all: [ValidationCheck] {
        ModelSpec.Kind.allCases.flatMap { kind in [check(kind, Double.self, tolerance: 1e-9), check(kind, Float.self, tolerance: 1e-3)] }
    }

    static func check<T: Scalar>(_ kind: ModelSpec.Kind, _: T.Type, tolerance: Double) -> ValidationCheck {
        ValidationCheck(op: "lyapunov.\(kind.rawValue)") { cpu, dev, seed in
            if T.dtype == .f64 && !dev.supportsFP64 { return [] }
            let n = Validation.size(24, small: 8)
            let spec = ModelSpec(kind: kind, n: n, g: 2, dt: 0.1, seed: seed, networks: 2)
            let config = LyapunovConfig(steps: Validation.size(60, small: 12), transient: Validation.size(20, small: 3),
                                        k: 6, reorth: 3, seed: seed, batch: 2)
            let spectra = try [cpu, dev].map { be -> [Double] in
                func go<M: RecurrentModel>(_ m: M) throws -> [Double] {
                    let run = try LyapunovRun(model: m, config: config, identity: [:])
                    guard case .finished(let r) = try run.run() else { return [] }
                    return r.exponents
                }
                return try go(spec.make(on: be, as: T.self))
            }
            // Normwise: exponents near zero are compared on the spectrum's scale.
            return [.compare(op: "lyapunov.\(kind.rawValue)", shape: [n, 6], ref: spectra[0], got: spectra[1],
                             tolerance: tolerance, seed: seed, floor: 1, dtype: T.dtype)]
        }
    }
}
