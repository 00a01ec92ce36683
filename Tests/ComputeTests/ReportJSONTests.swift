import XCTest
import Foundation
@testable import GPURunApp

/// Reports never print NaN or infinity as a number: null, and the field named under
/// "nonFiniteValues".
final class ReportJSONTests: XCTestCase {
    struct Inner: Encodable { var lambda: Double }
    struct Report: Encodable { var exponents: [Double]; var finite: Double; var inner: Inner; var sum: Double }

    func testNonFiniteNumbersBecomeNullAndAreNamed() throws {
        let r = Report(exponents: [0.5, .nan], finite: 1.25, inner: Inner(lambda: -.infinity), sum: .infinity)
        let data = try ReportJSON.encode(r)
        let parsed = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
        XCTAssertEqual((parsed["exponents"] as? [Any])?.count, 2)
        XCTAssertTrue((parsed["exponents"] as? [Any])?[1] is NSNull)
        XCTAssertEqual(parsed["finite"] as? Double, 1.25)
        XCTAssertTrue((parsed["inner"] as? [String: Any])?["lambda"] is NSNull)
        XCTAssertTrue(parsed["sum"] is NSNull)
        XCTAssertEqual(parsed["nonFiniteValues"] as? [String: String],
                       ["exponents": "NaN", "lambda": "-Infinity", "sum": "Infinity"])
    }

    func testFiniteReportsAreUnchanged() throws {
        let r = Report(exponents: [0.5, -1], finite: 2, inner: Inner(lambda: 0.1), sum: -0.5)
        let text = String(decoding: try ReportJSON.encode(r), as: UTF8.self)
        XCTAssertFalse(text.contains("nonFiniteValues"))
        XCTAssertFalse(text.contains("null"))
        XCTAssertTrue(text.contains("\"lambda\" : 0.1"), text)
    }
}
