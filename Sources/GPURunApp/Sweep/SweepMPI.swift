import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// The collective step of `sweep run --mpi`: every rank sends rank 0 its report and the
/// result files of its share (MPI_Gatherv), and rank 0 stores those it lacks in its own
/// folder, so the merged table needs no shared file system.
public enum SweepMPI {
    public struct RankReport: Codable, Equatable, Sendable {
        public var rank: Int
        public var host: String
        /// Nil when the rank failed before or while running its share (see `error`).
        public var report: SweepRunner.Report?
        public var error: String?
        /// Task index → the result document's text, for the finished tasks of the share.
        public var results: [Int: String]

        package init(rank: Int, host: String, report: SweepRunner.Report?, error: String?, results: [Int: String]) {
            (self.rank, self.host, self.report, self.error, self.results) = (rank, host, report, error, results)
        }
    }

    /// Gathers at rank 0. Every rank must call it, also after an error, or the others wait forever.
    /// Returns the reports of all ranks at rank 0, nil elsewhere.
    public static func gather(mpi: MPI, report: SweepRunner.Report?, error: String?, share: [Int],
                              directory: SweepDirectory?) throws -> [RankReport]? {
        var mine = RankReport(rank: mpi.rank, host: ProcessInfo.processInfo.hostName, report: report, error: error, results: [:])
        if let directory {
            for i in share { if let d = directory.finished(i) { mine.results[i] = String(decoding: d, as: UTF8.self) } }
        }
        let bytes = Array(try JSONEncoder().encode(mine))
        guard let all = try mpi.gather(bytes) else { return nil }
        var reports: [RankReport] = []
        for (r, b) in all.enumerated() {
            do { reports.append(try JSONDecoder().decode(RankReport.self, from: Data(b))) } catch {
                reports.append(RankReport(rank: r, host: "?", report: nil, error: "unreadable report from rank \(r): \(error)", results: [:]))
            }
        }
        return reports
    }

    /// Writes into `directory` each gathered result it does not already hold byte for byte.
    /// Returns how many were written.
    @discardableResult
    public static func store(_ reports: [RankReport], in directory: SweepDirectory) throws -> Int {
        var written = 0
        for r in reports {
            for (i, text) in r.results.sorted(by: { $0.key < $1.key }) {
                let data = Data(text.utf8)
                if directory.finished(i) == data { continue }
                try SweepDirectory.writeAtomically(data, to: directory.result(i), tmp: directory.tmp)
                written += 1
            }
        }
        return written
    }
}
