import ArgumentParser
import GPURunApp
import Compute
import Foundation

// Every enumeration an option takes, as a typed argument: the parser refuses a wrong value
// and lists the right ones.

extension DType: ExpressibleByArgument {}
extension ModelSpec.Kind: ExpressibleByArgument {}
extension Integrator: ExpressibleByArgument {}
extension TangentQR.Method: ExpressibleByArgument {}
extension JacobianEnsembleOptions.Place: ExpressibleByArgument {}
extension JacobianSpectrumTheory.Matrix: ExpressibleByArgument, CaseIterable {
    public static var allCases: [Self] { [.flow, .step, .map] }
}
extension ModelKind: ExpressibleByArgument {}
extension ParameterGroup: ExpressibleByArgument {}
extension InitScheme: ExpressibleByArgument {}
extension EngineChoice: ExpressibleByArgument {}
extension Conv2dPath: ExpressibleByArgument {}
extension GatedPhaseDiagram.Axis: ExpressibleByArgument {}

/// The values a library type parses from text with a message of its own; the parser's message
/// then carries it ("The value 'x' is invalid for '--opt <opt>': why").
protocol ParsedArgument: ExpressibleByArgument {
    init(parsingArgument text: String) throws
}

extension ParsedArgument {
    public init?(argument: String) { try? self.init(parsingArgument: argument) }
    /// For `@Option(transform:)`, which shows the reason a value is refused.
    static func parse(_ text: String) throws -> Self {
        do { return try Self(parsingArgument: text) } catch { throw ValidationError("\(error)") }
    }
}

extension DeviceSpec: ParsedArgument {
    init(parsingArgument text: String) throws { try self.init(parsing: text) }
}
extension IBMeasure: ParsedArgument {
    init(parsingArgument text: String) throws { try self.init(parsing: text) }
    public var defaultValueDescription: String { name }
}
extension LRSchedule: ParsedArgument {
    init(parsingArgument text: String) throws { try self.init(parsing: text) }
    public var defaultValueDescription: String { description }
}
extension RidgeLambda: ParsedArgument {
    init(parsingArgument text: String) throws { try self.init(parsing: text) }
}
extension SweepShard: ParsedArgument {
    init(parsingArgument text: String) throws { try self.init(parsing: text) }
}
extension Ensembles.Entry: ParsedArgument {
    init(parsingArgument text: String) throws {
        guard let e = Ensembles.all.first(where: { $0.name == text.lowercased() }) else {
            throw ComputeError.invalidArgument("unknown ensemble '\(text)'; known: \(Ensembles.names.joined(separator: ", "))")
        }
        self = e
    }
    public static var allValueStrings: [String] { Ensembles.names }
}

/// An integer at least 1 (sizes, batches, intervals, iterations).
struct PositiveInt: ParsedArgument, CustomStringConvertible {
    var value: Int
    init(_ value: Int) { self.value = value }
    init(parsingArgument text: String) throws {
        guard let v = Int(text.trimmingCharacters(in: .whitespaces)), v > 0 else {
            throw ValidationError("'\(text)' is not a positive integer")
        }
        value = v
    }
    var description: String { String(value) }
}

/// A comma-separated list of typed values: "256,1024" → [256, 1024]. The one list parser of the CLI.
struct CommaList<Element: ExpressibleByArgument>: ParsedArgument, CustomStringConvertible {
    var values: [Element]
    init(_ values: [Element]) { self.values = values }
    init(parsingArgument text: String) throws {
        values = try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let s = part.trimmingCharacters(in: .whitespaces)
            if s.isEmpty { throw ValidationError("'\(text)' has an empty item") }
            if let p = Element.self as? any ParsedArgument.Type {
                do { return try p.init(parsingArgument: s) as! Element } catch { throw ValidationError("'\(s)': \(error)") }
            }
            guard let v = Element(argument: s) else {
                let known = Element.allValueStrings
                throw ValidationError("'\(s)' is not one of \(known.isEmpty ? "the accepted values" : known.joined(separator: ", "))")
            }
            return v
        }
        if values.isEmpty { throw ValidationError("the list is empty") }
    }
    var description: String { values.map { "\($0)" }.joined(separator: ",") }
    var defaultValueDescription: String { description }
}

extension CommaList where Element == PositiveInt {
    var ints: [Int] { values.map(\.value) }
    init(_ ints: Int...) { self.init(ints.map(PositiveInt.init)) }
}

/// Library errors as ValidationErrors (a readable message and exit status 64).
func wrap<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as ValidationError { throw e } catch let e as ExitCode { throw e } catch {
        throw ValidationError("\(error)")
    }
}

/// Runs a GPURunApp entry point: its InvalidInput errors become usage errors (exit status 64),
/// the others pass as they are.
func usageErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as InvalidInput { throw ValidationError(e.description) }
}
