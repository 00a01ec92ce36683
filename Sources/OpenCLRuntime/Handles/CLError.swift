import COpenCL

/// A failed OpenCL call: the symbolic status, the call, and what we know of why.
public struct OpenCLError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let call: String
    public let detail: String?

    public init(code: Int32, call: String, detail: String? = nil) {
        self.code = code
        self.call = call
        self.detail = detail
    }

    public var name: String { openCLStatusName(code) }
    public var description: String {
        "\(call) failed: \(name) (\(code))" + (detail.map { "\n\($0)" } ?? "")
    }
}

/// A failed CLBlast routine.
public struct CLBlastError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let call: String
    public var name: String { clblastStatusName(code) }
    public var description: String { "\(call) failed: \(name) (\(code))" }

    package init(code: Int32, call: String) {
        self.code = code
        self.call = call
    }
}

/// Throws an `OpenCLError` unless `status` is CL_SUCCESS.
@inline(__always)
func clCheck(_ status: cl_int, _ call: @autoclosure () -> String) throws {
    if status != CL_SUCCESS { throw OpenCLError(code: status, call: call()) }
}
