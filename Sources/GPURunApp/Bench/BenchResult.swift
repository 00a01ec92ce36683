/// One measured engine at one size.
public struct BenchResult: Codable, Sendable {
    public var size: Int
    public var dtype: String
    public var engine: String
    public var gflops: Double
    public var seconds: Double
}
