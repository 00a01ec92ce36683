/// Validation of the Philox fills: raw words bit-identical, floats to rounding.
package enum RandomChecks {
    static var sizes: [Int] { Validation.shapes([1, 7, 1000, 4099], small: [1, 7, 300]) }

    package static var all: [ValidationCheck] {
        [
            ValidationCheck(op: "philox.raw") { cpu, dev, seed in
                sizes.map { n in
                    let a = (try? cpu.philoxRaw(count: n, seed: seed, stream: 3, offset: 5)) ?? []
                    let b = (try? dev.philoxRaw(count: n, seed: seed, stream: 3, offset: 5)) ?? []
                    let mismatches = zip(a, b).filter { $0 != $1 }.count + abs(a.count - b.count)
                    return ValidationResult(op: "philox.raw", shape: "\(n)", dtype: "u32",
                                            maxRelError: mismatches == 0 ? 0 : .infinity, tolerance: 0, seed: seed)
                }
            },
            fill("philox.uniform", Float.self, tolerance: 0) { try $0.uniform($1, seed: $2, stream: 1, offset: 0) },
            fill("philox.uniform", Double.self, tolerance: 0) { try $0.uniform($1, seed: $2, stream: 1, offset: 0) },
            fill("philox.normal", Float.self, tolerance: 1e-5) { try $0.normal($1, seed: $2, stream: 2, offset: 0) },
            fill("philox.normal", Double.self, tolerance: 1e-12) { try $0.normal($1, seed: $2, stream: 2, offset: 0) },
        ]
    }

    static func fill<T: Scalar>(_ op: String, _: T.Type, tolerance: Double,
                                _ make: @escaping @Sendable (any Backend, [Int], UInt64) throws -> Tensor<T>)
        -> ValidationCheck
    {
        ValidationCheck(op: op) { cpu, dev, seed in
            if T.dtype == .f64 && !dev.supportsFP64 { return [] }
            return try sizes.map { n in
                let a = try make(cpu, [n], seed).toArray()
                let b = try make(dev, [n], seed).toArray()
                return ValidationResult.compare(op: op, shape: [n], ref: a, got: b, tolerance: tolerance, seed: seed)
            }
        }
    }
}
