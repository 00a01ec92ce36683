import OpenCLRuntime
import COpenCL

/// GEMM through CLBlast. Calls hold the context lock: CLBlast 1.5.3's kernel cache races
/// across threads.
enum CLBlastGemm {
    static func run<T: Scalar>(_ p: GemmParams, alpha: T, a: cl_mem?, b: cl_mem?, beta: T, c: cl_mem?,
                               on ctx: CLContext) throws {
        let ta = p.transA ? CLBlastTransposeYes : CLBlastTransposeNo
        let tb = p.transB ? CLBlastTransposeYes : CLBlastTransposeNo
        try ctx.serialized {
            var queue = ctx.queue
            let status: CLBlastStatusCode
            let name: String
            switch (T.dtype, p.batch) {
            case (.f32, 1):
                name = "CLBlastSgemm"
                status = CLBlastSgemm(CLBlastLayoutRowMajor, ta, tb, p.m, p.n, p.k, Float(alpha.double),
                                      a, p.offsetA, p.lda, b, p.offsetB, p.ldb, Float(beta.double),
                                      c, p.offsetC, p.ldc, &queue, nil)
            case (.f64, 1):
                name = "CLBlastDgemm"
                status = CLBlastDgemm(CLBlastLayoutRowMajor, ta, tb, p.m, p.n, p.k, alpha.double,
                                      a, p.offsetA, p.lda, b, p.offsetB, p.ldb, beta.double,
                                      c, p.offsetC, p.ldc, &queue, nil)
            case (.f32, _):
                name = "CLBlastSgemmStridedBatched"
                status = CLBlastSgemmStridedBatched(CLBlastLayoutRowMajor, ta, tb, p.m, p.n, p.k, Float(alpha.double),
                                                    a, p.offsetA, p.lda, p.strideA, b, p.offsetB, p.ldb, p.strideB,
                                                    Float(beta.double), c, p.offsetC, p.ldc, p.strideC, p.batch,
                                                    &queue, nil)
            case (.f64, _):
                name = "CLBlastDgemmStridedBatched"
                status = CLBlastDgemmStridedBatched(CLBlastLayoutRowMajor, ta, tb, p.m, p.n, p.k, alpha.double,
                                                    a, p.offsetA, p.lda, p.strideA, b, p.offsetB, p.ldb, p.strideB,
                                                    beta.double, c, p.offsetC, p.ldc, p.strideC, p.batch,
                                                    &queue, nil)
            }
            if status != CLBlastSuccess {
                throw CLBlastError(code: status.rawValue, call: "\(name)(\(p))")
            }
        }
    }
}
