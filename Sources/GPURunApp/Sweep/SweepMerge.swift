import Compute
import Dynamics
import Learning
import InformationBottleneck
import Foundation

/// Every task of a sweep in one table: its grid values, seed and metric (plus the extra
/// columns), and per grid point the mean and spread over the seeds. Built from the result
/// files alone and in task order, so the same results give the same bytes however many
/// workers produced them.
public struct SweepTable: Codable, Equatable, Sendable {
    public struct Axis: Codable, Equatable, Sendable {
        public var name: String
        public var values: [JSONValue]
    }

    public struct Row: Codable, Equatable, Sendable {
        public var index: Int
        public var point: Int
        public var replicate: Int
        public var seed: UInt64
        public var values: [String: JSONValue]
        /// Absent when the task has no result, or its result has no number at the metric path.
        public var metric: Double?
        public var columns: [String: Double]
    }

    /// The metric at one grid point over its seeds (sample standard deviation; absent below two).
    public struct Point: Codable, Equatable, Sendable {
        public var point: Int
        public var values: [String: JSONValue]
        public var count: Int
        public var mean: Double?
        public var std: Double?
        public var min: Double?
        public var max: Double?
    }

    public var command: String
    public var axes: [Axis]
    public var seeds: Int
    public var seed: UInt64
    public var metric: String?
    public var metricLabel: String?
    public var columns: [String]
    public var tasks: Int
    /// Tasks without a usable result: no file, or (listed in `corrupt` too) one that is not JSON.
    public var missing: [Int]
    /// Tasks whose result file exists but does not read as JSON (a truncated or damaged file).
    public var corrupt: [Int] = []
    /// Tasks whose result has no number at the metric path.
    public var unreadable: [Int]
    public var rows: [Row]
    public var points: [Point]

    /// Reads the results in `directory` (`metric` overrides the sweep file's).
    public static func build(plan: SweepPlan, directory: SweepDirectory, metric: SweepSpec.Metric? = nil) throws -> SweepTable {
        let spec = plan.spec
        let metric = metric ?? spec.metric
        var table = SweepTable(command: spec.command, axes: spec.grid.map { Axis(name: $0.name, values: $0.values) },
                               seeds: spec.seeds, seed: spec.seed, metric: metric?.path.text, metricLabel: metric?.label,
                               columns: spec.columns.map(\.text), tasks: plan.tasks.count, missing: [], unreadable: [],
                               rows: [], points: [])
        for t in plan.tasks {
            var row = Row(index: t.index, point: t.point, replicate: t.replicate, seed: t.seed,
                          values: Dictionary(uniqueKeysWithValues: zip(plan.axisNames, t.values)), metric: nil, columns: [:])
            if let data = directory.finished(t.index) {
                let result = try JSONValue.parse(data)
                if let metric {
                    row.metric = result.value(at: metric.path)?.number
                    if row.metric == nil { table.unreadable.append(t.index) }
                }
                for c in spec.columns { row.columns[c.text] = result.value(at: c)?.number }
            } else {
                table.missing.append(t.index)
                if FileManager.default.fileExists(atPath: directory.result(t.index).path) { table.corrupt.append(t.index) }
            }
            table.rows.append(row)
        }
        for p in 0..<plan.pointCount {
            let rows = table.rows[(p * spec.seeds)..<((p + 1) * spec.seeds)]
            let v = rows.compactMap(\.metric)
            var point = Point(point: p, values: rows.first!.values, count: v.count)
            if !v.isEmpty {
                let mean = v.reduce(0, +) / Double(v.count)
                point.mean = mean
                point.min = v.min()
                point.max = v.max()
                if v.count > 1 {
                    point.std = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1)).squareRoot()
                }
            }
            table.points.append(point)
        }
        return table
    }

    public var complete: Bool { missing.isEmpty }

    /// One line per task: index, point, replicate, seed, the grid values, the metric, the columns.
    public func csv() -> String {
        let metricHeader = metric.map { [$0] } ?? []
        var lines = [(["index", "point", "replicate", "seed"] + axes.map(\.name) + metricHeader + columns).map(Self.cell).joined(separator: ",")]
        for r in rows {
            var cells = [String(r.index), String(r.point), String(r.replicate), String(r.seed)]
            cells += axes.map { r.values[$0.name]?.text ?? "" }
            if metric != nil { cells.append(r.metric.map(Self.number) ?? "") }
            cells += columns.map { r.columns[$0].map(Self.number) ?? "" }
            lines.append(cells.map(Self.cell).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Shortest text that reads back as the same double.
    static func number(_ d: Double) -> String { d.isNaN ? "NaN" : d.isInfinite ? (d > 0 ? "Infinity" : "-Infinity") : "\(d)" }

    /// RFC 4180 quoting where needed.
    static func cell(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    public func json() throws -> Data {
        try ReportJSON.encode(self) + Data("\n".utf8)
    }
}

/// `sweep merge`: the table as DIR/merged.json and DIR/merged.csv, the metric as DIR/merged.svg.
public enum SweepMerge {
    public struct Files: Codable, Equatable, Sendable {
        public var json: String
        public var csv: String
        public var svg: String?
    }

    /// Builds and writes the merged table. Missing results are an error unless `partial`.
    public static func merge(directory url: URL, metric: SweepSpec.Metric? = nil, partial: Bool = false) throws
        -> (SweepTable, Files)
    {
        let probe = SweepDirectory(url, taskCount: 0)
        guard FileManager.default.fileExists(atPath: probe.specFile.path) else {
            throw ComputeError.io(path: url.path, reason: "no sweep.json here: not the --out folder of `gpurun sweep run`")
        }
        let (spec, _) = try probe.loadSpec()
        let plan = SweepPlan(spec)
        let dir = SweepDirectory(url, taskCount: plan.tasks.count)
        let table = try SweepTable.build(plan: plan, directory: dir, metric: metric)
        if !table.complete, !partial {
            if let bad = table.corrupt.first {
                throw ComputeError.invalidArgument("\(table.corrupt.count) of \(table.tasks) results are not readable JSON (first: "
                    + "\(dir.result(bad).path)); `gpurun sweep run` on the same folder redoes them, or merge with --partial")
            }
            throw ComputeError.invalidArgument("\(table.missing.count) of \(table.tasks) tasks have no result yet (first: task "
                + "\(table.missing[0])); run the missing shards, or merge with --partial")
        }
        try SweepDirectory.makeFolder(dir.tmp)
        let json = url.appendingPathComponent("merged.json"), csv = url.appendingPathComponent("merged.csv")
        try SweepDirectory.writeAtomically(try table.json(), to: json, tmp: dir.tmp)
        try SweepDirectory.writeAtomically(Data(table.csv().utf8), to: csv, tmp: dir.tmp)
        var files = Files(json: json.path, csv: csv.path, svg: nil)
        if let plot = SweepPlot.plot(table) {
            let svg = url.appendingPathComponent("merged.svg")
            try SweepDirectory.writeAtomically(Data(plot.render().utf8), to: svg, tmp: dir.tmp)
            files.svg = svg.path
        }
        return (table, files)
    }
}
