import CBLAS
import Foundation

/// OpenBLAS 0.3.21 (Debian 12) does not recognise some CPUs, virtual ones among them, and falls
/// back to its generic Prescott (SSE3) kernels: 3–8× slower GEMM on a CPU with AVX-512. Before
/// any BLAS call we check what it chose against the CPU's flags and, when it fell back and the
/// user has not set OPENBLAS_CORETYPE, select Haswell (AVX2) or SkylakeX (AVX-512) kernels.
/// GPURUN_OPENBLAS_CORETYPE=keep leaves OpenBLAS's own choice; `gpurun devices` shows the result.
public enum BLASSetup {
    /// What happened, for `gpurun devices`: nil when nothing was changed.
    public nonisolated(unsafe) private(set) static var adjustment: String?

    private static let once: Void = {
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env["GPURUN_OPENBLAS_CORETYPE"] != "keep" else { return }
        let core = String(cString: openblas_get_corename()).lowercased()
        guard ["prescott", "core2", "nehalem", "unknown"].contains(core),
              let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let has = Set(flags.split(separator: " ").map(String.init))
        let target: String
        if ["avx512f", "avx512dq", "avx512bw", "avx512vl", "fma"].allSatisfy(has.contains) {
            target = "SkylakeX"
        } else if ["avx2", "fma"].allSatisfy(has.contains) {
            target = "Haswell"
        } else {
            return
        }
        setenv("OPENBLAS_CORETYPE", target, 1)
        gotoblas_dynamic_quit()
        gotoblas_dynamic_init()
        unsetenv("OPENBLAS_CORETYPE")  // child processes make their own choice
        adjustment = "OpenBLAS detected \(core) kernels on a CPU with \(target == "SkylakeX" ? "AVX-512" : "AVX2"); "
            + "switched to \(String(cString: openblas_get_corename())) (GPURUN_OPENBLAS_CORETYPE=keep disables this)"
    }()

    /// Idempotent; called by the CPU backend before its first BLAS call.
    public static func configure() { once }
}
