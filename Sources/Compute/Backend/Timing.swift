import Foundation

/// Wall-clock timing for benchmarks: a warm-up call, then repeats until `minSeconds` have
/// passed (at least `minRepeats`); the median time is reported.
public enum Timing {
    public static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    public static func median(warmup: Int = 1, minRepeats: Int = 3, minSeconds: Double = 1.0,
                              _ body: () throws -> Void) rethrows -> Double {
        for _ in 0..<warmup { try body() }
        var times: [Double] = []
        let start = now()
        while times.count < minRepeats || now() - start < minSeconds {
            let t0 = now()
            try body()
            times.append(now() - t0)
            if times.count >= 50 { break }
        }
        times.sort()
        return times[times.count / 2]
    }
}
